"""Fault injection on the delivery path: each test breaks the world and checks the invariant, never a call count.

The invariant: every story reaches every subscribed channel exactly once, as Slack shows it
(`FakeSlackAPI.messages`, what a channel displays), whatever dies or is lost on the way; nothing is
lost. Faults: a worker killed between claim and send (a real process ended by `os._exit`), a worker
killed after Slack posted but before the ledger knew, Slack's answer lost after it posted, 429s
longer than the Lambda's remaining time, DynamoDB throttling and conditional-check races, SQS
redelivery after a visibility timeout while the first run is still going.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from headlines.countries.data import country_tag
from headlines.deferral import RetryLater, job_budget
from headlines.delivery.slack import METADATA_EVENT, SlackDelivery, SlackDeliveryError
from headlines.models import Article, Story
from headlines.store.base import Store
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_local import fake_slack_client

CHANNEL = "C0FAULTS"
REPO = Path(__file__).resolve().parents[1]


def make_story(story_id: str = "fault-1", **article: Any) -> Story:
    art = Article.model_validate(
        {
            "id": story_id,
            "title": f"France story {story_id}",
            "source": "Wire",
            "url": f"https://news.example/{story_id}",
            "body": "France said so.",
            **article,
        }
    )
    return Story(
        id=story_id,
        article=art,
        headline=art.title or "h",
        summary="France said so.",
        countries=[country_tag("FR", 1.0, primary=True)],
        content_hash=art.content_hash,
    )


def shown(slack: FakeSlackAPI, story_id: str, channel: str = CHANNEL) -> list[dict[str, Any]]:
    """The channel's messages that carry this story (by the metadata every post has)."""
    return [m for m in slack.messages(channel) if (m.get("metadata") or {}).get("event_payload", {}).get("story_id") == story_id]


@pytest.fixture
def store(any_store: Store) -> Store:
    """Both stores (conftest's `any_store`), the channel subscribed to France."""
    any_store.subscribe(CHANNEL, ["FR"])
    return any_store


def delivery(slack: FakeSlackAPI, store: Store, **kw: Any) -> SlackDelivery:
    return SlackDelivery(fake_slack_client(slack), store, **{"lease": timedelta(seconds=0.5), **kw})


# -- Slack loses its answer -------------------------------------------------------------------------------


def test_answer_lost_after_slack_posted_is_found_in_history_not_posted_twice(slack: FakeSlackAPI, store: Store) -> None:
    story = make_story()
    store.put(story)
    slack.drop_after_next("chat.postMessage")
    delivery(slack, store).deliver(story)
    [message] = shown(slack, story.id)
    assert message["metadata"]["event_type"] == METADATA_EVENT
    record = store.get_post_record(CHANNEL, story.id)
    assert record is not None and record.state == "sent" and record.ts == message["ts"]
    delivery(slack, store).deliver(story)  # the job redelivered
    assert len(shown(slack, story.id)) == 1


def test_answer_lost_on_every_attempt_still_one_post(slack: FakeSlackAPI, store: Store) -> None:
    story = make_story()
    slack.drop_after_next("chat.postMessage", times=5)
    for _ in range(3):
        delivery(slack, store).deliver(story)
    assert len(shown(slack, story.id)) == 1


# -- a worker killed mid-job (a real process, ended with os._exit) ------------------------------------------

KILLED_WORKER = textwrap.dedent("""
    import os, sys
    from datetime import timedelta
    from slack_sdk import WebClient
    from headlines.delivery import slack as delivery_slack
    from headlines.claims import PostLedger
    from headlines.store.sqlite import SQLiteStore
    from tests.test_faults_delivery import make_story

    db, base_url, when = sys.argv[1:4]
    store = SQLiteStore(db)
    if when == "before_send":      # claimed, then killed before chat.postMessage
        delivery_slack.post = lambda *a, **k: os._exit(137)
    else:                          # Slack posted, then killed before the ledger recorded it
        PostLedger.sent = lambda *a, **k: os._exit(137)
    client = WebClient(token="xoxb-test", base_url=base_url)
    delivery_slack.SlackDelivery(client, store, lease=timedelta(seconds=0.5)).deliver(make_story())
    sys.exit(0)
""")


@pytest.mark.parametrize("when", ["before_send", "after_send"])
def test_worker_killed_mid_post_loses_nothing_and_doubles_nothing(slack: FakeSlackAPI, tmp_path: Path, when: str) -> None:
    from headlines.store.sqlite import SQLiteStore

    db = tmp_path / "killed.db"
    store = SQLiteStore(db)
    store.subscribe(CHANNEL, ["FR"])
    env = {"PYTHONPATH": f"{REPO / 'functions'}:{REPO}", "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_WORKER, str(db), slack.base_url, when],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert killed.returncode == 137, killed.stderr
    record = store.get_post_record(CHANNEL, "fault-1")
    assert record is not None and record.state == "claimed"  # the dead worker's claim
    story = make_story()
    # Redelivered while the dead worker's lease still runs: handed back to the queue, not skipped.
    with job_budget(60, deferrable=True), pytest.raises(RetryLater):
        delivery(slack, store).deliver(story)
    time.sleep(0.6)  # the lease runs out
    delivery(slack, store).deliver(story)
    assert len(shown(slack, "fault-1")) == 1
    record = store.get_post_record(CHANNEL, "fault-1")
    assert record is not None and record.state == "sent" and record.ts == shown(slack, "fault-1")[0]["ts"]


def test_a_live_claim_outside_a_queue_is_an_error_to_retry_not_a_silent_skip(slack: FakeSlackAPI, store: Store) -> None:
    from headlines.claims import PostLedger

    assert PostLedger(store, lease=timedelta(seconds=30)).claim(CHANNEL, "fault-1").kind == "claimed"
    with pytest.raises(SlackDeliveryError, match="another worker"):
        delivery(slack, store).deliver(make_story())
    assert shown(slack, "fault-1") == []


# -- 429 with a Retry-After beyond the time left ------------------------------------------------------------


def test_long_retry_after_is_not_slept_on_the_job_is_handed_back(slack: FakeSlackAPI, store: Store) -> None:
    story = make_story()
    slack.fail_next(429, {"Retry-After": "300"})
    started = time.monotonic()
    with job_budget(30, deferrable=True), pytest.raises(RetryLater) as later:
        delivery(slack, store).deliver(story)
    assert time.monotonic() - started < 10  # no 300 s sleep
    assert later.value.delay_seconds == 300
    assert store.get_post_record(CHANNEL, story.id) is None  # a 429 posted nothing: no record says it did
    with job_budget(30, deferrable=True):
        delivery(slack, store).deliver(story)  # the job comes back after its delay
    assert len(shown(slack, story.id)) == 1


# -- DynamoDB throttling and conditional-check races ------------------------------------------------------


def _throttle(ddb: Any, operation: str, times: int) -> dict[str, int]:
    """The next `times` `operation` calls answer 400 ThrottlingException, below botocore's retries."""
    from botocore.awsrequest import AWSResponse

    left = {"n": times}

    class Raw:
        def stream(self, **_: Any) -> Iterator[bytes]:
            yield b""

    def hook(request: Any, **_: Any) -> Any:
        if left["n"] <= 0:
            return None
        left["n"] -= 1
        body = json.dumps(
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                "message": "Rate of requests exceeds the allowed throughput.",
            }
        ).encode()
        response = AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, Raw())
        response._content = body
        return response

    ddb.meta.events.register(f"before-send.dynamodb.{operation}", hook)
    return left  # left["n"] = 0 ends it


def test_dynamodb_throttling_of_ledger_writes_neither_loses_nor_doubles(slack: FakeSlackAPI, aws: Any) -> None:
    from headlines.container import build_store
    from headlines.store.base import StoreError

    store = build_store()
    store.subscribe(CHANNEL, ["FR"])
    story = make_story()
    _throttle(store.ddb, "PutItem", 2)  # absorbed by botocore's standard retries
    delivery(slack, store).deliver(story)
    assert len(shown(slack, story.id)) == 1
    other = make_story("fault-2")
    throttled = _throttle(store.ddb, "PutItem", 50)  # beyond retries: the job fails and is retried
    with pytest.raises(StoreError):
        delivery(slack, store).deliver(other)
    throttled["n"] = 0
    delivery(slack, store).deliver(other)
    assert len(shown(slack, other.id)) == 1 and len(shown(slack, story.id)) == 1


def test_concurrent_workers_on_one_story_post_once(slack: FakeSlackAPI, store: Store) -> None:
    story = make_story()
    errors: list[Exception] = []

    def work() -> None:
        try:
            delivery(slack, store).deliver(story)
        except SlackDeliveryError as exc:  # lost the race: "being sent by another worker", retried by the queue
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(0.6)
    delivery(slack, store).deliver(story)  # the retries
    assert len(shown(slack, story.id)) == 1
    assert all("another worker" in str(e) for e in errors)


# -- SQS: the worker Lambda end to end ---------------------------------------------------------------------


class ShortContext:
    """A Lambda context with little time left (the worker subtracts a 10 s margin)."""

    function_name = "headlines-test"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:headlines-test"
    aws_request_id = "00000000-0000-0000-0000-000000000001"
    log_group_name = "/aws/lambda/headlines-test"
    log_stream_name = "test"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


@pytest.fixture
def worker_env(aws: Any, slack: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from headlines.container import reset_caches
    from headlines.handlers import worker

    for key, value in {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_BASE_URL": slack.base_url,
        "HEADLINES_SUMMARIZER": "lead",
        "HEADLINES_TAGGER": "exact",
        "HEADLINES_EMBED": "false",
        "HEADLINES_SLACK_MAX_RETRIES": "1",
        "HEADLINES_POST_LEASE_SECONDS": "1",
    }.items():
        monkeypatch.setenv(key, value)
    reset_caches()
    worker.default_handler.cache_clear()
    yield aws
    worker.default_handler.cache_clear()


def _job_body(story_id: str = "sqs-1") -> str:
    from headlines.job_queue import Job

    article = Article(id=story_id, title="France and Germany agree", body="France and Germany agreed on Sunday in Paris.")
    return Job(kind="process_article", id=f"test:{story_id}", article=article).model_dump_json()


def test_worker_hands_a_long_429_back_to_sqs_and_posts_once_later(worker_env: Any, slack: FakeSlackAPI) -> None:
    from headlines.container import build_store
    from headlines.handlers import worker
    from tests.aws_local import poll_once

    build_store().subscribe(CHANNEL, ["FR"])
    sqs = worker_env.client("sqs")
    sqs.send_message(QueueUrl=worker_env.queue_url, MessageBody=_job_body())
    slack.fail_next(429, {"Retry-After": "3"})  # 3 s + margin does not fit in the 7 s left
    started = time.monotonic()
    assert poll_once(worker_env, worker.handler, context=ShortContext(17)) == {"batchItemFailures": []}
    assert time.monotonic() - started < 3 + 1  # not slept on
    assert shown(slack, "sqs-1") == []
    assert poll_once(worker_env, worker.handler) is None  # handed back with a delay: not visible yet
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not shown(slack, "sqs-1"):
        poll_once(worker_env, worker.handler)
        time.sleep(0.5)
    assert len(shown(slack, "sqs-1")) == 1
    assert build_store().get_post_record(CHANNEL, "sqs-1").state == "sent"  # type: ignore[union-attr]


def test_sqs_redelivery_after_visibility_timeout_while_the_first_run_is_slow(worker_env: Any, slack: FakeSlackAPI) -> None:
    """The first run is still waiting for Slack when the message becomes visible again and a second worker
    takes it: the second is refused (Powertools' in-progress record, else the ledger's live claim) and the
    message retried; one post in the end."""
    from headlines.container import build_store
    from headlines.handlers import worker
    from tests.aws_local import LambdaContext, sqs_event

    build_store().subscribe(CHANNEL, ["FR"])
    sqs = worker_env.client("sqs")
    sqs.send_message(QueueUrl=worker_env.queue_url, MessageBody=_job_body("sqs-2"))
    arn = sqs.get_queue_attributes(QueueUrl=worker_env.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    first = sqs.receive_message(QueueUrl=worker_env.queue_url, VisibilityTimeout=1, AttributeNames=["All"])["Messages"]
    slack.fail_next(429, {"Retry-After": "2"})  # the first worker sleeps 2 s on it (it fits in its time)
    results: list[Any] = []

    def run_first() -> None:  # the first worker (its own Lambda: its own record handler, not the module's batch state)
        from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

        try:
            with job_budget(100, deferrable=True):
                worker.build_handler().records(SQSRecord(sqs_event(first, arn)["Records"][0]))
            results.append("done")
        except Exception as exc:  # reported in the assertion below
            results.append(repr(exc))

    slow = threading.Thread(target=run_first)
    slow.start()
    time.sleep(1.2)  # the visibility timeout runs out while the first worker sleeps
    second = sqs.receive_message(QueueUrl=worker_env.queue_url, AttributeNames=["All"])["Messages"]
    assert second and second[0]["MessageId"] == first[0]["MessageId"]
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with contextlib.suppress(BatchProcessingError):  # the one-message batch failed: the message comes back
        worker.handler(sqs_event(second, arn), LambdaContext())
    slow.join(30)
    assert results == ["done"]
    # The refused copy comes back once more: the job completed, nothing new is posted.
    assert worker.handler(sqs_event(second, arn), LambdaContext()) == {"batchItemFailures": []}
    assert len(shown(slack, "sqs-2")) == 1
