"""Ingest Lambda: objects under `incoming/` in the bucket and `POST /articles` both become queued jobs."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event

from headlines.aws.events import require
from headlines.aws.observability import lambda_logger
from headlines.aws.s3_articles import IngestOutcome, S3ArticleIngest
from headlines.aws.webhook import WebhookIngest
from headlines.job_queue import JobQueue
from headlines.settings import Settings, get_settings

if TYPE_CHECKING:
    from headlines.fetch import Fetcher

logger = lambda_logger("headlines-ingest")
metrics = Metrics(namespace="Headlines", service="ingest")


class IngestHandler:
    """S3 notifications for the articles bucket and the `POST /articles` webhook, both queuing jobs."""

    def __init__(self, s3_ingest: S3ArticleIngest, webhook: WebhookIngest, *, bucket: str | None) -> None:
        self.s3_ingest = s3_ingest
        self.webhook = webhook
        self.bucket = bucket

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        if require(event, "s3", "http") == "http":
            answer = self.webhook.handle(event)
            metrics.add_metric(name=f"Webhook{answer['statusCode']}", unit=MetricUnit.Count, value=1)
            return answer
        # Keys arrive URL-encoded ("a+b%281%29.json" is "a b(1).json").
        outcomes = [self._ingest(r.s3.bucket.name, unquote_plus(r.s3.get_object.key)) for r in S3Event(event).records]
        for status in ("queued", "rejected"):
            count = sum(o.status == status for o in outcomes)
            metrics.add_metric(name=f"Objects{status.title()}", unit=MetricUnit.Count, value=count)
        return {"outcomes": [o.__dict__ for o in outcomes]}

    def _ingest(self, bucket: str, key: str) -> IngestOutcome:
        """Only the articles bucket (`HEADLINES_BUCKET`) is ingested: a notification from another bucket (a second
        trigger wired by hand, a copied stack) is logged and left alone; the role could not read it anyway."""
        if self.bucket and bucket != self.bucket:
            logger.warning("ignored s3://%s/%s: this function ingests the bucket %s (HEADLINES_BUCKET)", bucket, key, self.bucket)
            return IngestOutcome(bucket, key, "ignored", reason=f"not the articles bucket {self.bucket}")
        return self.s3_ingest.ingest(bucket, key)


def build_handler(
    settings: Settings | None = None,
    *,
    queue: JobQueue | None = None,
    fetcher: Fetcher | None = None,
    secret: Callable[[], str | None] | None = None,
) -> IngestHandler:
    """The ingest function's composition root: the job queue, the SSRF-guarded fetcher (webhook URLs) and the
    webhook's shared secret, read lazily from SSM by name (`HEADLINES_WEBHOOK_SECRET_PARAM`, cached)."""
    from headlines import container
    from headlines.aws.secrets import get_secret

    settings = settings or get_settings()
    queue = queue or container.build_queue(settings)
    name = settings.webhook_secret_param
    webhook = WebhookIngest(queue, secret or (lambda: get_secret(name)), fetcher=fetcher or container.build_fetcher(settings))
    return IngestHandler(S3ArticleIngest(queue, max_bytes=settings.max_fetch_bytes), webhook, bucket=settings.bucket)


@lru_cache(maxsize=1)
def default_handler() -> IngestHandler:
    """Built once per cold start, from the environment; `cache_clear()` in tests."""
    return build_handler()


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_handler().handle(event, context)
