"""The Slack function and the worker as template.yaml deploys them, on a local AWS.

Secrets only by SSM name, the store in DynamoDB, slow work through SQS: a signed `/headlines` command
is acknowledged by the Slack Lambda, its job crosses the queue, and the worker Lambda answers on the
command's `response_url`; a subscription lands in the DynamoDB table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from headlines.handlers import slack as slack_handler
from headlines.handlers import worker
from headlines.models import Article, Story
from tests.aws_local import LocalStack, forget_built_handlers, poll_once, receive_jobs
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_events import SIGNING_SECRET, command_event, events_api_event, lambda_context


@pytest.fixture
def deployed(aws: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LocalStack, FakeSlackAPI]]:
    with FakeSlackAPI() as fake:
        ssm = aws.client("ssm")
        # The parameter names template.yaml passes (a leading slash added), which the roles may read.
        names = {
            "bot": "/" + aws.parameters["SlackBotTokenParameter"],
            "signing": "/" + aws.parameters["SlackSigningSecretParameter"],
        }
        ssm.put_parameter(Name=names["bot"], Value="xoxb-from-ssm", Type="SecureString")
        ssm.put_parameter(Name=names["signing"], Value=SIGNING_SECRET, Type="SecureString")
        monkeypatch.setenv("HEADLINES_SLACK_BOT_TOKEN_PARAM", names["bot"])
        monkeypatch.setenv("HEADLINES_SLACK_SIGNING_SECRET_PARAM", names["signing"])
        monkeypatch.setenv("SLACK_API_BASE_URL", fake.base_url)
        from headlines.settings import get_settings

        get_settings.cache_clear()
        forget_built_handlers()
        yield aws, fake
        forget_built_handlers()


def test_subscribe_is_stored_in_dynamodb(deployed: tuple[LocalStack, FakeSlackAPI]) -> None:
    aws, _ = deployed
    answer = slack_handler.handler(command_event("subscribe France", channel="C0AWS"), lambda_context())
    assert answer["statusCode"] == 200
    item = aws.client("dynamodb").get_item(
        TableName=aws.tables["SubscriptionsTable"], Key={"channel": {"S": "C0AWS"}, "sk": {"S": "sub#FR"}}
    )
    assert item["Item"]["code"]["S"] == "FR"


def test_wrong_signature_is_refused_with_the_secret_from_ssm(deployed: tuple[LocalStack, FakeSlackAPI]) -> None:
    aws, _ = deployed
    answer = slack_handler.handler(command_event("latest", secret="not-the-secret"), lambda_context())
    assert answer["statusCode"] == 401
    assert receive_jobs(aws.queue_url) == []


def test_a_rotated_signing_secret_reaches_the_warm_function_after_the_cache_age(
    deployed: tuple[LocalStack, FakeSlackAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the cached value is older than SECRET_MAX_AGE (5 minutes; 0 s here) the warm function reads the
    secret again and rebuilds the app: requests signed with the old secret are refused, the new one works."""
    from headlines.aws import secrets

    aws, _ = deployed
    monkeypatch.setattr(secrets, "SECRET_MAX_AGE", 0)
    assert slack_handler.handler(command_event("help"), lambda_context())["statusCode"] == 200
    aws.client("ssm").put_parameter(
        Name="/" + aws.parameters["SlackSigningSecretParameter"], Value="rotated-secret", Type="SecureString", Overwrite=True
    )
    assert slack_handler.handler(command_event("help"), lambda_context())["statusCode"] == 401
    assert slack_handler.handler(command_event("help", secret="rotated-secret"), lambda_context())["statusCode"] == 200


def test_latest_is_acked_queued_on_sqs_and_answered_by_the_worker(deployed: tuple[LocalStack, FakeSlackAPI]) -> None:
    aws, fake = deployed
    from headlines.container import build_store

    article = Article(
        id="aws-slack-1",
        title="Paris and Moscow weigh talks",
        body="France and Russia may talk.",
        published=datetime(2025, 12, 21, tzinfo=UTC),
    )
    build_store().put(
        Story(
            id=article.story_id(),
            article=article,
            headline=article.title or "",
            summary="Talks.",
            content_hash=article.content_hash,
        )
    )
    answer = slack_handler.handler(command_event("latest", response_url=fake.response_url("r1")), lambda_context())
    assert answer["statusCode"] == 200
    assert fake.responses("r1") == []  # acknowledged only; the answer comes from the worker
    assert poll_once(aws, worker.handler) == {"batchItemFailures": []}
    (reply,) = fake.responses("r1")
    assert "Paris and Moscow weigh talks" in str(reply)


def test_mention_is_acked_once_and_answered_in_thread(deployed: tuple[LocalStack, FakeSlackAPI]) -> None:
    """The @mention path as deployed: the Slack function records the event id in the posts table (so Slack's
    retry is dropped) under its own role, queues the question, and the worker answers in the thread."""
    aws, fake = deployed
    ts = "1700000001.000100"
    event = {
        "type": "app_mention",
        "user": "U0ALICE",
        "text": "<@UHEADLINES> satellite",
        "ts": ts,
        "channel": "C0AWS",
        "event_ts": ts,
    }
    assert slack_handler.handler(events_api_event(event, event_id="EvAWS1"), lambda_context())["statusCode"] == 200
    retry = events_api_event(event, event_id="EvAWS1", headers={"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"})
    assert slack_handler.handler(retry, lambda_context())["statusCode"] == 200
    assert len(receive_jobs_peek(aws)) == 1  # the retry was dropped
    _drain(aws)
    (post,) = fake.posts("C0AWS")  # answered once, in the thread (what it says is the ask engine's business)
    assert post["thread_ts"] == ts and post["text"]


def receive_jobs_peek(aws: LocalStack) -> list[str]:
    from tests.aws_local import queue_bodies

    return queue_bodies(aws.queue_url)


def _drain(aws: LocalStack) -> None:
    for _ in range(20):
        result = poll_once(aws, worker.handler)
        if result is None:
            return
        assert result == {"batchItemFailures": []}
    raise AssertionError("the work queue never drained")


@pytest.mark.model
def test_ask_on_aws_uses_the_vectors_stored_at_processing_time(deployed: tuple[LocalStack, FakeSlackAPI]) -> None:
    """Stories processed by the worker Lambda get their vectors in the StoryVectors table; `/headlines ask`
    is then answered by the hybrid engine over them (quoted, cited), and a story processed later by the
    same warm worker is found too (the index caught up, nothing re-embedded)."""
    from headlines.aws.sqs import SqsQueue
    from headlines.job_queue import Job
    from headlines.samples import load_samples

    aws, fake = deployed
    queue = SqsQueue(aws.queue_url)
    for article in load_samples():
        queue.enqueue(Job(kind="process_article", article=article))
    _drain(aws)
    vectors = aws.client("dynamodb").scan(TableName=aws.tables["StoryVectorsTable"], ProjectionExpression="story_id")
    assert {i["story_id"]["S"] for i in vectors["Items"]} == {a.story_id() for a in load_samples()}

    ack = slack_handler.handler(
        command_event("ask What did Macron say about Russia?", response_url=fake.response_url("q1")), lambda_context()
    )
    assert ack["statusCode"] == 200 and fake.responses("q1") == []
    _drain(aws)
    (reply,) = fake.responses("q1")
    answer, sources = reply["blocks"][0]["text"]["text"], [e["text"] for e in reply["blocks"][1]["elements"]]
    assert "[1]" in answer and "Putin" in answer  # quoted from the seed story and cited: the engine, not keyword lookup
    assert sources[0] == "*Sources*"
    assert sources[1].startswith("[1] ") and "France Eyes Potential Talks with Russia" in sources[1]

    later = Article(
        id="aws-ask-satellite",
        title="Japan launches new weather satellite",
        body="Japan launched a weather satellite on Tuesday from the Tanegashima space centre. "
        "The satellite will track typhoons over the Pacific and improve rainfall forecasts.",
    )
    queue.enqueue(Job(kind="process_article", article=later))
    _drain(aws)
    # Worded with the story's words: in a 13-story archive a paraphrase's unseen words ("orbit", "watch") outweigh
    # the rest and the engine says it found nothing (docs/ask.md, "Does the news cover it?").
    slack_handler.handler(
        command_event("ask Which country launched a satellite to track typhoons?", response_url=fake.response_url("q2")),
        lambda_context(),
    )
    _drain(aws)
    (reply,) = fake.responses("q2")
    sources = [e["text"] for e in reply["blocks"][1]["elements"]]
    assert sources[0] == "*Sources*" and sources[1].startswith("[1] Japan launches new weather satellite")
