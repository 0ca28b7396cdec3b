"""The dispatcher and its use cases against a local Slack: what the user is shown when a job cannot succeed."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from headlines.dispatch import USE_CASES, run_job
from headlines.job_queue import Job, JobKind
from headlines.settings import Settings
from headlines.store.sqlite import SQLiteStore
from headlines.usecases.deps import Deps, JobError
from tests.fakes.slack_api import FakeSlackAPI


def deps(slack: FakeSlackAPI, fetch: Any = None) -> Deps:
    def no_pipeline() -> Any:
        raise AssertionError("these jobs never reach the pipeline")

    return Deps(SQLiteStore(":memory:"), None, no_pipeline, Settings(slack_api_base_url=slack.base_url), fetch=fetch)


def shown(slack: FakeSlackAPI, key: str) -> str:
    [answer] = slack.responses(key)
    return str(answer.get("text"))


def test_every_job_kind_has_a_use_case() -> None:
    assert set(USE_CASES) == set(JobKind.__args__)  # type: ignore[attr-defined]


def test_a_slack_request_no_retry_can_fix_is_answered_not_dead_lettered(slack: FakeSlackAPI) -> None:
    job = Job(kind="digest", response_url=slack.response_url("d1"))  # a digest job that names no channel
    assert run_job(job, deps(slack)) is None
    assert "needs a channel" in shown(slack, "d1")


def test_a_hopeless_job_with_nowhere_to_answer_is_raised(slack: FakeSlackAPI) -> None:
    with pytest.raises(JobError, match="needs an article"):
        run_job(Job(kind="process_article"), deps(slack))


def test_an_unreadable_page_shows_its_reason_and_an_unexpected_failure_only_a_generic_line(
    slack: FakeSlackAPI, caplog: pytest.LogCaptureFixture
) -> None:
    from headlines.fetch import FetchError

    def refused(url: str) -> Any:
        raise FetchError("HTTP 404 Not Found")

    def broken(url: str) -> Any:
        raise KeyError("internal detail: db password=hunter2")

    run_job(Job(kind="summarize", text="https://example.com/a", response_url=slack.response_url("a")), deps(slack, refused))
    assert "HTTP 404 Not Found" in shown(slack, "a")
    with caplog.at_level(logging.ERROR):
        run_job(Job(kind="summarize", text="https://example.com/b", response_url=slack.response_url("b")), deps(slack, broken))
    answer = shown(slack, "b")
    assert "could not read" in answer and "hunter2" not in answer and "KeyError" not in answer
    assert any(r.exc_info and isinstance(r.exc_info[1], KeyError) for r in caplog.records)  # logged with its traceback
