"""Slack Lambda (API Gateway HTTP API v2): verify, acknowledge within 3 s, queue the slow work.

The app is built once per cold start; Bolt's Lambda adapter turns the event into a request and the
answer back. No model, no URL fetch here: see `headlines.slack.app`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from headlines.jobs import JobQueue
from headlines.settings import Settings, get_settings
from headlines.store.base import Store

if TYPE_CHECKING:
    from slack_bolt.adapter.aws_lambda import SlackRequestHandler
    from slack_sdk import WebClient


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

    return build_handler(with_slack_secrets(get_settings()))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return default_handler().handle(event, context)
