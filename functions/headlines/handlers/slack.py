"""Slack Lambda (API Gateway HTTP API v2): verify, acknowledge within 3 s, queue the slow work.

The app is built once per cold start; Bolt's Lambda adapter turns the event into a request and the
answer back. No model, no URL fetch here: see `headlines.slack.app`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit

from headlines.aws.observability import lambda_logger
from headlines.jobs import JobQueue
from headlines.settings import Settings, get_settings
from headlines.store.base import Store

if TYPE_CHECKING:
    from slack_bolt.adapter.aws_lambda import SlackRequestHandler
    from slack_sdk import WebClient

logger = lambda_logger("headlines-slack")
metrics = Metrics(namespace="Headlines", service="slack")


def build_handler(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    client: WebClient | None = None,
    queue: JobQueue | None = None,
) -> SlackRequestHandler:
    """Bolt's Lambda adapter around our app; every collaborator may be handed in (tests)."""
    from slack_bolt.adapter.aws_lambda import SlackRequestHandler

    from headlines.container import build_store
    from headlines.slack.app import create_app

    settings = settings or get_settings()
    app = create_app(settings, store or build_store(settings), client, queue, process_before_response=True)
    return SlackRequestHandler(app)


@lru_cache(maxsize=1)
def default_handler() -> SlackRequestHandler:
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
