"""What can go wrong, by what an edge must decide about it, and the one mapper per edge.

Every error Headlines raises on purpose subclasses one node of this tree; its message is written for the
person who reads it (what failed, what to change) and is safe to show. The nodes are chosen by what the
edges decide, not by where an error comes from:

==================== ======== ============================= ===================== ==========
node                 HTTP     Slack                         SQS job               CLI (exit)
==================== ======== ============================= ===================== ==========
BadInputError        400      the message (user can fix it) dead-letter at once   2
NotFoundError        404      the message                   dead-letter at once   1
ConfigurationError   503 msg  generic (operator must fix)   retry, then DLQ       2
UpstreamTransient... 503      generic, "try again"          retry, then DLQ       1
UpstreamPermanent... 502      the message                   dead-letter at once   1
anything else        500      generic, logged w/ traceback  retry, then DLQ       1, logged
==================== ======== ============================= ===================== ==========

An unexpected exception (not a `HeadlinesError`) is a bug or an unknown failure: each mapper logs it with its
traceback and answers with a generic message, never the raw text (which may hold internals). The mappers are
`http_answer`, `slack_text`, `sqs_retries` and `cli_exit`; each edge calls its own, in one place
(`aws/webhook.py`, `slack/app.py` and `usecases/summarize.py`, `aws/sqs_batch.py`, `cli/app.py`).
"""

from __future__ import annotations

import logging
from typing import Any

_log = logging.getLogger(__name__)

GENERIC_SLACK = "Headlines could not take that request just now; please try again in a minute."
GENERIC_HTTP = "internal error; see the function's log"


class HeadlinesError(Exception):
    """Base of every error Headlines raises on purpose; its message is safe to show to whoever asked."""


class BadInputError(HeadlinesError):
    """What was sent cannot be used as it is (a bad command, article, file or job); the message says what to change."""


class NotFoundError(HeadlinesError):
    """What was asked for does not exist (a story, a page, a file)."""


class ConfigurationError(HeadlinesError):
    """A setting, secret, model or data file is missing or wrong; the message names what to set or install."""


class UpstreamTransientError(HeadlinesError):
    """A service we depend on (AWS, Slack, a store) failed in a way a later retry may fix."""


class UpstreamPermanentError(HeadlinesError):
    """A service or page we depend on refused for good (a retry would fail the same way)."""


def _log_unexpected(exc: BaseException, logger: logging.Logger | Any | None, where: str) -> None:
    (logger or _log).error("unexpected %s in %s", type(exc).__name__, where, exc_info=exc)


# ---- HTTP (API Gateway answers) -------------------------------------------------------------------------------

_HTTP_STATUS: list[tuple[type[HeadlinesError], int]] = [
    (BadInputError, 400),
    (NotFoundError, 404),
    (ConfigurationError, 503),
    (UpstreamTransientError, 503),
    (UpstreamPermanentError, 502),
]


def http_answer(exc: BaseException, logger: logging.Logger | Any | None = None) -> tuple[int, dict[str, Any]]:
    """(status, JSON payload) for an error that ends an HTTP request; `fields` (an `IngestError`'s) are kept."""
    if isinstance(exc, HeadlinesError):
        for kind, status in _HTTP_STATUS:
            if isinstance(exc, kind):
                payload: dict[str, Any] = {"error": str(exc)}
                if status >= 500:
                    (logger or _log).error("answered %d: %s", status, exc, exc_info=exc)
                if isinstance(exc, UpstreamTransientError):
                    # A failing service's message names our resources: the caller learns to retry, the log has it.
                    payload = {"error": "a service Headlines depends on failed; try again later"}
                fields = getattr(exc, "fields", None)
                if isinstance(fields, dict):
                    payload["fields"] = fields
                return status, payload
    _log_unexpected(exc, logger, "an HTTP request")
    return 500, {"error": GENERIC_HTTP}


# ---- Slack (what the user sees) -------------------------------------------------------------------------------


def slack_text(exc: BaseException, logger: logging.Logger | Any | None = None) -> str:
    """The text a Slack user sees for an error: our message when it is theirs to act on, else a generic one."""
    if isinstance(exc, BadInputError | NotFoundError | UpstreamPermanentError):
        return str(exc)
    if isinstance(exc, HeadlinesError):
        (logger or _log).warning("answered Slack with the generic message: %s: %s", type(exc).__name__, exc)
        return GENERIC_SLACK
    _log_unexpected(exc, logger, "a Slack request")
    return GENERIC_SLACK


# ---- SQS (retry or dead-letter) -------------------------------------------------------------------------------


def sqs_retries(exc: BaseException, logger: logging.Logger | Any | None = None) -> bool:
    """Whether a failed job is worth another attempt (else it goes to the dead-letter queue at once).

    Only errors that say so are final (bad input, not found, a permanent refusal): an unexpected error may be a
    passing fault, so it is retried (and logged with its traceback), and ends in the dead-letter queue after the
    last attempt like any other."""
    if isinstance(exc, BadInputError | NotFoundError | UpstreamPermanentError):
        (logger or _log).warning("job failed for good (%s): %s", type(exc).__name__, exc)
        return False
    if isinstance(exc, HeadlinesError):
        (logger or _log).warning("job failed, will be retried (%s): %s", type(exc).__name__, exc)
        return True
    _log_unexpected(exc, logger, "a queued job")
    return True


# ---- CLI (one error line and an exit status) ------------------------------------------------------------------


def cli_exit(exc: BaseException, logger: logging.Logger | Any | None = None) -> tuple[str, int]:
    """(the line to print on stderr, the exit status): 2 when the user must change what they typed or set, else 1."""
    if isinstance(exc, BadInputError | ConfigurationError):
        return f"error: {exc}", 2
    if isinstance(exc, HeadlinesError):
        return f"error: {exc}", 1
    _log_unexpected(exc, logger, "the command")
    return f"error: unexpected {type(exc).__name__}; the traceback is above (please report it)", 1


__all__ = [
    "BadInputError",
    "ConfigurationError",
    "HeadlinesError",
    "NotFoundError",
    "UpstreamPermanentError",
    "UpstreamTransientError",
    "cli_exit",
    "http_answer",
    "slack_text",
    "sqs_retries",
]
