"""The SQS job queue: the AWS side of `headlines.jobs.JobQueue`."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from headlines.aws.clients import AwsError, client
from headlines.jobs import Job

MAX_MESSAGE_BYTES = 256 * 1024
"""SQS's limit for one message body."""


class MessageTooLargeError(AwsError):
    """The job does not fit in one SQS message."""


class _SqsUser:
    """Builds the SQS client on first use (or uses the one handed in), so importing costs nothing."""

    _sqs: Any | None

    @property
    def sqs(self) -> Any:
        if self._sqs is None:
            self._sqs = client("sqs")
        return self._sqs


class SqsQueue(_SqsUser):
    """Sends each `Job` as one JSON message; the worker Lambda consumes them in small batches."""

    def __init__(self, queue_url: str, *, sqs: Any | None = None) -> None:
        self.queue_url = queue_url
        self._sqs = sqs

    def enqueue(self, job: Job) -> None:
        body = job.model_dump_json(exclude_none=True)
        if len(body.encode()) > MAX_MESSAGE_BYTES:
            raise MessageTooLargeError(
                f"job {job.id} is {len(body.encode())} bytes, over SQS's {MAX_MESSAGE_BYTES}-byte limit; "
                "upload the article to the bucket's incoming/ prefix instead"
            )
        try:
            self.sqs.send_message(
                QueueUrl=self.queue_url,
                MessageBody=body,
                MessageAttributes={"kind": {"DataType": "String", "StringValue": job.kind}},
            )
        except (ClientError, BotoCoreError) as exc:
            raise AwsError(f"cannot queue job {job.id} on {self.queue_url}: {exc}") from exc


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
