"""The worker on a local AWS: partial batch failures, retries then the dead-letter queue, duplicates run once.

The job runner here is the real pipeline (lead summarizer, exact tagger) storing into DynamoDB; the
production runner (`headlines.dispatch.run_job`, built by `handlers/worker.build_handler`) is used in
tests/test_aws_e2e.py; here it is handed in through the same seam.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from headlines.aws.events import UnknownEventError
from headlines.handlers import worker
from headlines.job_queue import Job
from headlines.models import Article
from tests.aws_local import LambdaContext, LocalStack, load_event, poll_once

POISON = '{"not": "a job"}'


def pipeline_run(job: Job) -> None:
    from headlines.container import build_pipeline, build_store

    assert job.kind == "process_article" and job.article is not None, f"this test runner only processes articles, got {job.kind}"
    build_pipeline(store=build_store()).process(job.article)


@pytest.fixture
def stack(aws: LocalStack) -> Iterator[LocalStack]:
    yield aws


@pytest.fixture
def handler(stack: LocalStack) -> Callable[[dict, object], dict]:
    """The worker function as deployed (its role, its settings), with a local job runner handed in through
    `build_handler`'s seam: the pipeline into DynamoDB, no Slack. Built on the first event, as a cold start."""
    built: list[worker.WorkerHandler] = []

    def handle(event: dict, context: object) -> dict:
        if not built:
            built.append(worker.build_handler(run=pipeline_run))
        return built[0].handle(event, context)

    return stack.as_function("WorkerFunction", handle)


def send(stack: LocalStack, body: str) -> None:
    stack.client("sqs").send_message(QueueUrl=stack.queue_url, MessageBody=body)


def job_body(article_id: str, text: str = "France and Russia may hold talks, Paris said on Sunday.") -> str:
    return Job(kind="process_article", id=f"test:{article_id}", article=Article(id=article_id, body=text)).model_dump_json()


def dlq_messages(stack: LocalStack) -> list[dict]:
    got = stack.client("sqs").receive_message(
        QueueUrl=stack.dlq_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
    )
    return got.get("Messages", [])


def test_a_batch_reports_only_the_failing_record(stack: LocalStack) -> None:
    """A record whose job fails in a way a retry may fix is reported alone; the batch's other job is done."""

    def flaky(job: Job) -> None:
        if job.article is not None and job.article.id == "b2":
            raise TimeoutError("the store did not answer")
        pipeline_run(job)

    handle = stack.as_function("WorkerFunction", lambda e, c: worker.build_handler(run=flaky).handle(e, c))
    send(stack, job_body("a1"))
    send(stack, job_body("b2"))
    result = poll_once(stack, handle)
    assert result is not None and len(result["batchItemFailures"]) == 1  # b2's message only
    from headlines.container import build_store

    story = build_store().get("a1")
    assert story is not None and {c.code for c in story.countries} >= {"FR", "RU"}


def test_fixture_batch_parks_the_poison_record_at_once(stack: LocalStack, handler: Callable) -> None:
    event = load_event("sqs_batch.json")
    result = handler(event, LambdaContext())
    assert result == {"batchItemFailures": []}
    (parked,) = dlq_messages(stack)
    assert parked["MessageAttributes"]["error"]["StringValue"] == "JobFormatError"
    from headlines.container import build_store

    story = build_store().get("a1")
    assert story is not None and {c.code for c in story.countries} >= {"FR", "RU"}


def failures_per_attempt(stack: LocalStack, handler: Callable) -> list[int]:
    """Poll the queue as Lambda would until it is empty: how many records each attempt reported as failed."""
    failures = []
    for _ in range(10):
        result = poll_once(stack, handler)
        if result is None:
            break
        failures.append(len(result["batchItemFailures"]))
    return failures


def test_poison_message_is_parked_on_the_dlq_at_once_with_its_reason(stack: LocalStack, handler: Callable) -> None:
    send(stack, POISON)
    send(stack, job_body("good-1"))
    failures = failures_per_attempt(stack, handler)
    assert failures == [0]  # not a job: no retry can fix it, so the first attempt parks it
    (parked,) = dlq_messages(stack)
    assert parked["Body"] == POISON
    attrs = parked["MessageAttributes"]
    assert attrs["error"]["StringValue"] == "JobFormatError"
    assert "message is not a job" in attrs["reason"]["StringValue"] and "kind: Field required" in attrs["reason"]["StringValue"]
    assert attrs["receive_count"]["StringValue"] == "1"
    from headlines.container import build_store

    assert build_store().get("good-1") is not None


def test_a_failure_a_retry_may_fix_is_retried_then_parked_on_the_last_attempt(stack: LocalStack) -> None:
    def unlucky(job: Job) -> None:
        raise ConnectionResetError("peer reset")  # unexpected: logged with its traceback, retried

    handle = stack.as_function("WorkerFunction", lambda e, c: worker.build_handler(run=unlucky).handle(e, c))
    send(stack, job_body("unlucky-1"))
    failures = failures_per_attempt(stack, handle)
    assert failures == [1, 1, 1, 1, 0]  # 4 retries reported; the 5th (last) attempt parks it
    (parked,) = dlq_messages(stack)
    attrs = parked["MessageAttributes"]
    assert attrs["error"]["StringValue"] == "ConnectionResetError" and attrs["receive_count"]["StringValue"] == "5"


def test_sqs_redrive_catches_failures_the_worker_cannot_park(
    stack: LocalStack, handler: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a DLQ URL (or when the worker crashes) SQS's own redrive moves the message after maxReceiveCount."""
    monkeypatch.delenv("HEADLINES_DEAD_LETTER_QUEUE_URL")
    from headlines.settings import get_settings

    get_settings.cache_clear()
    send(stack, POISON)
    polls = 0
    while poll_once(stack, handler) is not None:
        polls += 1
        assert polls <= 10
    assert polls == 5
    (moved,) = dlq_messages(stack)
    assert moved["Body"] == POISON


def test_the_same_job_delivered_twice_runs_once(stack: LocalStack, handler: Callable) -> None:
    from headlines.container import build_store

    body = job_body("dup-1")
    send(stack, body)
    assert poll_once(stack, handler) == {"batchItemFailures": []}
    first = build_store().get("dup-1")
    send(stack, body)  # SQS at-least-once: the same job again
    assert poll_once(stack, handler) == {"batchItemFailures": []}
    again = build_store().get("dup-1")
    assert first is not None and again is not None and again.updated_at == first.updated_at
    records = stack.client("dynamodb").scan(TableName=stack.tables["IdempotencyTable"])["Items"]
    assert [r["status"]["S"] for r in records] == ["COMPLETED"]


def test_worker_refuses_other_events(stack: LocalStack, handler: Callable) -> None:
    with pytest.raises(UnknownEventError, match="handles only sqs"):
        handler(load_event("s3_object_created.json"), LambdaContext())


def test_sqs_message_body_matches_what_the_queue_sends(stack: LocalStack) -> None:
    """Contract: what SqsQueue.enqueue puts on the queue is what the worker parses."""
    from headlines.container import build_queue

    build_queue().enqueue(Job(kind="process_article", id="contract", article=Article(id="c-1", body="Text about Japan.")))
    got = stack.client("sqs").receive_message(QueueUrl=stack.queue_url, MessageAttributeNames=["All"])["Messages"][0]
    assert got["MessageAttributes"]["kind"]["StringValue"] == "process_article"
    assert json.loads(got["Body"])["article"]["id"] == "c-1"
