"""`process_article`: one article through the pipeline (summary, country tags, store, delivery to channels)."""

from __future__ import annotations

from headlines.job_queue import Job
from headlines.models import Story
from headlines.usecases.deps import Deps, JobError


def run(job: Job, deps: Deps) -> Story:
    if job.article is None:
        raise JobError(f"job {job.id}: process_article needs an article")
    return deps.pipeline.process(job.article)
