"""Worker Lambda (SQS, small batches): run each queued job; failed records go back to the queue, then the DLQ.

Partial batch responses: only the failed message ids are returned in `batchItemFailures`, so one
bad job never re-runs its neighbours; after 5 receives SQS moves it to the dead-letter queue.
A job already completed (same `Job.id`, e.g. SQS delivering a message twice) is not run again
(Powertools Idempotency, when `HEADLINES_IDEMPOTENCY_TABLE` is set); posting is exactly-once anyway
through the store's post records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

from headlines.aws.events import require
from headlines.aws.jobs import parse_job
from headlines.jobs import Job
from headlines.settings import get_settings

logger = Logger(service="headlines-worker")
metrics = Metrics(namespace="Headlines", service="worker")
processor = BatchProcessor(event_type=EventType.SQS)
idempotency = IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=24 * 3600)


@lru_cache(maxsize=1)
def runner() -> Callable[..., None]:
    """`run(job=...)`: the worker's use case with its collaborators, built once per cold start."""
    from headlines.worker import build_deps, run_job

    deps = build_deps()

    def run(job: Job) -> None:
        run_job(job, deps)

    table = get_settings().idempotency_table
    if not table:
        return run
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    from headlines.aws.clients import client

    store = DynamoDBPersistenceLayer(table_name=table, boto3_client=client("dynamodb"))
    return idempotent_function(run, data_keyword_argument="job", persistence_store=store, config=idempotency)


def record_handler(record: SQSRecord) -> None:
    job = parse_job(record.body)
    logger.info("running job", extra={"job_id": job.id, "job_kind": job.kind, "message_id": record.message_id})
    runner()(job=job)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    require(event, "sqs")
    idempotency.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
