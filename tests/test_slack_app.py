"""The Slack Lambda handler end to end: signed API Gateway events in, acks out, answers at the fake Slack API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from headlines.container import build_pipeline, build_slack_client
from headlines.models import Article
from headlines.settings import Settings
from headlines.store.sqlite import SQLiteStore
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_events import command_event, events_api_event, lambda_context
from tests.slack_local import SlackLambda as App
from tests.slack_local import use_fake_slack

HOSTILE = "<!channel> <!here> <@U123> <https://evil.example|bank> & co"


@pytest.fixture
def settings(slack: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return use_fake_slack(monkeypatch, slack)


@pytest.fixture
def app(settings: Settings, store: SQLiteStore) -> Iterator[App]:
    a = App(settings, store)
    yield a
    a.close()


def seed(store: SQLiteStore, settings: Settings, *articles: dict[str, Any]) -> None:
    pipeline = build_pipeline(settings, store=store)
    for a in articles:
        pipeline.process(Article.model_validate(a))


FRANCE = {
    "id": "fr-1",
    "title": "France and Germany agree on farm subsidies",
    "source": "Wire",
    "url": "https://news.example/fr-1",
    "published": "2026-11-28T09:00:00Z",
    "body": "France and Germany agreed on Tuesday to extend farm subsidies. France will pay more. France said so.",
}
JAPAN = {
    "id": "jp-1",
    "title": "Japan launches new weather satellite",
    "source": "Wire",
    "published": "2026-11-28T10:00:00Z",
    "body": "Japan launched a weather satellite from Tanegashima on Wednesday. Japan's agency said it works.",
}


def text_of(payload: dict[str, Any]) -> str:
    return json.dumps(payload.get("blocks", []), ensure_ascii=False) + payload.get("text", "")


# -- signatures ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "tamper",
    [
        {"signature": "v0=" + "0" * 64},  # bad
        {"signature": ""},  # missing
        {"timestamp": int(time.time()) - 6 * 60},  # stale: over 5 minutes old
        {"secret": "someone-elses-secret"},
    ],
    ids=["bad", "missing", "stale", "wrong-secret"],
)
def test_unverified_requests_get_401_and_nothing_happens(app: App, slack: FakeSlackAPI, tamper: dict[str, Any]) -> None:
    response = app(command_event("subscribe FR", **tamper))
    assert response["statusCode"] == 401
    app.queue.drain()
    assert slack.requests == []


def test_base64_encoded_body_is_accepted(app: App) -> None:
    response = app(command_event("help", base64_body=True))
    assert response["statusCode"] == 200 and "/headlines ask" in response["body"]


# -- subcommands -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "help", "frobnicate now"])
def test_help_for_empty_help_and_unknown(app: App, text: str) -> None:
    reply = app.command(text)
    assert reply["response_type"] == "ephemeral"
    body = text_of(reply)
    assert "/headlines subscribe" in body and "&lt;question&gt;" in body
    if text.startswith("frob"):
        assert "frobnicate" in body


def test_subscribe_unsubscribe_subscriptions(app: App, store: SQLiteStore) -> None:
    assert "France" in text_of(app.command("subscribe FR, Germany"))
    assert store.subscriptions("C0NEWS") == {"FR", "DE"}
    assert "Germany" in text_of(app.command("subscriptions"))
    app.command("unsubscribe germany")
    assert store.subscriptions("C0NEWS") == {"FR"}
    assert "all stories" in text_of(app.command("subscribe all"))
    app.command("unsubscribe all")
    assert store.subscriptions("C0NEWS") == set()
    assert "nothing" in text_of(app.command("subscriptions"))


def test_subscribe_unknown_country_says_so_and_changes_nothing(app: App, store: SQLiteStore) -> None:
    reply = app.command("subscribe Narnia, FR")
    assert "Narnia" in text_of(reply) and "ISO codes" in text_of(reply)
    assert store.subscriptions("C0NEWS") == set()


def test_digest_settings(app: App, store: SQLiteStore) -> None:
    assert "no digest" in text_of(app.command("digest"))
    assert "08:00 (Europe/Paris)" in text_of(app.command("digest daily 08:00 Europe/Paris"))
    schedule = store.get_digest("C0NEWS")
    assert schedule and schedule.frequency == "daily" and schedule.tz == "Europe/Paris" and schedule.last_sent
    assert "Monday" in text_of(app.command("digest weekly mon 9:30 UTC"))
    assert store.get_digest("C0NEWS").weekday == 0  # type: ignore[union-attr]
    assert "Mars/Olympus" in text_of(app.command("digest daily 08:00 Mars/Olympus"))
    assert store.get_digest("C0NEWS").weekday == 0  # type: ignore[union-attr]  # unchanged
    app.command("digest off")
    assert store.get_digest("C0NEWS") is None


def test_latest_answers_through_response_url(app: App, slack: FakeSlackAPI, store: SQLiteStore, settings: Settings) -> None:
    seed(store, settings, FRANCE, JAPAN)
    ack = app.command("latest Japan", response_url=slack.response_url("latest"))
    assert "Fetching" in text_of(ack)
    [answer] = slack.responses("latest")
    assert "Japan launches" in text_of(answer) and "France and Germany" not in text_of(answer)
    assert answer["response_type"] == "ephemeral"

    app.command("latest", response_url=slack.response_url("all"))
    [everything] = slack.responses("all")
    assert "Japan launches" in text_of(everything) and "France and Germany" in text_of(everything)


@pytest.mark.model
def test_ask_answers_from_the_engine_with_sources(app: App, slack: FakeSlackAPI, store: SQLiteStore, settings: Settings) -> None:
    seed(store, settings, FRANCE, JAPAN)
    app.command("ask what about the satellite?", response_url=slack.response_url("ask"))
    [answer] = slack.responses("ask")
    blocks_ = answer["blocks"]
    # the answer quotes the satellite story verbatim, then cites it under "Sources"; France is not cited
    assert "Japan launched a weather satellite" in blocks_[0]["text"]["text"] and "[1]" in blocks_[0]["text"]["text"]
    sources = json.dumps(blocks_[1], ensure_ascii=False)
    assert "*Sources*" in sources and "Japan launches new weather satellite" in sources
    assert "France" not in text_of(answer)
    app.command("ask news from Mongolia", response_url=slack.response_url("none"))
    assert "No stored stories tagged MN" in text_of(slack.responses("none")[0])


def test_summarize_pasted_text(app: App, slack: FakeSlackAPI) -> None:
    text = (
        "Brazil's central bank raised interest rates on Wednesday for the third time this year. "
        "The bank said inflation in Brazil remained above target. Analysts in Sao Paulo expect another rise. " + HOSTILE
    )
    ack = app.command(f"summarize {text}", response_url=slack.response_url("sum"))
    assert "Summarizing" in text_of(ack)
    [answer] = slack.responses("sum")
    body = text_of(answer)
    assert "central bank raised interest rates" in body and "🇧🇷" in body
    assert "<!channel>" not in body


def test_summarize_url_to_a_private_address_is_refused_not_fetched(app: App, slack: FakeSlackAPI) -> None:
    from tests.web_local import Route, serve

    with serve({"/story": Route(body=b"<html><body><p>secret</p></body></html>")}) as web:
        app.command(f"summarize <{web.url('/story')}>", response_url=slack.response_url("url"))
        assert web.requests == []  # the SSRF guard refused loopback before connecting
    reply = text_of(slack.responses("url")[0])
    assert "I could not read" in reply and "secret" not in reply


@pytest.mark.model
def test_summarize_url_fetches_the_page_and_answers(
    slack: FakeSlackAPI, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.web_local import Route, serve

    settings = use_fake_slack(monkeypatch, slack, HEADLINES_FETCH_ALLOW="127.0.0.0/8")  # as for an internal feed server
    page = (
        b"<html><head><title>Chile copper output</title></head><body><nav>Home | World | Sport</nav><article>"
        b"<h1>Chile copper output rises</h1>"
        b"<p>Chile's copper output rose 4% in October, the mining ministry in Santiago said on Monday.</p>"
        b"<p>State miner Codelco led the gains as new projects came on line in the north of the country.</p>"
        b"<p>Analysts expect prices to stay firm as demand from China recovers.</p></article>"
        b"<footer>Subscribe to our newsletter</footer></body></html>"
    )
    a = App(settings, store)
    try:
        with serve({"/story": Route(body=page)}) as web:
            a.command(f"summarize <{web.url('/story')}>", response_url=slack.response_url("url"))
        reply = text_of(slack.responses("url")[0])
    finally:
        a.queue.close()
    assert "copper output rose" in reply and "🇨🇱" in reply
    assert "Subscribe to our newsletter" not in reply


def test_summarize_without_text_asks_for_it(app: App, slack: FakeSlackAPI) -> None:
    reply = app.command("summarize")
    assert "Add what to summarize" in text_of(reply)
    assert slack.responses() == []


def test_digest_now_posts_in_channel_once(app: App, slack: FakeSlackAPI, store: SQLiteStore, settings: Settings) -> None:
    now_article = dict(FRANCE, published=None)
    seed(store, settings, now_article)
    app.command("digest now", response_url=slack.response_url("d1"))
    [post] = slack.posts("C0NEWS")
    assert "France and Germany agree" in text_of(post) and post["unfurl_links"] is False
    app.command("digest now", response_url=slack.response_url("d2"))
    assert len(slack.posts("C0NEWS")) == 1
    assert "No new stories" in text_of(slack.responses("d2")[0])


# -- @mentions and DMs -------------------------------------------------------------------------------
def mention(text: str, ts: str = "1700000001.000100", **extra: Any) -> dict[str, Any]:
    return {"type": "app_mention", "user": "U0ALICE", "text": text, "ts": ts, "channel": "C0NEWS", "event_ts": ts, **extra}


def test_mention_answers_in_thread(app: App, slack: FakeSlackAPI, store: SQLiteStore, settings: Settings) -> None:
    seed(store, settings, FRANCE, JAPAN)
    response = app(events_api_event(mention("<@UHEADLINES> anything on the satellite?")))
    assert response["statusCode"] == 200
    app.queue.drain()
    [post] = slack.posts("C0NEWS")
    assert post["thread_ts"] == "1700000001.000100" and "Japan launches" in text_of(post)


def test_retried_event_delivery_answers_once(app: App, slack: FakeSlackAPI, store: SQLiteStore, settings: Settings) -> None:
    seed(store, settings, JAPAN)
    event = mention("<@UHEADLINES> satellite")
    assert app(events_api_event(event, event_id="Ev42"))["statusCode"] == 200
    retry = events_api_event(event, event_id="Ev42", headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"})
    assert app(retry)["statusCode"] == 200
    app.queue.drain()
    assert len(slack.posts("C0NEWS")) == 1


def test_direct_message_answers_in_thread_and_bots_are_ignored(
    app: App, slack: FakeSlackAPI, store: SQLiteStore, settings: Settings
) -> None:
    seed(store, settings, JAPAN)
    dm = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0ALICE",
        "user": "U0ALICE",
        "text": "satellite news?",
        "ts": "1700000002.000200",
    }
    app(events_api_event(dm, event_id="Ev1"))
    ours = dict(dm, user="UHEADLINES", bot_id="BHEADLINES", ts="1700000003.000300", text="Stories for: satellite")
    app(events_api_event(ours, event_id="Ev2"))
    app.queue.drain()
    [post] = slack.posts("D0ALICE")
    assert post["thread_ts"] == "1700000002.000200"


def test_production_handler_reads_the_environment(
    slack: FakeSlackAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from headlines.errors import ConfigurationError
    from headlines.handlers import slack as slack_handler
    from headlines.settings import get_settings

    slack_handler.default_handler.cache_clear()
    # The function's slow work goes to SQS, never to a thread of a Lambda that may freeze after answering.
    with pytest.raises(ConfigurationError, match="HEADLINES_QUEUE_URL"):
        slack_handler.handler(command_event("help"), lambda_context())
    monkeypatch.setenv("HEADLINES_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/never-used")
    get_settings.cache_clear()
    try:
        response = slack_handler.handler(command_event("help"), lambda_context())
        assert response["statusCode"] == 200 and "/headlines digest" in response["body"]
        assert slack_handler.handler(command_event("help", signature="v0=bad"), lambda_context())["statusCode"] == 401
    finally:
        slack_handler.default_handler.cache_clear()


class BrokenQueue:
    def enqueue(self, job: Any) -> None:
        raise ConnectionError("queue unreachable")


def test_queue_failure_is_answered_not_timed_out(settings: Settings, store: SQLiteStore, slack: FakeSlackAPI) -> None:
    from headlines.handlers.slack import build_handler

    handler = build_handler(settings, store=store, client=build_slack_client(settings), queue=BrokenQueue())
    response = handler.handle(command_event("latest"), lambda_context())
    assert response["statusCode"] == 200 and "try again" in response["body"]


def test_socket_mode_without_app_token_is_a_clear_error(settings: Settings) -> None:
    from typer.testing import CliRunner

    from headlines.cli.app import app as cli

    result = CliRunner().invoke(cli, ["serve", "--socket-mode"])
    assert result.exit_code == 2 and "SLACK_APP_TOKEN" in result.output


def test_subscribe_keywords_and_modes(app: App, store: SQLiteStore) -> None:
    from headlines.models import Subscription

    reply = text_of(app.command('subscribe FR "nuclear" \u201cwind power\u201d'))
    assert "France" in reply and "\u201cwind power\u201d" in reply and "\u201cnuclear\u201d" in reply
    app.command("subscribe mentions Japan")
    assert store.channel_subscriptions("C0NEWS") == [
        Subscription.country("FR"),
        Subscription.country("JP", "mentions"),
        Subscription.keyword("nuclear"),
        Subscription.keyword("wind power"),
    ]
    listed = text_of(app.command("subscriptions"))
    assert "Japan (any mention)" in listed and "wind power" in listed
    app.command('unsubscribe JP "Wind Power"')  # no mode named: either mode goes
    assert store.channel_subscriptions("C0NEWS") == [Subscription.country("FR"), Subscription.keyword("nuclear")]
    bad = text_of(app.command('subscribe "wind power'))
    assert "quote is not closed" in bad
    assert "Choose one mode" in text_of(app.command('subscribe about mentions "x"'))
    app.command("unsubscribe all")
    assert store.channel_subscriptions("C0NEWS") == []


def test_subscription_text_is_escaped_in_the_reply(app: App, store: SQLiteStore) -> None:
    # Slack sends typed `<`, `>` and `&` as entities and real mentions as markup; both come back inert
    reply = text_of(app.command('subscribe "a &lt;b&gt; &amp; <!channel> c"'))
    assert "<b>" not in reply and "<!channel>" not in reply and "a &lt;b&gt; &amp; c" in reply
