"""One mapper per edge (HTTP, Slack, SQS, CLI), table-driven over the error tree and an unexpected exception."""

from __future__ import annotations

import logging

import pytest

from headlines.article_json import IngestError
from headlines.aws.clients import AwsError
from headlines.aws.sqs_messages import JobFormatError
from headlines.deferral import RetryLater
from headlines.delivery.slack import SlackDeliveryError
from headlines.encoder import ModelError
from headlines.errors import (
    GENERIC_HTTP,
    GENERIC_SLACK,
    BadInputError,
    ConfigurationError,
    HeadlinesError,
    NotFoundError,
    UpstreamPermanentError,
    UpstreamTransientError,
    cli_exit,
    http_answer,
    slack_text,
    sqs_retries,
)
from headlines.fetch import BlockedAddressError, FetchError
from headlines.settings import SlackConfigError
from headlines.slack.commands import CommandError

SECRET = "db password=hunter2 at 10.0.0.7"  # what an unexpected error may carry; never shown

# error, HTTP status, Slack shows the message?, SQS retries?, CLI exit status
CASES = [
    (BadInputError("the body is not JSON"), 400, True, False, 2),
    (IngestError("bad article", {"body": "required"}), 400, True, False, 2),
    (CommandError("Add what to ask"), 400, True, False, 2),
    (JobFormatError("message is not a job"), 400, True, False, 2),
    (NotFoundError("no story s-1"), 404, True, False, 1),
    (ConfigurationError("set HEADLINES_QUEUE_URL"), 503, False, True, 2),
    (SlackConfigError("set SLACK_BOT_TOKEN"), 503, False, True, 2),
    (ModelError("no model at /m"), 503, False, True, 2),
    (UpstreamTransientError("DynamoDB throttled"), 503, False, True, 1),
    (AwsError("cannot read s3://b/k"), 503, False, True, 1),
    (SlackDeliveryError("Slack said ratelimited"), 503, False, True, 1),
    (RetryLater(5, "lease held"), 503, False, True, 1),
    (UpstreamPermanentError("Slack said channel_not_found"), 502, True, False, 1),
    (FetchError("HTTP 404 for https://example.com/a"), 502, True, False, 1),
    (BlockedAddressError("169.254.169.254 is link-local"), 400, True, False, 2),  # the user's URL, not the page
]


@pytest.mark.parametrize(("exc", "status", "shown", "retried", "exit_code"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_each_edge_maps_each_node(exc: HeadlinesError, status: int, shown: bool, retried: bool, exit_code: int) -> None:
    got_status, payload = http_answer(exc)
    assert got_status == status
    assert (payload["error"] == str(exc)) == (not isinstance(exc, UpstreamTransientError))  # services' text stays in the log
    assert slack_text(exc) == (str(exc) if shown else GENERIC_SLACK)
    assert sqs_retries(exc) is retried
    assert cli_exit(exc) == (f"error: {exc}", exit_code)


def test_http_keeps_the_fields_that_name_each_bad_input() -> None:
    assert http_answer(IngestError("bad article", {"body": "required"})) == (
        400,
        {"error": "bad article", "fields": {"body": "required"}},
    )


def test_every_existing_error_class_is_in_the_tree() -> None:
    import importlib
    import inspect
    import pkgutil

    import headlines

    outside = []
    for info in pkgutil.walk_packages(headlines.__path__, "headlines."):
        if info.name.startswith(("headlines.handlers", "headlines.cli.serve")):
            continue  # importing a handler builds nothing, but needs Powertools' env; its errors live elsewhere
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra (spaCy, torch) not installed here
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            ours = cls.__module__ == info.name and issubclass(cls, Exception) and not name.startswith("_")
            if ours and not issubclass(cls, HeadlinesError):
                outside.append(f"{info.name}.{name}")
    assert outside == []


@pytest.mark.parametrize("edge", ["http", "slack", "sqs", "cli"])
def test_an_unexpected_exception_is_logged_with_its_traceback_and_never_shown(
    edge: str, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise KeyError(SECRET)
    except KeyError as exc:
        error = exc
    logger = logging.getLogger(f"test.{edge}")
    with caplog.at_level(logging.ERROR, logger=logger.name):
        if edge == "http":
            status, payload = http_answer(error, logger)
            assert (status, payload) == (500, {"error": GENERIC_HTTP})
        elif edge == "slack":
            assert slack_text(error, logger) == GENERIC_SLACK
        elif edge == "sqs":
            assert sqs_retries(error, logger) is True  # may be a passing fault: retried, then dead-lettered
        else:
            line, code = cli_exit(error, logger)
            assert code == 1 and "KeyError" in line and "hunter2" not in line
    [record] = [r for r in caplog.records if r.name == logger.name]
    assert record.exc_info is not None and record.exc_info[1] is error  # the traceback is in the log
    shown = {"http": str(http_answer(error)), "slack": slack_text(error), "cli": cli_exit(error)[0]}
    assert not any("hunter2" in text for text in shown.values())
