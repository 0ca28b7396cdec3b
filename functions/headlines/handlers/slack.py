"""Slack Lambda (API Gateway HTTP API v2): verify, acknowledge within 3 s, queue the slow work.

The app is built once per cold start. The signature is checked on the raw body first (`slack.verify`):
anything unsigned gets 401 before a parser sees it. Then Bolt's Lambda adapter turns the event into a
request and the answer back. No model, no URL fetch, no Slack call here: see `headlines.slack.app`.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from headlines.aws.observability import lambda_logger
from headlines.job_queue import JobQueue
from headlines.settings import Settings, get_settings
from headlines.store.base import Store

if TYPE_CHECKING:
    from slack_bolt.adapter.aws_lambda import SlackRequestHandler
    from slack_sdk import WebClient

logger = lambda_logger("headlines-slack")
metrics = Metrics(namespace="Headlines", service="slack")


def _response(status: int, body: str = "") -> dict[str, Any]:
    return {"statusCode": status, "body": body, "headers": {"content-type": "text/plain; charset=utf-8"}}


class VerifiedHandler:
    """Bolt's Lambda adapter behind a signature check on the raw bytes; Bolt never parses an unsigned body."""

    def __init__(self, bolt: SlackRequestHandler, signing_secret: str) -> None:
        self.bolt = bolt
        self.signing_secret = signing_secret

    def handle(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        from headlines.slack.verify import is_signed

        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        raw = event.get("body") or ""
        try:
            if event.get("isBase64Encoded"):
                body = base64.b64decode(raw, validate=True)
            else:
                body = str(raw).encode("utf-8", "surrogatepass")
        except (binascii.Error, ValueError):
            return _response(401, "invalid request")
        if not is_signed(self.signing_secret, body, headers):
            return _response(401, "invalid request")
        try:
            return self.bolt.handle(event, context)
        except Exception:  # signed, yet Bolt cannot read it: the sender's fault, not a 500 to retry
            logger.exception("a signed Slack request could not be handled")
            return _response(400, "bad request")


def build_handler(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    client: WebClient | None = None,
    queue: JobQueue | None = None,
) -> VerifiedHandler:
    """Bolt's Lambda adapter around our app, behind the signature check: the composition root of the Slack
    function. Each collaborator not handed in (tests hand in local ones) is built here from `settings`: the
    store, the Slack client and the SQS job queue (`HEADLINES_QUEUE_URL`)."""
    from slack_bolt.adapter.aws_lambda import SlackRequestHandler

    from headlines import container
    from headlines.slack.app import create_app

    settings = settings or get_settings()
    store = store or container.build_store(settings)
    client = client or container.build_slack_client(settings)
    queue = queue or container.build_queue(settings)
    app = create_app(settings, store, client, queue, process_before_response=True)
    assert settings.slack_signing_secret is not None  # create_app refuses to build without it
    return VerifiedHandler(SlackRequestHandler(app), settings.slack_signing_secret.get_secret_value())


@lru_cache(maxsize=1)
def default_handler() -> VerifiedHandler:
    """Built on the first request of a cold start, from the environment; `cache_clear()` in tests.

    In AWS the token and signing secret come from SSM by name (`HEADLINES_SLACK_*_PARAM`, template.yaml).
    """
    from headlines.aws.secrets import with_slack_secrets

    settings = with_slack_secrets(get_settings())
    _built_with[:] = [_secrets_of(settings)]
    return build_handler(settings)


_built_with: list[str] = []


def _secrets_of(settings: Settings) -> str:
    import hashlib

    values = [s.get_secret_value() if s else "" for s in (settings.slack_bot_token, settings.slack_signing_secret)]
    return hashlib.sha256("\0".join(values).encode()).hexdigest()


def _refresh_if_rotated() -> None:
    """A rotated token or signing secret reaches a warm function within the secrets' cache age (5 minutes,
    `headlines.aws.secrets.SECRET_MAX_AGE`): SSM is asked again once the cached value is older, and the app is
    rebuilt when a value changed. Between refreshes a request costs no SSM call."""
    if not default_handler.cache_info().currsize:
        return
    from headlines.aws.secrets import with_slack_secrets

    if _built_with != [_secrets_of(with_slack_secrets(get_settings()))]:
        logger.info("Slack secrets changed in SSM; rebuilding the app")
        default_handler.cache_clear()


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _refresh_if_rotated()
    answer = default_handler().handle(event, context)
    # Slack401 counts refused signatures, Slack5xx what Slack retries (the Api5xxAlarm also sees those).
    status = int(answer.get("statusCode", 0))
    metrics.add_metric(name=f"Slack{status if status < 500 else '5xx'}", unit=MetricUnit.Count, value=1)
    return answer
