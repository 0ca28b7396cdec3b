"""Block Kit rendering, command parsing and digest composition: pure functions and the SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from headlines.countries.data import country_tag
from headlines.models import Article, DigestSchedule, Story, content_hash
from headlines.slack import blocks
from headlines.slack.commands import CommandError, parse_command, parse_countries, parse_digest, url_of
from headlines.slack.digest import compose, due
from headlines.store.sqlite import SQLiteStore

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def story(
    sid: str,
    headline: str,
    *,
    codes: tuple[str, ...] = ("FR",),
    body: str | None = None,
    published: datetime | None = None,
    summary: str = "A summary.",
) -> Story:
    body = body or f"{headline}. Body of {sid}."
    article = Article(
        id=sid,
        title=headline,
        body=body,
        source="Wire",
        published=published or NOW - timedelta(hours=1),
        url=f"https://news.example/{sid}",
    )
    tags = [country_tag(c, 1.0, primary=True) for c in codes]
    return Story(
        id=sid, article=article, headline=headline, summary=summary, countries=tags, content_hash=content_hash(headline, body)
    )


# -- escaping and limits -------------------------------------------------------------------------------
def test_escape_then_truncate_never_splits_an_entity() -> None:
    assert blocks.escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    for limit in range(1, 30):
        cut = blocks.safe("ab<<<<<<<<&&&&&&&&", limit)
        assert len(cut) <= limit
        assert cut.count("&") == cut.count(";"), cut  # every entity complete
    assert blocks.safe("x" * 10, 5) == "xxxx\u2026"


def test_link_cannot_be_broken_out_of() -> None:
    markup = blocks.link("https://a.example/x|y>z<!channel>", "<!here> label|other")
    assert markup.startswith("<https://a.example/x%7Cy%3Ez%3C!channel%3E|")
    assert "<!here>" not in markup and markup.count("|") == 1
    assert blocks.link("javascript:alert(1)", "click") == "click"


def test_huge_hostile_story_stays_within_block_kit_limits() -> None:
    s = story("big", "<!channel> & " * 70, summary="<@U123> & " * 5000)
    message = blocks.story_message(s)
    blocks.check_limits(message)
    head = message.blocks[0]["text"]["text"]
    assert len(head) <= blocks.HEADER_MAX and head.startswith("&lt;!channel&gt; &amp;")
    assert len(message.blocks[1]["text"]["text"]) <= blocks.SECTION_MAX
    assert message.size() < blocks.MESSAGE_MAX
    assert "<!channel>" not in json.dumps(message.blocks) and "<@U123>" not in json.dumps(message.blocks)


def test_long_lists_fit_with_a_note_of_what_was_left_out() -> None:
    stories = [story(f"s{i}", f"Headline number {i} " + "word " * 20, summary="long summary " * 200) for i in range(120)]
    message = blocks.stories_message("Latest", stories, empty="none")
    blocks.check_limits(message)
    assert len(message.blocks) <= blocks.MAX_BLOCKS and message.size() < blocks.MESSAGE_MAX
    assert "more not shown" in json.dumps(message.blocks[-1])


def test_check_limits_rejects_oversized_messages() -> None:
    with pytest.raises(blocks.BlockLimitError, match="at most 50"):
        blocks.check_limits(blocks.Message("x", [blocks.divider()] * 51))
    with pytest.raises(blocks.BlockLimitError, match="header"):
        blocks.check_limits(blocks.Message("x", [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]))


# -- commands ---------------------------------------------------------------------------------------------
def test_parse_command() -> None:
    assert parse_command("").name == "help"
    assert parse_command("  ASK  what happened?  ").arg == "what happened?"
    unknown = parse_command("frobnicate x")
    assert unknown.name == "help" and "frobnicate" in (unknown.note or "")


def test_parse_countries() -> None:
    assert parse_countries("FR, germany all") == ["FR", "DE", "*"]
    assert parse_countries("fr de") == ["FR", "DE"]
    assert parse_countries("United Kingdom") == ["GB"]
    assert parse_countries("South Korea, United States") == ["KR", "US"]
    with pytest.raises(CommandError, match="Atlantis"):
        parse_countries("FR, Atlantis")
    with pytest.raises(CommandError, match="at least one"):
        parse_countries("  ")


def test_parse_digest() -> None:
    assert parse_digest("", "C1").action == "show"
    assert parse_digest("off", "C1").action == "off" and parse_digest("now", "C1").action == "now"
    daily = parse_digest("daily 8:05 Europe/Paris", "C1").schedule
    assert daily and (daily.frequency, daily.time, daily.tz) == ("daily", "08:05", "Europe/Paris")
    weekly = parse_digest("weekly fri 17:00", "C1").schedule
    assert weekly and (weekly.weekday, weekly.tz) == (4, "UTC")
    for bad in ("daily 25:00 UTC", "weekly funday 09:00 UTC", "hourly", "daily 08:00 Nowhere/City", "daily"):
        with pytest.raises(CommandError, match="digest"):
            parse_digest(bad, "C1")


def test_url_of() -> None:
    assert url_of("<https://a.example/x>") == "https://a.example/x"
    assert url_of("<https://a.example/x|a.example/x>") == "https://a.example/x"
    assert url_of("https://a.example/x and some text") is None


# -- digests ----------------------------------------------------------------------------------------------
def test_digest_groups_by_country_and_shows_each_event_once(store: SQLiteStore) -> None:
    store.put(story("a1", "Paris floods close the Louvre", codes=("FR",)))
    store.put(story("a2", "Floods close the Louvre in Paris", codes=("FR",), body="Another outlet's copy."))  # same event
    store.put(story("a3", "Unrelated copy", codes=("FR",), body="Paris floods close the Louvre. Body of a1."))
    store.put(story("b1", "Tokyo opens new metro line", codes=("JP",)))
    store.put(story("old", "Old news from Japan", codes=("JP",), published=NOW - timedelta(days=3)))
    digest = compose(store, "C1", now=NOW)
    assert digest is not None
    text = json.dumps(digest.message.blocks, ensure_ascii=False)
    assert text.count("Louvre") == 1 and "also carried by 1 more source" in text
    assert "🇫🇷 France" in text and "🇯🇵 Japan" in text and text.index("France") < text.index("Japan")
    assert "Old news" not in text
    blocks.check_limits(digest.message)
    # The next digest has nothing new; a new story appears alone.
    assert compose(store, "C1", now=NOW) is None
    store.put(story("c1", "Berlin hosts summit", codes=("DE",)))
    again = compose(store, "C1", now=NOW)
    assert again is not None and [c.story.id for c in again.clusters] == ["c1"]


def test_digest_has_one_line_per_event_naming_the_other_sources(store: SQLiteStore) -> None:
    def sourced(sid: str, headline: str, source: str, event: str | None, **kw: object) -> Story:
        s = story(sid, headline, **kw)  # type: ignore[arg-type]
        art = s.article.model_copy(update={"source": source})
        return s.model_copy(update={"article": art, "event_id": event})

    # Low headline overlap, one event (as clustering decided): one line, the other outlets named and linked.
    store.put(sourced("e1", "Rail workers walk out across France", "Le Monde", "e1", published=NOW - timedelta(hours=3)))
    store.put(sourced("e2", "Pension strike halts French trains", "Reuters", "e1", published=NOW - timedelta(hours=2)))
    store.put(sourced("e3", "Trains stopped as unions strike", "BBC <News>", "e1"))
    store.put(sourced("e4", "France pension walkout: what we know", "Reuters", "e1", published=NOW - timedelta(hours=2)))
    # Same country, same day, near-identical headline, but another event: its own line.
    store.put(sourced("f1", "Rail workers walk out across France again", "AFP", "f1", published=NOW - timedelta(hours=2)))
    digest = compose(store, "C1", now=NOW)
    assert digest is not None
    assert sorted(len(c.members()) for c in digest.clusters) == [1, 4]
    event = next(c for c in digest.clusters if len(c.members()) == 4)
    assert event.story.id == "e3"  # the newest report is shown
    text = json.dumps(digest.message.blocks, ensure_ascii=False)
    assert "_also: <https://news.example/e2|Reuters>, <https://news.example/e1|Le Monde>_" in text  # Reuters once
    assert "BBC &lt;News&gt;" in text and "<News>" not in text
    assert sorted(digest.included) == ["e1", "e2", "e3", "e4", "f1"]


def test_digest_follows_keyword_and_mention_subscriptions(store: SQLiteStore) -> None:
    from headlines.models import Subscription

    store.put(story("a1", "Paris floods close the Louvre", codes=("FR",)))
    store.put(story("b1", "Tokyo opens new metro line", codes=("JP",)))
    store.put(story("c1", "Wind power record in Denmark", codes=("DK",)))
    store.add_subscriptions("C3", [Subscription.keyword("wind power"), Subscription.country("FR", "mentions")])
    digest = compose(store, "C3", now=NOW)
    assert digest is not None and sorted(c.story.id for c in digest.clusters) == ["a1", "c1"]


def test_digest_follows_the_channel_subscriptions(store: SQLiteStore) -> None:
    store.put(story("a1", "Paris floods close the Louvre", codes=("FR",)))
    store.put(story("b1", "Tokyo opens new metro line", codes=("JP",)))
    store.subscribe("C2", ["JP"])
    digest = compose(store, "C2", now=NOW)
    assert digest is not None and [c.story.id for c in digest.clusters] == ["b1"]


def test_digest_due_times_in_the_schedule_time_zone() -> None:
    paris = DigestSchedule(
        channel="C1", frequency="daily", time="08:00", tz="Europe/Paris", last_sent=datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    )
    assert due(paris, datetime(2026, 11, 28, 6, 59, tzinfo=UTC)) is None
    assert due(paris, datetime(2026, 11, 28, 7, 0, tzinfo=UTC)) == datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    sent = paris.model_copy(update={"last_sent": datetime(2026, 11, 28, 7, 1, tzinfo=UTC)})
    assert due(sent, datetime(2026, 11, 28, 12, 0, tzinfo=UTC)) is None
    weekly = DigestSchedule(
        channel="C1", frequency="weekly", weekday=0, time="09:00", tz="UTC", last_sent=datetime(2026, 11, 20, tzinfo=UTC)
    )
    assert due(weekly, datetime(2026, 11, 28, tzinfo=UTC)) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_due_digests_are_queued_once_per_occurrence(store: SQLiteStore) -> None:
    from headlines.job_queue import InProcessQueue, Job
    from headlines.slack.digest import queue_due_digests

    ran: list[Job] = []
    queue = InProcessQueue(ran.append)
    store.set_digest(
        DigestSchedule(
            channel="C1", frequency="daily", time="08:00", tz="UTC", last_sent=datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
        )
    )
    store.set_digest(
        DigestSchedule(
            channel="C2", frequency="daily", time="13:00", tz="UTC", last_sent=datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
        )
    )
    assert queue_due_digests(store, queue, NOW) == ["C1"]
    assert queue_due_digests(store, queue, NOW + timedelta(minutes=1)) == []
    queue.drain()
    queue.close()
    assert [(j.kind, j.channel, j.id) for j in ran] == [("digest", "C1", "digest:C1:2026-11-28T08:00:00+00:00")]


def test_slack_markup_back_to_plain_text() -> None:
    from headlines.slack.commands import slack_to_plain

    assert slack_to_plain("see <https://a.example/x|a.example/x> &amp; <@U1> in <#C1|news> &lt;3") == (
        "see https://a.example/x & in #news <3"
    )


def test_big_digest_fits_and_keeps_the_rest_for_next_time(store: SQLiteStore) -> None:
    codes = ["FR", "DE", "JP", "BR", "KE", "IN", "US", "GB", "IT", "ES", "CN", "RU", "EG", "MX", "CA"]
    for i in range(60):
        store.put(
            story(
                f"s{i}",
                f"Event number {i} in {codes[i % len(codes)]} " + "detail " * 15,
                codes=(codes[i % len(codes)],),
                summary="<!channel> long summary & more " * 40,
            )
        )
    digest = compose(store, "C1", now=NOW)
    assert digest is not None
    blocks.check_limits(digest.message)
    raw = json.dumps(digest.message.blocks)
    assert len(digest.message.blocks) <= blocks.MAX_BLOCKS and "<!channel>" not in raw and "more not shown" in raw
    shown = {c.story.id for c in digest.clusters}
    assert 0 < len(shown) < 60
    later = compose(store, "C1", now=NOW)  # the stories left out come in the next digest, the shown ones do not
    assert later is not None and shown.isdisjoint(c.story.id for c in later.clusters)
