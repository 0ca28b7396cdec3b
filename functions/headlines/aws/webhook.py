"""`POST /articles`: the webhook that queues an article (or a URL to fetch), behind a shared secret.

The caller sends the secret in the `X-Headlines-Secret` header; the answer is 202 with the job id,
400 naming each bad field, 401 for a wrong or missing secret, 413 for an oversize body; any other error is
answered by `headlines.errors.http_answer` (503 for a missing secret or a failed queue, 500 for a bug).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from headlines.article_json import MAX_INGEST_BYTES, IngestError, article_from_json
from headlines.aws.clients import AwsError
from headlines.errors import ConfigurationError, http_answer
from headlines.fetch import Fetcher, FetchError, fetch_article
from headlines.job_queue import Job, JobQueue

logger = logging.getLogger(__name__)

SECRET_HEADER = "x-headlines-secret"


def response(status: int, payload: dict[str, Any]) -> dict[str, Any]:
    """An API Gateway HTTP API (payload v2) answer with a JSON body."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(payload)}


class WebhookIngest:
    """Authenticates, validates and queues one webhook request. `secret` is read lazily (SSM, cached)."""

    def __init__(
        self,
        queue: JobQueue,
        secret: Callable[[], str | None],
        *,
        fetcher: Fetcher | None = None,
        max_bytes: int = MAX_INGEST_BYTES,
    ) -> None:
        self.queue = queue
        self.secret = secret
        self.fetcher = fetcher
        self.max_bytes = max_bytes

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """The answer to one request; every error is mapped to its status here, by `headlines.errors.http_answer`."""
        try:
            return self._handle(event)
        except Exception as exc:
            status, payload = http_answer(exc, logger)
            return response(status, payload)

    def _handle(self, event: dict[str, Any]) -> dict[str, Any]:
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        try:
            expected = self.secret()
        except AwsError as exc:
            raise ConfigurationError("the webhook's shared secret cannot be read; see the ingest function's log") from exc
        if not expected:
            raise ConfigurationError(
                "the webhook is not configured: its shared secret is missing (HEADLINES_WEBHOOK_SECRET_PARAM)"
            )
        given = headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return response(401, {"error": f"missing or wrong {SECRET_HEADER} header"})
        raw = event.get("body") or ""
        try:
            data = base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else str(raw).encode()
        except (binascii.Error, ValueError) as exc:
            raise IngestError("the body is marked base64 but is not valid base64") from exc
        if len(data) > self.max_bytes:
            return response(413, {"error": f"the body is {len(data)} bytes; the limit is {self.max_bytes} bytes"})
        try:
            payload = json.loads(data or b"null")
        except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, an integer over the digit limit, nested too deep
            raise IngestError(f"the body is not JSON: {str(exc)[:200] or 'nested too deep'}") from exc
        article = self._article(payload)
        job = Job(kind="process_article", id=f"http:{article.story_id()}:{article.content_hash[:16]}", article=article)
        self.queue.enqueue(job)
        logger.info("queued webhook article %s as job %s", article.story_id(), job.id)
        return response(202, {"status": "queued", "job_id": job.id, "story_id": article.story_id()})

    def _article(self, payload: Any) -> Any:
        if isinstance(payload, dict) and payload.get("url") and not payload.get("body"):
            url = str(payload["url"])
            try:
                fetched = fetch_article(url, self.fetcher)
            except FetchError as exc:
                raise IngestError(f"cannot fetch the article: {exc}", {"url": str(exc)}) from exc
            extra = {k: v for k, v in payload.items() if k not in ("url", "body") and v is not None}
            return article_from_json({**fetched.model_dump(mode="json", exclude_none=True), **extra})
        return article_from_json(payload)
