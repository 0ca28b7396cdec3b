"""Worker Lambda (SQS, small batches): run each queued job; failed records are retried, then dead-lettered.

Only failed message ids go back in `batchItemFailures`; on its 5th and last attempt a failing job is
parked on the dead-letter queue with its reason (SQS's redrive catches crashes and timeouts). A job
that already completed (same `Job.id`) is not run again (Powertools Idempotency).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

from headlines.aws.events import require
from headlines.aws.jobrunner import JobRecords, dead_letters_from, idempotent, production_run
from headlines.aws.observability import lambda_logger
from headlines.deferral import job_budget
from headlines.settings import get_settings

logger = lambda_logger("headlines-worker")
metrics = Metrics(namespace="Headlines", service="worker")
processor = BatchProcessor(event_type=EventType.SQS)
idempotency = IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=24 * 3600)
SAFETY_MARGIN_SECONDS = 10
"""Kept free at the end of an invocation: never start a Slack wait that ends inside it."""


@lru_cache(maxsize=1)
def runner() -> Callable[..., None]:
    """The job runner with its collaborators (store, model pipeline, Slack), built once per cold start."""
    settings = get_settings()
    return idempotent(production_run(settings), settings.idempotency_table, idempotency)


def records() -> JobRecords:
    def parked(job: Any, exc: Exception) -> None:
        metrics.add_metric(name="JobsDeadLettered", unit=MetricUnit.Count, value=1)

    settings = get_settings()
    requeue = None
    if settings.queue_url:
        from headlines.aws.sqs import SqsQueue

        requeue = SqsQueue(settings.queue_url, bucket=settings.bucket)
    return JobRecords(runner(), dead_letters_from(settings), on_parked=parked, requeue=requeue)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    require(event, "sqs")
    idempotency.register_lambda_context(context)
    handler_records = records()
    # Slack waits (Retry-After) and leases are weighed against the time this invocation has left,
    # less a margin for finishing the batch; beyond it the job is handed back to SQS, not slept on.
    remaining = context.get_remaining_time_in_millis() / 1000 - SAFETY_MARGIN_SECONDS
    with job_budget(remaining, deferrable=handler_records.requeue is not None):
        return process_partial_response(event=event, record_handler=handler_records, processor=processor, context=context)
