"""The job queue: the `Job` message slow work travels in, the `JobQueue` port, and the in-process queue.

What the Slack ack path, the ingest and feeds functions and the digest schedule queue for the worker
(`headlines.dispatch`). The same `Job` travels through SQS in AWS (`headlines.aws.sqs`, read back by
`headlines.aws.sqs_messages`) and through `InProcessQueue` locally (`headlines serve`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from headlines.models import Article

logger = logging.getLogger(__name__)

JobKind = Literal["process_article", "summarize", "ask", "latest", "digest"]


class Job(BaseModel):
    """One unit of slow work. `id` is the idempotency key (Slack event id, S3 key + etag, ...)."""

    kind: JobKind
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    article: Article | None = None
    text: str | None = Field(default=None, max_length=40_000, description="question, URL or pasted text")
    channel: str | None = None
    user: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    deferrals: int = Field(default=0, ge=0, description="times the job was handed back to the queue (RetryLater)")
    payload_ref: str | None = Field(
        default=None, description="claim check: s3://BUCKET/KEY of the whole job, for jobs over the queue's size limit"
    )


class JobQueue(Protocol):
    """Where slow work goes: SQS in AWS, a background thread locally."""

    def enqueue(self, job: Job) -> None: ...


class InProcessQueue:
    """Runs jobs on background threads: one by default (in order), a small pool for `headlines serve` so one
    slow job (a URL that trickles) does not hold up other users' answers. Failures are logged with the job,
    not lost silently; `drain()` waits for queued work and re-raises the first failure (tests, CLI)."""

    def __init__(self, run: Callable[[Job], object], *, workers: int = 1) -> None:
        self._run = run
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="headlines-worker")
        self._futures: list[Future[object]] = []
        self._lock = threading.Lock()

    def enqueue(self, job: Job) -> None:
        with self._lock:
            # finished jobs that succeeded need no keeping (a long `headlines serve` would pile them up)
            self._futures = [f for f in self._futures if not f.done() or (not f.cancelled() and f.exception() is not None)]
            self._futures.append(self._pool.submit(self._guarded, job))

    def _guarded(self, job: Job) -> object:
        try:
            return self._run(job)
        except Exception:
            logger.exception("job %s (%s) failed", job.id, job.kind)
            raise

    def drain(self, timeout: float | None = 60) -> None:
        with self._lock:
            futures, self._futures = self._futures, []
        for future in futures:
            future.result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
