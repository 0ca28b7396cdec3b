"""The SQS job queue: the AWS side of `headlines.job_queue.JobQueue`.

A job over SQS's 256 KB (an article up to the documented 5 MB) travels by claim check: the whole job
is written to `s3://HEADLINES_BUCKET/jobs/<id-hash>.json` and the message carries only its reference
(`Job.payload_ref`); `headlines.aws.sqs_messages.parse_job` reads it back.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from headlines.aws.clients import AwsError, client
from headlines.job_queue import Job

MAX_MESSAGE_BYTES = 256 * 1024
"""SQS's limit for one message body."""

JOBS_PREFIX = "jobs/"
"""Where claim-checked jobs are kept in the articles bucket (template.yaml expires them)."""


class MessageTooLargeError(AwsError):
    """The job does not fit in one SQS message and no bucket is configured to carry it."""


class _SqsUser:
    """Builds the SQS client on first use (or uses the one handed in), so importing costs nothing."""

    _sqs: Any | None

    @property
    def sqs(self) -> Any:
        if self._sqs is None:
            self._sqs = client("sqs")
        return self._sqs


def claim_check_key(job: Job) -> str:
    """One object per job id and content: a re-queued job overwrites its own object, never another's."""
    digest = hashlib.sha256(job.id.encode()).hexdigest()[:32]
    return f"{JOBS_PREFIX}{digest}.json"


class SqsQueue(_SqsUser):
    """Sends each `Job` as one JSON message; the worker Lambda consumes them in small batches.

    `bucket` (HEADLINES_BUCKET) carries jobs over the message limit as S3 references (claim check)."""

    def __init__(self, queue_url: str, *, sqs: Any | None = None, bucket: str | None = None, s3: Any | None = None) -> None:
        self.queue_url = queue_url
        self._sqs = sqs
        self.bucket = bucket
        self._s3 = s3

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = client("s3")
        return self._s3

    def enqueue(self, job: Job, *, delay_seconds: int = 0) -> None:
        body = job.model_dump_json(exclude_none=True)
        if len(body.encode()) > MAX_MESSAGE_BYTES:
            body = self._claim_check(job, body)
        kwargs: dict[str, Any] = {"DelaySeconds": delay_seconds} if delay_seconds else {}
        try:
            self.sqs.send_message(
                QueueUrl=self.queue_url,
                MessageBody=body,
                MessageAttributes={"kind": {"DataType": "String", "StringValue": job.kind}},
                **kwargs,
            )
        except (ClientError, BotoCoreError) as exc:
            raise AwsError(f"cannot queue job {job.id} on {self.queue_url}: {exc}") from exc

    def _claim_check(self, job: Job, body: str) -> str:
        size = len(body.encode())
        if not self.bucket:
            raise MessageTooLargeError(
                f"job {job.id} is {size} bytes, over SQS's {MAX_MESSAGE_BYTES}-byte limit, and no bucket is set to "
                "carry it: set HEADLINES_BUCKET (the articles bucket) so large jobs travel as S3 references"
            )
        key = claim_check_key(job)
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body.encode(), ContentType="application/json")
        except (ClientError, BotoCoreError) as exc:
            raise AwsError(f"cannot store the {size}-byte job {job.id} at s3://{self.bucket}/{key}: {exc}") from exc
        ref = Job(
            kind=job.kind, id=job.id, created_at=job.created_at, deferrals=job.deferrals, payload_ref=f"s3://{self.bucket}/{key}"
        )
        return ref.model_dump_json(exclude_none=True)


class DeadLetters(_SqsUser):
    """Parks a job that failed its last allowed attempt on the dead-letter queue, with the reason attached.

    SQS's own redrive (template.yaml: maxReceiveCount) still catches what the worker cannot handle
    (crash, timeout); this adds the why for failures the worker sees.
    """

    def __init__(self, queue_url: str, max_receives: int, *, sqs: Any | None = None) -> None:
        self.queue_url = queue_url
        self.max_receives = max_receives
        self._sqs = sqs

    def is_last_attempt(self, receive_count: int) -> bool:
        return receive_count >= self.max_receives

    def park(self, body: str, *, reason: str, error: str, message_id: str, receive_count: int) -> None:
        attributes = {
            "error": {"DataType": "String", "StringValue": error[:256] or "Exception"},
            "reason": {"DataType": "String", "StringValue": reason[:4096] or "(no message)"},
            "source_message_id": {"DataType": "String", "StringValue": message_id},
            "receive_count": {"DataType": "Number", "StringValue": str(receive_count)},
        }
        try:
            self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body, MessageAttributes=attributes)
        except (ClientError, BotoCoreError) as exc:
            raise AwsError(f"cannot park message {message_id} on the dead-letter queue {self.queue_url}: {exc}") from exc
