"""Digest Lambda (scheduled): queue a `digest` job for every channel whose digest time has come."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from headlines.aws.events import require
from headlines.aws.observability import lambda_logger
from headlines.container import build_queue, build_store
from headlines.settings import get_settings
from headlines.slack.digest import queue_due_digests

logger = lambda_logger("headlines-digest")
metrics = Metrics(namespace="Headlines", service="digest")


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    require(event, "schedule")
    settings = get_settings()
    queued = queue_due_digests(build_store(settings), build_queue(settings))
    metrics.add_metric(name="DigestsQueued", unit=MetricUnit.Count, value=len(queued))
    return {"queued": queued}
