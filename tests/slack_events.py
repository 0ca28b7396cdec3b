"""Signed Slack requests as API Gateway HTTP API (v2) events, the way Slack and AWS deliver them."""

from __future__ import annotations

import base64
import json
import time
import uuid
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEST"


def lambda_context() -> Any:
    return SimpleNamespace(
        function_name="headlines-slack",
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:headlines-slack",
        aws_request_id="req-1",
        function_version="$LATEST",  # the rest of what Powertools' Logger reads from a Lambda context
        memory_limit_in_mb=512,
        log_group_name="/aws/lambda/headlines-slack",
        log_stream_name="test",
    )


def http_event(
    body: str,
    content_type: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
    headers: dict[str, str] | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """`signature=""` leaves the signature headers out; `timestamp` in the past makes it stale."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) if signature is None else signature
    hdrs = {"content-type": content_type, "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
    if signature != "":
        hdrs |= {"x-slack-request-timestamp": ts, "x-slack-signature": sig}
    hdrs |= headers or {}
    return {
        "version": "2.0",
        "routeKey": "POST /slack/events",
        "rawPath": "/slack/events",
        "rawQueryString": "",
        "headers": hdrs,
        "requestContext": {"http": {"method": "POST", "path": "/slack/events"}, "stage": "$default"},
        "body": base64.b64encode(body.encode()).decode() if base64_body else body,
        "isBase64Encoded": base64_body,
    }


def command_body(text: str, *, channel: str = "C0NEWS", user: str = "U0ALICE", response_url: str = "") -> str:
    """Like Slack, every invocation carries its own `trigger_id` (a replay carries the same one)."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "news",
            "user_id": user,
            "user_name": "alice",
            "command": "/headlines",
            "text": text,
            "api_app_id": "A0HEADLINES",
            "response_url": response_url,
            "trigger_id": f"1.2.{uuid.uuid4().hex}",
        }
    )


def command_event(text: str, **kwargs: Any) -> dict[str, Any]:
    event_kwargs = {k: kwargs.pop(k) for k in ("secret", "timestamp", "signature", "headers", "base64_body") if k in kwargs}
    return http_event(command_body(text, **kwargs), "application/x-www-form-urlencoded", **event_kwargs)


def events_api_event(event: dict[str, Any], *, event_id: str = "Ev0001", **kwargs: Any) -> dict[str, Any]:
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0HEADLINES",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": "UHEADLINES", "is_bot": True}],
        }
    )
    return http_event(body, "application/json", **kwargs)
