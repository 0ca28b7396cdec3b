"""Ingest Lambda: objects under `incoming/` in the bucket and `POST /articles` both become queued jobs."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event

from headlines.aws.events import require
from headlines.aws.http_ingest import WebhookIngest
from headlines.aws.observability import lambda_logger
from headlines.aws.s3ingest import IngestOutcome, S3ArticleIngest
from headlines.aws.secrets import get_secret
from headlines.container import build_fetcher, build_queue
from headlines.settings import get_settings

logger = lambda_logger("headlines-ingest")
metrics = Metrics(namespace="Headlines", service="ingest")


@lru_cache(maxsize=1)
def deps() -> tuple[S3ArticleIngest, WebhookIngest]:
    settings = get_settings()
    queue = build_queue(settings)
    webhook = WebhookIngest(queue, lambda: get_secret(settings.webhook_secret_param), fetcher=build_fetcher(settings))
    return S3ArticleIngest(queue, max_bytes=settings.max_fetch_bytes), webhook


def _ingest(s3_ingest: S3ArticleIngest, bucket: str, key: str) -> IngestOutcome:
    """Only the articles bucket (`HEADLINES_BUCKET`) is ingested: a notification from another bucket (a second
    trigger wired by hand, a copied stack) is logged and left alone; the role could not read it anyway."""
    expected = get_settings().bucket
    if expected and bucket != expected:
        logger.warning("ignored s3://%s/%s: this function ingests the bucket %s (HEADLINES_BUCKET)", bucket, key, expected)
        return IngestOutcome(bucket, key, "ignored", reason=f"not the articles bucket {expected}")
    return s3_ingest.ingest(bucket, key)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    s3_ingest, webhook = deps()
    if require(event, "s3", "http") == "http":
        answer = webhook.handle(event)
        metrics.add_metric(name=f"Webhook{answer['statusCode']}", unit=MetricUnit.Count, value=1)
        return answer
    # Keys arrive URL-encoded ("a+b%281%29.json" is "a b(1).json").
    outcomes = [_ingest(s3_ingest, r.s3.bucket.name, unquote_plus(r.s3.get_object.key)) for r in S3Event(event).records]
    for status in ("queued", "rejected"):
        count = sum(o.status == status for o in outcomes)
        metrics.add_metric(name=f"Objects{status.title()}", unit=MetricUnit.Count, value=count)
    return {"outcomes": [o.__dict__ for o in outcomes]}
