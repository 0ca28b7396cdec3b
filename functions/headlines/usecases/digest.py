"""`digest`: compose a channel's digest of the stories it has not had yet and post it; its stories are
claimed while composing and released when the post fails, so the retry carries the same ones."""

from __future__ import annotations

from typing import Any

from headlines.job_queue import Job
from headlines.slack import blocks
from headlines.usecases.deps import Deps, JobError
from headlines.usecases.respond import respond


def run(job: Job, deps: Deps) -> Any:
    from headlines.slack.digest import compose, release

    if not job.channel:
        raise JobError(f"job {job.id}: a digest job needs a channel")
    schedule = deps.store.get_digest(job.channel)
    digest = compose(deps.store, job.channel, schedule=schedule)
    if digest is None:
        if job.response_url:
            respond(job, deps, blocks.text_message("No new stories for this channel since its last digest."))
        return None
    try:
        from headlines.delivery.slack import post

        post(deps.slack(), job.channel, digest.message.post_args())
    except Exception:
        release(deps.store, job.channel, digest.included)  # the next attempt includes them again
        raise
    return digest
