"""Slack client retries that never double a post and never sleep past the Lambda's remaining time.

- `chat.postMessage` is not idempotent: after a dropped connection or a 5xx Slack may have posted.
  Those are not retried here; `headlines.delivery.slack` looks for its own message in the channel's
  history first (the post ledger). Every other call (reads, `chat.update`) is retried as before.
- A 429's `Retry-After` is slept on only when it fits in the time left (`headlines.deferral`); where
  the job can be handed back to the queue, a long wait is not slept on at all: the 429 surfaces and
  the job is re-queued with that delay.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest

from headlines.deferral import deferrable, remaining_seconds

NON_IDEMPOTENT = ("chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "files.upload")
LONGEST_SLEEP_WHEN_DEFERRABLE = 20
"""Seconds of Retry-After worth sleeping inside a Lambda rather than re-queueing."""
MARGIN_SECONDS = 5


def is_non_idempotent(request: HttpRequest) -> bool:
    path = request.url.split("?", 1)[0]
    return path.rsplit("/", 1)[-1] in NON_IDEMPOTENT


def retry_after(headers: dict[str, Any]) -> int:
    """Slack's `Retry-After` in seconds (1 when absent or unreadable)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) and value else value
            try:
                return max(0, int(str(raw).strip()))
            except ValueError:
                return 1
    return 1


class IdempotentConnectionErrorRetryHandler(ConnectionErrorRetryHandler):
    def _can_retry(self, *, state: Any, request: HttpRequest, response: Any = None, error: Any = None) -> bool:
        return not is_non_idempotent(request) and super()._can_retry(state=state, request=request, response=response, error=error)


class IdempotentServerErrorRetryHandler(ServerErrorRetryHandler):
    def _can_retry(self, *, state: Any, request: HttpRequest, response: Any = None, error: Any = None) -> bool:
        return not is_non_idempotent(request) and super()._can_retry(state=state, request=request, response=response, error=error)


class BudgetedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    def _can_retry(self, *, state: Any, request: HttpRequest, response: Any = None, error: Any = None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        wait = retry_after(response.headers)
        if deferrable() and wait > LONGEST_SLEEP_WHEN_DEFERRABLE:
            return False
        left = remaining_seconds()
        return left is None or wait + MARGIN_SECONDS < left


def retry_handlers(max_retries: int) -> list[Any]:
    return [
        IdempotentConnectionErrorRetryHandler(max_retry_count=max_retries),
        BudgetedRateLimitRetryHandler(max_retry_count=max_retries),
        IdempotentServerErrorRetryHandler(max_retry_count=max_retries),
    ]
