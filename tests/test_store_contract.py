"""One behavioural contract, every backend: the same tests run against SQLite and DynamoDB (moto server)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from headlines.countries.data import country_tag
from headlines.models import Article, DigestSchedule, Story
from headlines.store.base import Store, StoreError


def _story(article: Article, countries: tuple[str, ...] = ()) -> Story:
    return Story(
        id=article.story_id(),
        article=article,
        headline=article.title or "h",
        summary="s",
        countries=[country_tag(c, 1.0, primary=True) for c in countries],
        content_hash=article.content_hash,
    )


@pytest.fixture
def store(any_store: Store) -> Store:
    """Each contract test runs on both stores (conftest's `any_store`)."""
    return any_store


def test_round_trip(store: Store) -> None:
    art = Article(id="x1", title="T", body="Body.", url="https://e.com/x", published=datetime(2025, 1, 1, tzinfo=UTC))
    store.put(_story(art, ("FR",)))
    got = store.get("x1")
    assert got is not None and got.article == art and [c.code for c in got.countries] == ["FR"]
    assert store.get("missing") is None
    found = store.find(art.dedup_key)
    assert found is not None and found.id == "x1"
    assert store.find("url:https://e.com/other") is None


def test_same_url_updates_and_keeps_first_id(store: Store) -> None:
    first = store.put(_story(Article(id="one", body="v1", url="https://e.com/a")))
    second = store.put(_story(Article(id="two", body="v2", url="https://e.com/a/")))
    assert store.count() == 1
    assert second.id == first.id == "one"
    got = store.get("one")
    assert got is not None and got.article.body == "v2" and got.created_at == first.created_at
    assert store.get("two") is None


def test_same_content_without_url_dedups(store: Store) -> None:
    store.put(_story(Article(body="Exactly the same text.")))
    store.put(_story(Article(body="Exactly  the same text.")))
    store.put(_story(Article(body="Another text.")))
    assert store.count() == 2


def test_same_id_new_url_replaces_the_old_dedup_key(store: Store) -> None:
    store.put(_story(Article(id="s", body="b", url="https://e.com/old")))
    store.put(_story(Article(id="s", body="b", url="https://e.com/new")))
    assert store.count() == 1
    assert store.find("url:https://e.com/old") is None
    new = store.find("url:https://e.com/new")
    assert new is not None and new.id == "s"


def test_latest_orders_by_time_and_filters_country(store: Store) -> None:
    for i, cc in enumerate([("FR",), ("DE",), ("FR", "RU")]):
        art = Article(id=f"s{i}", body=f"b{i}", published=datetime(2025, 1, 1 + i, tzinfo=UTC))
        store.put(_story(art, cc))
    assert [s.id for s in store.latest()] == ["s2", "s1", "s0"]
    assert [s.id for s in store.latest(country="fr")] == ["s2", "s0"]
    assert [s.id for s in store.latest(country="RU")] == ["s2"]
    assert store.latest(country="JP") == []
    assert [s.id for s in store.latest(limit=1)] == ["s2"]
    assert [s.id for s in store.latest(since=datetime(2025, 1, 2, tzinfo=UTC))] == ["s2", "s1"]
    # re-tagging replaces the country index entries
    store.put(_story(Article(id="s0", body="b0", published=datetime(2025, 1, 1, tzinfo=UTC)), ("DE",)))
    assert [s.id for s in store.latest(country="FR")] == ["s2"]
    assert [s.id for s in store.latest(country="DE")] == ["s1", "s0"]
    assert store.count() == 3


def test_record_post_is_true_once(store: Store) -> None:
    assert store.record_post("C1", "s1") is True
    assert store.record_post("C1", "s1") is False
    assert store.record_post("C2", "s1") is True
    store.forget_post("C1", "s1")
    assert store.record_post("C1", "s1") is True


def test_subscriptions(store: Store) -> None:
    assert store.subscribe("C1", ["fr", "de"]) == {"FR", "DE"}
    store.subscribe("C2", ["*"])
    assert store.subscriptions("C1") == {"FR", "DE"}
    assert store.channels_for(["FR"]) == {"C1", "C2"}
    assert store.channels_for(["jp"]) == {"C2"}
    assert store.unsubscribe("C1", ["FR"]) == {"DE"}
    assert store.unsubscribe("C1", ["*"]) == set()
    assert store.channels_for(["DE"]) == {"C2"}
    assert store.subscriptions("nobody") == set()


def test_digest_schedules(store: Store) -> None:
    daily = DigestSchedule(channel="C2", frequency="daily", time="08:30", tz="Europe/Paris")
    weekly = DigestSchedule(channel="C1", frequency="weekly", weekday=0, time="09:00")
    store.set_digest(daily)
    store.set_digest(weekly)
    store.subscribe("C1", ["FR"])  # subscriptions and digests share a table in DynamoDB: keep them apart
    assert store.get_digest("C2") == daily
    assert [s.channel for s in store.digest_schedules()] == ["C1", "C2"]
    sent = daily.model_copy(update={"last_sent": datetime(2025, 1, 1, 7, 30, tzinfo=UTC)})
    store.set_digest(sent)
    assert store.get_digest("C2") == sent
    store.delete_digest("C2")
    assert store.get_digest("C2") is None
    assert [s.channel for s in store.digest_schedules()] == ["C1"]
    assert store.subscriptions("C1") == {"FR"}


def test_dynamodb_missing_table_is_a_clear_error(aws: object) -> None:
    from headlines.store.dynamodb import DynamoDBStore

    store = DynamoDBStore("no-such-table", "no-such-posts", "no-such-subs")
    with pytest.raises(StoreError, match="does not exist"):
        store.get("x")


def test_dynamodb_oversize_story_is_refused_not_truncated(aws: object) -> None:
    import base64
    import os

    from headlines.container import build_store

    store = build_store()
    noise = base64.b64encode(os.urandom(600_000)).decode()  # barely compressible: over DynamoDB's 400 KB item limit
    with pytest.raises(StoreError, match="item limit"):
        store.put(_story(Article(id="big", body=noise)))
    assert store.get("big") is None and store.count() == 0


def test_event_id_is_kept(store: Store) -> None:
    art = Article(id="e2", title="T", body="Second report.", url="https://e.com/e2")
    stored = store.put(_story(art).model_copy(update={"event_id": "e1"}))
    assert stored.event_id == "e1"
    got = store.get("e2")
    assert got is not None and got.event_id == "e1" and got.event_key == "e1"
    assert [s.event_id for s in store.latest()] == ["e1"]
    lone = store.put(_story(Article(id="e3", body="Alone.")))
    assert lone.event_id is None and lone.event_key == "e3"
    again = store.get("e3")
    assert again is not None and again.event_id is None


def test_keyword_and_mode_subscriptions(store: Store) -> None:
    from headlines.models import Subscription

    fr, de_any = Subscription.country("FR"), Subscription.country("DE", "mentions")
    wind, nuclear = Subscription.keyword("Wind power"), Subscription.keyword("nuclear", "about")
    assert store.add_subscriptions("C1", [fr, de_any, wind, nuclear]) == [de_any, fr, nuclear, wind]
    store.add_subscriptions("C2", [Subscription.keyword("wind power")])
    # the code-based view keeps its old meaning: countries in `about` mode only
    assert store.subscriptions("C1") == {"FR"}
    assert store.channels_for(["FR"]) == {"C1"}
    assert store.channels_for(["DE"]) == set()
    assert store.channels_for_tokens(["DE@mentions", "JP@mentions"]) == {"C1"}
    assert store.keyword_tokens() == {"C1": {"kw:mentions:wind power", "kw:about:nuclear"}, "C2": {"kw:mentions:wind power"}}
    assert store.remove_subscriptions("C1", [wind, de_any]) == [fr, nuclear]
    assert store.keyword_tokens() == {"C1": {"kw:about:nuclear"}, "C2": {"kw:mentions:wind power"}}
    # "*" removes everything, keywords included; the old code API's "*" does too
    assert store.remove_subscriptions("C1", [Subscription.country("*")]) == []
    store.add_subscriptions("C3", [wind, fr])
    assert store.unsubscribe("C3", ["*"]) == set() and store.channel_subscriptions("C3") == []
    assert store.keyword_tokens() == {"C2": {"kw:mentions:wind power"}}


# -- the post ledger (headlines.claims) -------------------------------------------------------


def test_post_ledger_writes_are_compare_and_set(store: Store) -> None:
    from headlines.store.base import PostRecord

    assert store.get_post_record("C1", "e1") is None
    first = PostRecord(channel="C1", key="e1", rev=1, state="claimed", token="t1")
    assert store.put_post_record(first, expected_rev=None) is True
    assert store.put_post_record(first.model_copy(update={"token": "t2"}), expected_rev=None) is False  # exists
    got = store.get_post_record("C1", "e1")
    assert got is not None and got.token == "t1" and got.rev == 1 and got.state == "claimed"
    sent = got.model_copy(update={"rev": 2, "state": "sent", "ts": "1.000001", "shows": ["s1"]})
    assert store.put_post_record(sent, expected_rev=1) is True
    assert store.put_post_record(sent.model_copy(update={"rev": 2, "ts": "9.9"}), expected_rev=1) is False  # stale
    got = store.get_post_record("C1", "e1")
    assert got is not None and (got.state, got.ts, got.shows) == ("sent", "1.000001", ["s1"])
    assert store.delete_post_record("C1", "e1", expected_rev=1) is False
    assert store.delete_post_record("C1", "e1", expected_rev=2) is True
    assert store.get_post_record("C1", "e1") is None


def test_a_record_post_row_reads_as_a_sent_post(store: Store) -> None:
    from headlines.store.base import PostRecord

    assert store.record_post("C1", "s1")
    legacy = store.get_post_record("C1", "s1")
    assert legacy is not None and legacy.state == "sent" and legacy.rev == 0 and legacy.ts is None
    upgraded = PostRecord(channel="C1", key="s1", rev=1, state="sent", ts="2.5")
    assert store.put_post_record(upgraded, expected_rev=0) is True
    assert store.put_post_record(upgraded, expected_rev=0) is False
    assert store.record_post("C1", "s1") is False


def test_concurrent_claims_of_one_post_have_one_winner(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from headlines.claims import PostLedger

    ledger = PostLedger(store)
    with ThreadPoolExecutor(max_workers=6) as pool:
        kinds = list(pool.map(lambda _: ledger.claim("C1", "race").kind, range(6)))
    assert kinds.count("claimed") == 1 and kinds.count("busy") == 5


# -- one id names one story, whatever the concurrency ------------------------------------------------------


def _consistent(store: Store, urls: list[str]) -> list[str]:
    """The urls whose dedup key resolves; each must resolve to a story that really has that url."""
    resolved = []
    for url in urls:
        found = store.find(Article(body="x", url=url).dedup_key)
        if found is not None:
            assert str(found.article.url) == url, f"dedup key of {url} points at a story of {found.article.url}"
            resolved.append(url)
    return resolved


def test_reusing_an_id_updates_that_story_and_retires_its_old_dedup_key(store: Store) -> None:
    a = Article(id="dup", title="First", body="First article.", url="https://e.com/first")
    b = Article(id="dup", title="Second", body="A different article.", url="https://e.com/second")
    store.put(_story(a))
    assert store.exists(b) is True  # storing it updates: the CLI says "updated"
    store.put(_story(b))
    assert store.count() == 1
    got = store.get("dup")
    assert got is not None and got.article.title == "Second"
    assert _consistent(store, ["https://e.com/first", "https://e.com/second"]) == ["https://e.com/second"]


def test_concurrent_writers_of_one_id_end_consistent(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    for round_ in range(3):
        urls = [f"https://e.com/race-{round_}-{i}" for i in range(4)]
        stories = [
            _story(Article(id=f"race{round_}", title=f"T{i}", body=f"Body {i}.", url=u), ("FR",)) for i, u in enumerate(urls)
        ]
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(store.put, stories))
        got = store.get(f"race{round_}")
        assert got is not None
        assert _consistent(store, urls) == [str(got.article.url)]  # exactly the stored story's key resolves
    assert store.count() == 3
    assert sorted(s.id for s in store.latest(country="FR")) == ["race0", "race1", "race2"]


def test_concurrent_writers_of_one_article_store_one_story(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    stories = [_story(Article(id=f"w{i}", body="Same article.", url="https://e.com/same")) for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        stored = list(pool.map(store.put, stories))
    assert store.count() == 1
    assert len({s.id for s in stored}) == 1
    assert _consistent(store, ["https://e.com/same"]) == ["https://e.com/same"]
