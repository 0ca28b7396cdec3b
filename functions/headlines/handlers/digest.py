"""Digest Lambda (scheduled): queue a `digest` job for every channel whose digest time has come."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from headlines.aws.events import require
from headlines.container import build_queue, build_store
from headlines.digest_due import due_at
from headlines.jobs import Job
from headlines.settings import get_settings

logger = Logger(service="headlines-digest")
metrics = Metrics(namespace="Headlines", service="digest")


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    require(event, "schedule")
    settings = get_settings()
    store, queue, now = build_store(settings), build_queue(settings), datetime.now(UTC)
    queued = []
    for schedule in store.digest_schedules():
        occurrence = due_at(schedule, now)
        if occurrence is None:
            continue
        # The id names the occurrence, so a retried poll queues the same job and the worker posts it once.
        queue.enqueue(Job(kind="digest", id=f"digest:{schedule.channel}:{occurrence.isoformat()}", channel=schedule.channel))
        store.set_digest(schedule.model_copy(update={"last_sent": now}))
        queued.append(schedule.channel)
    metrics.add_metric(name="DigestsQueued", unit=MetricUnit.Count, value=len(queued))
    return {"queued": queued}
