"""Worker Lambda (SQS, small batches): run each queued job; failed records are retried, then dead-lettered.

Partial batch responses: only failed message ids are returned in `batchItemFailures`, so one bad
job never re-runs its neighbours. On its last allowed attempt a failing job is parked on the
dead-letter queue with its reason (message attributes); SQS's redrive catches crashes and timeouts.
A job already completed (same `Job.id`, e.g. SQS delivering a message twice) is not run again
(Powertools Idempotency, when `HEADLINES_IDEMPOTENCY_TABLE` is set); posting is exactly-once anyway
through the store's post records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

from headlines.aws.events import require
from headlines.aws.jobs import parse_job
from headlines.aws.sqs import DeadLetters
from headlines.jobs import Job
from headlines.settings import get_settings

logger = Logger(service="headlines-worker")
metrics = Metrics(namespace="Headlines", service="worker")
processor = BatchProcessor(event_type=EventType.SQS)
idempotency = IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=24 * 3600)


def make_runner(run: Callable[[Job], object], idempotency_table: str | None) -> Callable[..., None]:
    """`runner(job=...)`: `run`, made idempotent on `Job.id` when a table is configured."""

    def run_once(job: Job) -> None:
        run(job)

    if not idempotency_table:
        return run_once
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    from headlines.aws.clients import client

    store = DynamoDBPersistenceLayer(table_name=idempotency_table, boto3_client=client("dynamodb"))
    return idempotent_function(run_once, data_keyword_argument="job", persistence_store=store, config=idempotency)


@lru_cache(maxsize=1)
def runner() -> Callable[..., None]:
    """The worker's use case with its collaborators (store, model pipeline, Slack), built once per cold start."""
    from headlines.aws.secrets import with_slack_secrets
    from headlines.container import build_fetcher
    from headlines.fetch import fetch_article
    from headlines.worker import build_deps, run_job

    settings = with_slack_secrets(get_settings())  # the bot token comes from SSM by name
    deps = build_deps(settings)
    fetcher = build_fetcher(settings)
    deps.fetch = lambda url: fetch_article(url, fetcher)  # `/headlines summarize <url>`, SSRF-guarded
    return make_runner(lambda job: run_job(job, deps), settings.idempotency_table)


@lru_cache(maxsize=1)
def dead_letters() -> DeadLetters | None:
    settings = get_settings()
    return DeadLetters(settings.dead_letter_queue_url, settings.max_receives) if settings.dead_letter_queue_url else None


def record_handler(record: SQSRecord) -> None:
    try:
        job = parse_job(record.body)
        logger.info("running job", extra={"job_id": job.id, "job_kind": job.kind, "message_id": record.message_id})
        runner()(job=job)
    except Exception as exc:
        attempt = int(record.attributes.approximate_receive_count or 1)
        logger.exception("job failed", extra={"message_id": record.message_id, "attempt": attempt, "reason": str(exc)})
        dlq = dead_letters()
        if dlq is None or not dlq.is_last_attempt(attempt):
            raise
        dlq.park(record.body, reason=str(exc), error=type(exc).__name__, message_id=record.message_id, receive_count=attempt)
        metrics.add_metric(name="JobsDeadLettered", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    require(event, "sqs")
    idempotency.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
