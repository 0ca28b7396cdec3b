"""The SQS batch runner: each record parsed, run (idempotently), retried or parked on the dead-letter queue.

The worker Lambda's composition root (`handlers/worker.build_handler`) wires these together; they are plain
classes so tests hand in their own `run`. Whether a failure is retried is decided by `headlines.errors.sqs_retries`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from headlines.aws.sqs import DeadLetters, SqsQueue
from headlines.aws.sqs_messages import parse_job
from headlines.deferral import RetryLater
from headlines.errors import sqs_retries
from headlines.job_queue import Job

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    from headlines.settings import Settings

logger = logging.getLogger(__name__)


def idempotent(run: Callable[[Job], object], table: str | None, config: IdempotencyConfig) -> Callable[..., None]:
    """`runner(job=...)`: `run`, made idempotent on `Job.id` (Powertools, DynamoDB `table`) when a table is set."""

    def run_once(job: Job) -> None:
        run(job)

    if not table:
        return run_once
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    from headlines.aws.clients import client

    store = DynamoDBPersistenceLayer(table_name=table, boto3_client=client("dynamodb"))
    return idempotent_function(run_once, data_keyword_argument="job", persistence_store=store, config=config)


MAX_DEFERRALS = 48
"""A job handed back this many times (`RetryLater`) fails like any other instead: retried, then dead-lettered."""


class JobRecords:
    """The SQS record handler: a failure is re-raised (the batch reports it) until the last allowed
    attempt, when the job is parked on the dead-letter queue with its reason instead; a failure no retry can
    fix (bad input, not found, a permanent refusal: `headlines.errors.sqs_retries`) is parked at once.

    A job that raises `RetryLater` (Slack's Retry-After beyond the Lambda's remaining time, a post lease
    held by another worker, an edit window) is sent again with that delay through `requeue` and its
    message completes: a fresh message, so waiting never uses up the receive count that dead-letters."""

    def __init__(
        self,
        runner: Callable[..., None],
        dead_letters: DeadLetters | None,
        *,
        on_parked: Callable[[Job | None, Exception], None] | None = None,
        requeue: SqsQueue | None = None,
    ) -> None:
        self.runner = runner
        self.dead_letters = dead_letters
        self.on_parked = on_parked
        self.requeue = requeue

    def __call__(self, record: SQSRecord) -> None:
        job: Job | None = None
        try:
            job = parse_job(record.body)
            logger.info("running job %s (%s), message %s", job.id, job.kind, record.message_id)
            try:
                self.runner(job=job)
            except RetryLater as later:
                if self.requeue is None or job.deferrals >= MAX_DEFERRALS:
                    raise
                self.requeue.enqueue(job.model_copy(update={"deferrals": job.deferrals + 1}), delay_seconds=later.delay_seconds)
                logger.warning("job %s handed back to the queue for %d s: %s", job.id, later.delay_seconds, later.reason)
        except Exception as exc:
            attempt = int(record.attributes.approximate_receive_count or 1)
            logger.info("job failed (message %s, attempt %d)", record.message_id, attempt)
            retry = sqs_retries(exc, logger)  # the one place a job's error becomes retry or dead-letter
            if self.dead_letters is None or (retry and not self.dead_letters.is_last_attempt(attempt)):
                raise
            self.dead_letters.park(
                record.body, reason=str(exc), error=type(exc).__name__, message_id=record.message_id, receive_count=attempt
            )
            if self.on_parked is not None:
                self.on_parked(job, exc)


def dead_letters_from(settings: Settings) -> DeadLetters | None:
    if not settings.dead_letter_queue_url:
        return None
    return DeadLetters(settings.dead_letter_queue_url, settings.max_receives)


__all__ = ["JobRecords", "dead_letters_from", "idempotent"]
