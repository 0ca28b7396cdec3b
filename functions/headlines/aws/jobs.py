"""Reading a `Job` back out of an SQS message body, with an error that names the problem."""

from __future__ import annotations

from pydantic import ValidationError

from headlines.jobs import Job
from headlines.models import describe_validation_error


class JobFormatError(Exception):
    """A queued message is not a Job (poison message); it fails, is retried, and ends in the DLQ."""


def parse_job(body: str) -> Job:
    try:
        return Job.model_validate_json(body)
    except ValidationError as exc:
        raise JobFormatError(f"message is not a job: {describe_validation_error(exc)}") from exc
