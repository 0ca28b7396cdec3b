"""Digest Lambda (scheduled): queue a `digest` job for every channel whose digest time has come."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from headlines.aws.events import require
from headlines.aws.observability import lambda_logger
from headlines.job_queue import JobQueue
from headlines.settings import Settings, get_settings
from headlines.slack.digest import queue_due_digests
from headlines.store.base import Store

logger = lambda_logger("headlines-digest")
metrics = Metrics(namespace="Headlines", service="digest")


class DigestHandler:
    def __init__(self, store: Store, queue: JobQueue) -> None:
        self.store = store
        self.queue = queue

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        require(event, "schedule")
        queued = queue_due_digests(self.store, self.queue)
        metrics.add_metric(name="DigestsQueued", unit=MetricUnit.Count, value=len(queued))
        return {"queued": queued}


def build_handler(
    settings: Settings | None = None, *, store: Store | None = None, queue: JobQueue | None = None
) -> DigestHandler:
    """The digest function's composition root: the store of schedules and the job queue."""
    from headlines import container

    settings = settings or get_settings()
    return DigestHandler(store or container.build_store(settings), queue or container.build_queue(settings))


@lru_cache(maxsize=1)
def default_handler() -> DigestHandler:
    """Built once per cold start, from the environment; `cache_clear()` in tests."""
    return build_handler()


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_handler().handle(event, context)
