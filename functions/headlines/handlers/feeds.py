"""Feeds Lambda (scheduled): poll the configured RSS/Atom feeds and queue their entries."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from headlines.aws.events import require
from headlines.aws.observability import lambda_logger
from headlines.feeds import FeedPoller
from headlines.job_queue import JobQueue
from headlines.settings import Settings, get_settings
from headlines.store.base import Store

if TYPE_CHECKING:
    from headlines.fetch import Fetcher

logger = lambda_logger("headlines-feeds")
metrics = Metrics(namespace="Headlines", service="feeds")


class FeedsHandler:
    def __init__(self, poller: FeedPoller) -> None:
        self.poller = poller

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        require(event, "schedule")
        report = self.poller.poll()
        metrics.add_metric(name="EntriesQueued", unit=MetricUnit.Count, value=report.queued)
        metrics.add_metric(name="FeedsFailed", unit=MetricUnit.Count, value=len(report.failed_feeds))
        return {
            "queued": report.queued,
            "known": report.known,
            "failed_feeds": report.failed_feeds,
            "failed_entries": report.failed_entries,
        }


def build_handler(
    settings: Settings | None = None,
    *,
    queue: JobQueue | None = None,
    fetcher: Fetcher | None = None,
    store: Store | None = None,
) -> FeedsHandler:
    """The feeds function's composition root: the job queue, the SSRF-guarded fetcher and the store of known entries."""
    from headlines import container

    settings = settings or get_settings()
    return FeedsHandler(
        FeedPoller(
            settings.feed_urls(),
            queue or container.build_queue(settings),
            fetcher=fetcher or container.build_fetcher(settings),
            store=store or container.build_store(settings),
        )
    )


@lru_cache(maxsize=1)
def default_handler() -> FeedsHandler:
    """Built once per cold start, from the environment; `cache_clear()` in tests."""
    return build_handler()


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_handler().handle(event, context)
