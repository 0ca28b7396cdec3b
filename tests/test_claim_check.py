"""Large articles (over SQS's 256 KB, up to the documented 5 MB) travel as S3 references (claim check), on a local AWS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from headlines.aws.sqs import MAX_MESSAGE_BYTES, MessageTooLargeError, SqsQueue
from headlines.aws.sqs_messages import parse_job
from headlines.job_queue import Job
from headlines.models import Article
from tests.aws_local import forget_built_handlers

SENTENCE = "France and Germany agreed in Paris on Sunday to extend the farm subsidies to 2030. "


def big_article(article_id: str, size: int = 900_000) -> dict[str, Any]:
    return {
        "id": article_id,
        "title": "France and Germany extend farm subsidies",
        "url": f"https://news.example/{article_id}",
        "body": (SENTENCE * (size // len(SENTENCE) + 1))[:size],
    }


@pytest.fixture
def deployed(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from headlines.container import reset_caches

    for key, value in {"HEADLINES_SUMMARIZER": "lead", "HEADLINES_TAGGER": "exact", "HEADLINES_EMBED": "false"}.items():
        monkeypatch.setenv(key, value)
    reset_caches()
    forget_built_handlers()
    yield aws
    forget_built_handlers()


def _messages(stack: Any) -> list[dict[str, Any]]:
    got = stack.client("sqs").receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return got.get("Messages", [])


def test_an_s3_object_over_the_sqs_limit_is_queued_by_reference_and_processed(deployed: Any) -> None:
    from headlines.container import build_store
    from headlines.handlers import ingest, worker
    from tests.aws_local import LambdaContext, poll_once, s3_event

    article = big_article("big-s3")
    key = "incoming/big.json"
    deployed.client("s3").put_object(Bucket=deployed.bucket, Key=key, Body=json.dumps(article).encode())
    result = ingest.handler(s3_event(deployed.bucket, key), LambdaContext())
    assert [o["status"] for o in result["outcomes"]] == ["queued"], result
    [message] = _messages(deployed)
    assert len(message["Body"].encode()) < MAX_MESSAGE_BYTES
    ref = json.loads(message["Body"])["payload_ref"]
    assert ref.startswith(f"s3://{deployed.bucket}/jobs/")
    assert poll_once(deployed, worker.handler) == {"batchItemFailures": []}
    story = build_store().get("big-s3")
    assert story is not None and story.article.body == article["body"]


def test_a_webhook_body_over_the_sqs_limit_is_accepted(deployed: Any) -> None:
    from headlines.aws.webhook import WebhookIngest
    from headlines.container import build_queue

    webhook = WebhookIngest(build_queue(), lambda: "s3cret")
    article = big_article("big-hook", 1_000_000)
    article["body"] = ("巴黎消息。" * 200_000)[:1_000_000]  # 3 bytes a character: megabytes of UTF-8
    body = json.dumps(article, ensure_ascii=False)
    assert 8 * MAX_MESSAGE_BYTES < len(body.encode()) < 5 * 1024 * 1024
    answer = webhook.handle({"headers": {"X-Headlines-Secret": "s3cret"}, "body": body})
    assert answer["statusCode"] == 202, answer["body"]
    [message] = _messages(deployed)
    job = parse_job(message["Body"])
    assert job.article is not None and job.article.id == "big-hook" and len(job.article.body) == 1_000_000


def test_without_a_bucket_the_refusal_names_the_setting_not_a_detour(deployed: Any) -> None:
    job = Job(kind="process_article", id="too-big", article=Article.model_validate(big_article("too-big")))
    with pytest.raises(MessageTooLargeError, match="HEADLINES_BUCKET") as refused:
        SqsQueue(deployed.queue_url).enqueue(job)
    assert "incoming/" not in str(refused.value)


def test_a_missing_claim_checked_payload_fails_the_job_with_its_location(deployed: Any) -> None:
    from headlines.aws.clients import AwsError

    ref = Job(kind="process_article", id="gone", payload_ref=f"s3://{deployed.bucket}/jobs/gone.json")
    with pytest.raises(AwsError, match=r"jobs/gone\.json"):
        parse_job(ref.model_dump_json())
