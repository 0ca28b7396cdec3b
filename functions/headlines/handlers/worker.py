"""Worker Lambda (SQS, small batches): run each queued job; failed records are retried, then dead-lettered.

Only failed message ids go back in `batchItemFailures`; on its 5th and last attempt a failing job is
parked on the dead-letter queue with its reason (SQS's redrive catches crashes and timeouts). A job
that already completed (same `Job.id`) is not run again (Powertools Idempotency).

`build_handler` is the function's composition root: every collaborator is built there once per cold start,
or handed in (tests hand in a local job runner, store or Slack client).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

from headlines.aws.events import require
from headlines.aws.observability import lambda_logger
from headlines.aws.sqs_batch import JobRecords, dead_letters_from, idempotent
from headlines.deferral import job_budget
from headlines.job_queue import Job
from headlines.settings import Settings, get_settings

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from headlines.aws.sqs import DeadLetters, SqsQueue
    from headlines.store.base import Store

logger = lambda_logger("headlines-worker")
metrics = Metrics(namespace="Headlines", service="worker")
processor = BatchProcessor(event_type=EventType.SQS)
idempotency = IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=24 * 3600)
SAFETY_MARGIN_SECONDS = 10
"""Kept free at the end of an invocation: never start a Slack wait that ends inside it."""


class WorkerHandler:
    """One SQS batch: each record through `records` (parse, run once, retry or park), within the time left."""

    def __init__(self, records: JobRecords) -> None:
        self.records = records

    def handle(self, event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        require(event, "sqs")
        idempotency.register_lambda_context(context)
        # Slack waits (Retry-After) and leases are weighed against the time this invocation has left,
        # less a margin for finishing the batch; beyond it the job is handed back to SQS, not slept on.
        remaining = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_SECONDS
        with job_budget(remaining, deferrable=self.records.requeue is not None):
            return process_partial_response(event=event, record_handler=self.records, processor=processor, context=context)


def _parked(job: Job | None, exc: Exception) -> None:
    metrics.add_metric(name="JobsDeadLettered", unit=MetricUnit.Count, value=1)


def build_handler(
    settings: Settings | None = None,
    *,
    run: Callable[[Job], object] | None = None,
    store: Store | None = None,
    client: WebClient | None = None,
    dead_letters: DeadLetters | None = None,
    requeue: SqsQueue | None = None,
) -> WorkerHandler:
    """The worker with its collaborators: `run` (default: the job dispatcher over the store, the model pipeline
    and Slack, with the Slack token read from SSM by name), made idempotent on `Job.id` when
    `HEADLINES_IDEMPOTENCY_TABLE` is set; the dead-letter queue and the queue deferred jobs go back to."""
    from headlines import container

    settings = settings or get_settings()
    if run is None:
        from headlines.aws.secrets import with_slack_secrets
        from headlines.dispatch import run_job

        deps = container.build_worker_deps(with_slack_secrets(settings), store=store, client=client)

        def run(job: Job) -> object:
            return run_job(job, deps)

    if requeue is None and settings.queue_url:
        from headlines.aws.sqs import SqsQueue

        requeue = SqsQueue(settings.queue_url, bucket=settings.bucket)
    runner = idempotent(run, settings.idempotency_table, idempotency)
    return WorkerHandler(JobRecords(runner, dead_letters or dead_letters_from(settings), on_parked=_parked, requeue=requeue))


@lru_cache(maxsize=1)
def default_handler() -> WorkerHandler:
    """Built on the first record of a cold start, from the environment; `cache_clear()` in tests."""
    return build_handler()


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return default_handler().handle(event, context)
