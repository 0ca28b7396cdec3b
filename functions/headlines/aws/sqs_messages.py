"""Reading a `Job` back out of an SQS message body, with an error that names the problem.

A claim-checked job (`payload_ref`, see `headlines.aws.sqs`) is read back from S3 here.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from headlines.errors import BadInputError
from headlines.job_queue import Job
from headlines.models import describe_validation_error
from headlines.settings import split_s3_url


class JobFormatError(BadInputError):
    """A queued message is not a Job (poison message); it fails, is retried, and ends in the DLQ."""


def parse_job(body: str, *, s3: Any | None = None) -> Job:
    try:
        job = Job.model_validate_json(body)
    except ValidationError as exc:
        raise JobFormatError(f"message is not a job: {describe_validation_error(exc)}") from exc
    if job.payload_ref is None:
        return job
    return _checked_out(job, s3)


def _checked_out(ref: Job, s3: Any | None) -> Job:
    from botocore.exceptions import BotoCoreError, ClientError

    from headlines.aws.clients import AwsError, client

    try:
        location = split_s3_url(ref.payload_ref or "")
    except ValueError as exc:
        raise JobFormatError(f"job {ref.id}: bad payload_ref: {exc}") from exc
    if location is None:
        raise JobFormatError(f"job {ref.id}: payload_ref {ref.payload_ref!r} is not an s3:// URL")
    bucket, key = location
    try:
        data = (s3 or client("s3")).get_object(Bucket=bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as exc:  # transient or a missing object: retried, then dead-lettered
        raise AwsError(f"job {ref.id}: cannot read its payload s3://{bucket}/{key}: {exc}") from exc
    try:
        job = Job.model_validate_json(data)
    except ValidationError as exc:
        raise JobFormatError(f"job {ref.id}: s3://{bucket}/{key} is not a job: {describe_validation_error(exc)}") from exc
    if job.id != ref.id:
        raise JobFormatError(f"job {ref.id}: s3://{bucket}/{key} holds job {job.id}")
    return job.model_copy(update={"deferrals": ref.deferrals})
