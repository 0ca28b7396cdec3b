"""The fake Slack (tests/fakes/slack_api.py) wired into the app: the settings that point at it, a Web API client
on it, and the Slack Lambda handler with an in-process queue. One copy, so every Slack test builds them alike."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.slack_events import SIGNING_SECRET, command_event, lambda_context

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from headlines.settings import Settings
    from headlines.store.base import Store
    from tests.fakes.slack_api import FakeSlackAPI


def use_fake_slack(monkeypatch: pytest.MonkeyPatch, slack: FakeSlackAPI, **env: str) -> Settings:
    """Point the app at the fake Slack (signing secret, bot token, API base URL) plus `env`; the Settings that result."""
    from headlines.settings import Settings

    for key, value in {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_BOT_TOKEN": "xoxb-test", **env}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SLACK_API_BASE_URL", slack.base_url)
    return Settings()


def fake_slack_client(slack: FakeSlackAPI, *, retries: int = 1, timeout: int = 5) -> WebClient:
    """A Web API client on the fake Slack with the production retry handlers (429, connection errors)."""
    from slack_sdk import WebClient

    from headlines.container import slack_retry_handlers

    return WebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=slack_retry_handlers(retries), timeout=timeout)


class SlackLambda:
    """The Slack Lambda handler as the deployment builds it, with a local queue a test can drain."""

    def __init__(self, settings: Settings, store: Store) -> None:
        from headlines.container import build_slack_client, build_worker_deps
        from headlines.dispatch import run_job
        from headlines.handlers.slack import build_handler
        from headlines.job_queue import InProcessQueue

        client = build_slack_client(settings)
        deps = build_worker_deps(settings, store=store, client=client)
        self.queue = InProcessQueue(lambda job: run_job(job, deps))
        self.handler = build_handler(settings, store=store, client=client, queue=self.queue)

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        return self.handler.handle(event, lambda_context())

    def command(self, text: str, response_url: str = "", **kw: Any) -> dict[str, Any]:
        """Run a slash command through the handler and the queued work it starts; the ack's JSON body."""
        response = self(command_event(text, response_url=response_url, **kw))
        assert response["statusCode"] == 200, response
        self.queue.drain()
        return json.loads(response["body"]) if response["body"] else {}

    def close(self) -> None:
        self.queue.close()
