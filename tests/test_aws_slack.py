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
from tests.aws_local import LocalStack, poll_once, receive_jobs
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_events import SIGNING_SECRET, command_event, lambda_context


@pytest.fixture
def deployed(aws: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LocalStack, FakeSlackAPI]]:
    with FakeSlackAPI() as fake:
        ssm = aws.client("ssm")
        names = {"bot": f"/{aws.bucket}/slack/bot-token", "signing": f"/{aws.bucket}/slack/signing-secret"}
        ssm.put_parameter(Name=names["bot"], Value="xoxb-from-ssm", Type="SecureString")
        ssm.put_parameter(Name=names["signing"], Value=SIGNING_SECRET, Type="SecureString")
        monkeypatch.setenv("HEADLINES_SLACK_BOT_TOKEN_PARAM", names["bot"])
        monkeypatch.setenv("HEADLINES_SLACK_SIGNING_SECRET_PARAM", names["signing"])
        monkeypatch.setenv("SLACK_API_BASE_URL", fake.base_url)
        from headlines.settings import get_settings

        get_settings.cache_clear()
        for cached in (slack_handler.default_handler, worker.runner):
            cached.cache_clear()
        yield aws, fake
        for cached in (slack_handler.default_handler, worker.runner):
            cached.cache_clear()


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


def test_latest_is_acked_queued_on_sqs_and_answered_by_the_worker(deployed: tuple[LocalStack, FakeSlackAPI]) -> None:
    aws, fake = deployed
    from headlines.container import build_store

    article = Article(id="aws-slack-1", title="Paris and Moscow weigh talks", body="France and Russia may talk.",
                      published=datetime(2025, 12, 21, tzinfo=UTC))
    build_store().put(Story(id=article.story_id(), article=article, headline=article.title or "", summary="Talks.",
                            content_hash=article.content_hash))
    answer = slack_handler.handler(command_event("latest", response_url=fake.response_url("r1")), lambda_context())
    assert answer["statusCode"] == 200
    assert fake.responses("r1") == []  # acknowledged only; the answer comes from the worker
    assert poll_once(aws, worker.handler) == {"batchItemFailures": []}
    (reply,) = fake.responses("r1")
    assert "Paris and Moscow weigh talks" in str(reply)
