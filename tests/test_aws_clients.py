"""The composition root on a local AWS: clients honour AWS_ENDPOINT_URL, queues and secrets are built from settings."""

from __future__ import annotations

import pytest

from headlines.aws.clients import AwsError, client
from headlines.aws.secrets import get_secret, with_slack_secrets
from headlines.container import build_queue, build_store
from headlines.errors import ConfigurationError
from headlines.job_queue import InProcessQueue, Job
from headlines.settings import Settings, get_settings
from tests.aws_local import LocalStack, receive_jobs


def test_every_client_points_at_the_local_endpoint(aws: LocalStack, moto_server: str) -> None:
    for service in ("s3", "sqs", "dynamodb", "ssm"):
        assert client(service).meta.endpoint_url == moto_server
    assert aws.bucket in {b["Name"] for b in client("s3").list_buckets()["Buckets"]}


def test_build_queue_is_sqs_when_configured_else_in_process(aws: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    build_queue().enqueue(Job(kind="latest", id="j1", channel="C1"))
    assert [j.id for j in receive_jobs(aws.queue_url)] == ["j1"]
    monkeypatch.delenv("HEADLINES_QUEUE_URL")
    get_settings.cache_clear()
    with pytest.raises(ConfigurationError, match="HEADLINES_QUEUE_URL"):
        build_queue()
    ran: list[str] = []
    queue = build_queue(run=lambda job: ran.append(job.id))
    assert isinstance(queue, InProcessQueue)
    queue.enqueue(Job(kind="latest", id="j2"))
    queue.drain()
    queue.close()
    assert ran == ["j2"]


def test_build_store_dynamodb_uses_the_configured_tables(aws: LocalStack) -> None:
    store = build_store()
    store.subscribe("C1", ["FR"])
    item = client("dynamodb").get_item(
        TableName=aws.tables["SubscriptionsTable"], Key={"channel": {"S": "C1"}, "sk": {"S": "sub#FR"}}
    )
    assert item["Item"]["code"]["S"] == "FR"


def test_slack_secrets_are_read_from_ssm_by_name(aws: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    ssm = client("ssm")
    ssm.put_parameter(Name=f"/{aws.bucket}/bot", Value="xoxb-from-ssm", Type="SecureString")
    ssm.put_parameter(Name=f"/{aws.bucket}/signing", Value="signing-from-ssm", Type="SecureString")
    monkeypatch.setenv("HEADLINES_SLACK_BOT_TOKEN_PARAM", f"/{aws.bucket}/bot")
    monkeypatch.setenv("HEADLINES_SLACK_SIGNING_SECRET_PARAM", f"/{aws.bucket}/signing")
    resolved = with_slack_secrets(Settings())
    assert resolved.slack_bot_token is not None and resolved.slack_bot_token.get_secret_value() == "xoxb-from-ssm"
    assert resolved.slack_signing_secret is not None and resolved.slack_signing_secret.get_secret_value() == "signing-from-ssm"
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-local")  # an explicit value wins over the parameter
    local = with_slack_secrets(Settings())
    assert local.slack_bot_token is not None and local.slack_bot_token.get_secret_value() == "xoxb-local"


def test_missing_secret_parameter_says_how_to_create_it(aws: LocalStack) -> None:
    assert get_secret(None) is None
    with pytest.raises(AwsError, match="aws ssm put-parameter --type SecureString --name /nope"):
        get_secret("/nope")
