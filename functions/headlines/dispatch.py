"""The job dispatcher: run one queued `Job` by handing it to the use case for its kind (`headlines.usecases`).

Called by the SQS worker Lambda (`handlers/worker.py`) and by the in-process queue of `headlines serve`, with
the `Deps` their entry point built. A Slack request's bad input is answered, not raised; a Slack failure is
raised, so the queue retries and finally dead-letters (`headlines.errors.sqs_retries`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from headlines.errors import BadInputError, NotFoundError, slack_text
from headlines.job_queue import Job, JobKind
from headlines.slack import blocks
from headlines.slack.blocks import escape
from headlines.usecases import digest, find, process, summarize
from headlines.usecases.deps import Deps, JobError
from headlines.usecases.respond import respond

logger = logging.getLogger(__name__)

USE_CASES: dict[JobKind, Callable[[Job, Deps], Any]] = {
    "process_article": process.run,
    "summarize": summarize.run,
    "ask": find.run,
    "latest": find.run,
    "digest": digest.run,
}


def run_job(job: Job, deps: Deps) -> Any:
    """Run one job; returns what its use case produced (a Story, an answer, stories, a Digest or None)."""
    logger.info("job %s: %s", job.id, job.kind)
    use_case = USE_CASES.get(job.kind)
    if use_case is None:
        raise JobError(f"job {job.id}: unknown kind {job.kind!r}")
    try:
        return use_case(job, deps)
    except (BadInputError, NotFoundError) as exc:
        # A Slack request no retry can fix is answered (its text is ours: `slack_text`), not left to the DLQ.
        if job.kind == "process_article" or not (job.response_url or job.channel):
            raise
        respond(job, deps, blocks.text_message(escape(slack_text(exc, logger))))
        return None


__all__ = ["USE_CASES", "Deps", "JobError", "run_job"]
