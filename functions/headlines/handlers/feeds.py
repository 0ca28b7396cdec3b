"""Feeds Lambda (scheduled): poll the configured RSS/Atom feeds and queue their entries."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from headlines.aws.events import require
from headlines.aws.observability import lambda_logger
from headlines.container import build_fetcher, build_queue, build_store
from headlines.feeds import FeedPoller
from headlines.settings import get_settings

logger = lambda_logger("headlines-feeds")
metrics = Metrics(namespace="Headlines", service="feeds")


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    require(event, "schedule")
    settings = get_settings()
    poller = FeedPoller(settings.feed_urls(), build_queue(settings), fetcher=build_fetcher(settings), store=build_store(settings))
    report = poller.poll()
    metrics.add_metric(name="EntriesQueued", unit=MetricUnit.Count, value=report.queued)
    metrics.add_metric(name="FeedsFailed", unit=MetricUnit.Count, value=len(report.failed_feeds))
    return {
        "queued": report.queued,
        "known": report.known,
        "failed_feeds": report.failed_feeds,
        "failed_entries": report.failed_entries,
    }
