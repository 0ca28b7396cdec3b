"""Recognising the Lambda event shapes Headlines is wired to, so a wrong trigger fails loudly."""

from __future__ import annotations

from typing import Any, Literal

from headlines.errors import ConfigurationError

EventKind = Literal["s3", "http", "sqs", "schedule"]


class UnknownEventError(ConfigurationError):
    """The handler got an event it is not wired for; check the function's triggers in template.yaml."""


def event_kind(event: Any) -> EventKind:
    """`s3` (S3 notifications), `http` (API Gateway HTTP API v2), `sqs`, or `schedule` (EventBridge)."""
    if isinstance(event, dict):
        records = event.get("Records")
        if isinstance(records, list) and records and isinstance(records[0], dict):
            source = records[0].get("eventSource")
            if source == "aws:s3":
                return "s3"
            if source == "aws:sqs":
                return "sqs"
        if isinstance(event.get("requestContext"), dict) and "http" in event["requestContext"]:
            return "http"
        if event.get("source") == "aws.events" or event.get("detail-type") == "Scheduled Event":
            return "schedule"
    keys = sorted(event)[:8] if isinstance(event, dict) else type(event).__name__
    raise UnknownEventError(
        f"unknown event shape (keys: {keys}); expected an S3 notification, an HTTP API v2 request, "
        "an SQS batch or a scheduled event: check the function's triggers in template.yaml"
    )


def require(event: Any, *kinds: EventKind) -> EventKind:
    """The event's kind, or UnknownEventError when this handler is not wired for it."""
    kind = event_kind(event)
    if kind not in kinds:
        raise UnknownEventError(f"got a {kind} event, but this function handles only {', '.join(kinds)}")
    return kind
