"""Handing a job back to its queue instead of waiting: `RetryLater`, and the time budget of the current job.

A Lambda that sleeps on Slack's `Retry-After: 300` past its own timeout is killed mid-job; a job that
waits for another worker's lease or for an edit window burns paid time. Instead the code raises
`RetryLater(delay)`; the SQS worker re-queues the job with that delay (`headlines.aws.sqs_batch`).
Where nothing can re-queue (the CLI, the in-process queue of `headlines serve`) `deferrable()` is False
and callers wait or fail as before.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from headlines.errors import UpstreamTransientError

MAX_DELAY_SECONDS = 900
"""SQS's longest message delay; a longer wait is re-queued again when it comes back."""


class RetryLater(UpstreamTransientError):
    """Run this job again in `delay_seconds` (rate limit, a live lease held by another worker, an edit window)."""

    def __init__(self, delay_seconds: float, reason: str) -> None:
        self.delay_seconds = max(1, min(MAX_DELAY_SECONDS, int(delay_seconds + 0.999)))
        self.reason = reason
        super().__init__(f"{reason}; retry in {self.delay_seconds} s")


@dataclass(frozen=True)
class _Budget:
    deadline: float | None  # time.monotonic() at which the process is killed
    deferrable: bool


_NO_BUDGET = _Budget(None, False)
_budget: ContextVar[_Budget | None] = ContextVar("headlines_job_budget", default=None)


@contextmanager
def job_budget(remaining_seconds: float | None, *, deferrable: bool) -> Iterator[None]:
    """Inside: `remaining_seconds()` counts down from `remaining_seconds`; `deferrable()` says a
    `RetryLater` will be honoured (the worker re-queues) rather than fail the job."""
    deadline = None if remaining_seconds is None else time.monotonic() + remaining_seconds
    token = _budget.set(_Budget(deadline, deferrable))
    try:
        yield
    finally:
        _budget.reset(token)


def remaining_seconds() -> float | None:
    """Seconds left before the process is killed (None: no limit known)."""
    deadline = (_budget.get() or _NO_BUDGET).deadline
    return None if deadline is None else deadline - time.monotonic()


def deferrable() -> bool:
    return (_budget.get() or _NO_BUDGET).deferrable
