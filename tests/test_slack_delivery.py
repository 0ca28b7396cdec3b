"""Story posts through a real WebClient to the fake Slack API: exactly once per channel, 429 honoured, failures raised."""

from __future__ import annotations

import json

import pytest

from headlines.container import build_delivery, build_pipeline, build_slack_client
from headlines.delivery.slack import SlackDelivery, SlackDeliveryError
from headlines.models import Article
from headlines.settings import Settings
from headlines.store.sqlite import SQLiteStore
from tests.fakes.slack_api import FakeSlackAPI

HOSTILE_TITLE = "Bank <!channel> alert <@U123> & <https://evil.example|bank> <!here>"


@pytest.fixture
def settings(slack: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_BASE_URL", slack.base_url)
    monkeypatch.setenv("HEADLINES_SLACK_MAX_RETRIES", "1")
    return Settings()


def article(**kw: object) -> Article:
    data = {
        "id": "story-1",
        "title": "France and Germany agree on farm subsidies",
        "source": "Wire",
        "url": "https://news.example/story-1?a=1&b=2",
        "published": "2026-11-28T09:00:00Z",
        "body": "France and Germany agreed to extend farm subsidies. France will pay more. France said so.",
    }
    return Article.model_validate(data | kw)


def test_build_delivery_is_slack_with_a_token_else_console(settings: Settings, store: SQLiteStore) -> None:
    assert isinstance(build_delivery(settings, store=store), SlackDelivery)
    from headlines.delivery.console import ConsoleDelivery

    assert isinstance(build_delivery(Settings(SLACK_BOT_TOKEN=None), store=store), ConsoleDelivery)


def test_posted_once_per_subscribed_channel_even_when_processed_twice(
    slack: FakeSlackAPI, settings: Settings, store: SQLiteStore
) -> None:
    store.subscribe("C0FRANCE", ["FR"])
    store.subscribe("C0ALL", ["*"])
    store.subscribe("C0JAPAN", ["JP"])
    pipeline = build_pipeline(settings, store=store, delivery=build_delivery(settings, store=store))
    pipeline.process(article())
    pipeline.process(article())
    assert len(slack.posts("C0FRANCE")) == 1 and len(slack.posts("C0ALL")) == 1
    assert slack.posts("C0JAPAN") == []
    [post] = slack.posts("C0FRANCE")
    blocks = json.loads(post["blocks"]) if isinstance(post["blocks"], str) else post["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "France and Germany agree on farm subsidies"}}
    assert post["unfurl_links"] is False and post["unfurl_media"] is False
    context = json.dumps(blocks[2], ensure_ascii=False)
    assert "🇫🇷 *France*" in context and "Wire" in context and "<!date^" in context
    assert "https://news.example/story-1?a=1&amp;b=2|Read the article" in context


def test_hostile_text_is_displayed_not_acted_on(slack: FakeSlackAPI, settings: Settings, store: SQLiteStore) -> None:
    store.subscribe("C0ALL", ["*"])
    body = "France warns: <!channel> <!everyone> click <https://evil.example|your bank> now, <@U123> & friends. " * 3
    story = build_pipeline(settings).analyze(article(title=HOSTILE_TITLE, body=body, source="<!here> Daily"))
    SlackDelivery(build_slack_client(settings), store).deliver(story)
    [post] = slack.posts("C0ALL")
    raw = json.dumps(post, ensure_ascii=False)
    for token in ("<!channel>", "<!here>", "<@U123>", "<https://evil.example|", "<!everyone>"):
        assert token not in raw
    assert "&lt;!channel&gt;" in raw and "&lt;@U123&gt;" in raw and "&amp; friends" in raw
    assert "&lt;https://evil.example|bank&gt;" in post["text"]


def test_429_is_waited_out_and_posts_once(slack: FakeSlackAPI, settings: Settings, store: SQLiteStore) -> None:
    store.subscribe("C0ALL", ["*"])
    slack.fail_next(429, {"Retry-After": "0"})
    delivery = SlackDelivery(build_slack_client(settings), store)
    story = build_pipeline(settings).analyze(article())
    assert delivery.deliver(story) == ["C0ALL"]
    attempts = [r.status for r in slack.requests if r.method == "chat.postMessage"]
    assert attempts == [429, 200]
    assert len(slack.posts("C0ALL")) == 1
    assert delivery.deliver(story) == []  # processed again: nothing new
    assert len(slack.posts("C0ALL")) == 1


def test_500_exhausting_retries_raises_and_a_retry_posts_once(
    slack: FakeSlackAPI, settings: Settings, store: SQLiteStore
) -> None:
    store.subscribe("C0ALL", ["*"])
    store.subscribe("C0FRANCE", ["FR"])
    delivery = SlackDelivery(build_slack_client(settings), store)
    story = build_pipeline(settings).analyze(article())
    # A 500 to chat.postMessage may have posted: never retried blindly. Each attempt (2 with one retry)
    # is followed by a look at the channel's history (its first read also fails, and is retried).
    slack.fail_next(500, times=3)
    with pytest.raises(SlackDeliveryError, match=r"C0ALL.*HTTP 500"):
        delivery.deliver(story)
    assert slack.posts("C0ALL") == [] and len(slack.posts("C0FRANCE")) == 1  # the other channel still got it
    # The queue retries the job: only the failed channel is posted to.
    assert delivery.deliver(story) == ["C0ALL"]
    assert len(slack.posts("C0ALL")) == 1 and len(slack.posts("C0FRANCE")) == 1


def test_slack_error_names_the_fix(slack: FakeSlackAPI, settings: Settings, store: SQLiteStore) -> None:
    store.subscribe("C0ALL", ["*"])
    client = build_slack_client(Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_BASE_URL=slack.root + "nowhere/"))
    with pytest.raises(SlackDeliveryError, match="C0ALL"):
        SlackDelivery(client, store).deliver(build_pipeline(settings).analyze(article()))
    assert store.record_post("C0ALL", "story-1")  # the failed post was forgotten


def test_no_token_is_a_clear_error() -> None:
    from headlines.container import SlackConfigError

    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        build_slack_client(Settings())


def test_worker_process_article_job_posts_once_when_redelivered(slack: FakeSlackAPI, settings: Settings) -> None:
    from headlines.container import build_worker_deps
    from headlines.dispatch import run_job
    from headlines.job_queue import Job

    deps = build_worker_deps()  # from the environment, as the worker Lambda builds it
    deps.store.subscribe("C0FRANCE", ["FR"])
    job = Job(kind="process_article", article=article())
    run_job(job, deps)
    run_job(Job.model_validate_json(job.model_dump_json()), deps)  # the queue delivers it again
    assert len(slack.posts("C0FRANCE")) == 1
    assert deps.store.get("story-1") is not None


def test_failed_digest_post_is_raised_and_the_retry_carries_the_same_stories(
    slack: FakeSlackAPI, settings: Settings, store: SQLiteStore
) -> None:
    from headlines.container import build_worker_deps
    from headlines.dispatch import run_job
    from headlines.job_queue import Job

    build_pipeline(settings, store=store).process(article(published=None))
    deps = build_worker_deps(settings, store=store)
    job = Job(kind="digest", id="digest:C0NEWS:2026-11-28T08:00:00+00:00", channel="C0NEWS")
    slack.fail_next(500)  # chat.postMessage is not retried blindly on a 5xx (it may have posted): the job fails
    with pytest.raises(SlackDeliveryError):
        run_job(job, deps)
    assert slack.posts("C0NEWS") == []
    run_job(job, deps)
    run_job(job, deps)  # a duplicate delivery of the job: nothing new to post
    [post] = slack.posts("C0NEWS")
    assert "France and Germany agree" in json.dumps(post, ensure_ascii=False)


def test_keyword_subscription_posts_with_the_match_in_the_context_line(
    slack: FakeSlackAPI, settings: Settings, store: SQLiteStore
) -> None:
    from headlines.models import Subscription

    store.add_subscriptions("C0WIND", [Subscription.keyword("farm subsidy")])
    store.add_subscriptions("C0SOLAR", [Subscription.keyword("solar")])
    pipeline = build_pipeline(settings, store=store, delivery=build_delivery(settings, store=store))
    pipeline.process(article())
    assert slack.posts("C0SOLAR") == []
    [post] = slack.posts("C0WIND")
    blocks = json.loads(post["blocks"]) if isinstance(post["blocks"], str) else post["blocks"]
    assert "_matched: farm subsidy_" in json.dumps(blocks[-1], ensure_ascii=False)
