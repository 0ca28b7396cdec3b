"""Objects dropped under `incoming/` become queued jobs; objects that are not articles move to `rejected/`.

Nothing is dropped silently: a refused object is copied to `rejected/<name>` with its reason in the
object's metadata (`x-amz-meta-reason`) and in the log, and only then deleted from `incoming/`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from headlines.article_json import MAX_INGEST_BYTES, IngestError, parse_article
from headlines.aws.clients import AwsError, client
from headlines.aws.sqs import MessageTooLargeError
from headlines.job_queue import Job, JobQueue

logger = logging.getLogger(__name__)

INCOMING = "incoming/"
REJECTED = "rejected/"


@dataclass(frozen=True)
class IngestOutcome:
    """What became of one object: queued as `job_id`, or rejected to `rejected_key` for `reason`."""

    bucket: str
    key: str
    status: Literal["queued", "rejected", "ignored"]
    job_id: str | None = None
    rejected_key: str | None = None
    reason: str | None = None


def rejected_key(key: str) -> str:
    """`incoming/a/b.json` -> `rejected/a/b.json`."""
    return REJECTED + key.removeprefix(INCOMING)


class S3ArticleIngest:
    """Reads one object, validates it as an article and queues a `process_article` job for the worker."""

    def __init__(self, queue: JobQueue, *, s3: Any | None = None, max_bytes: int = MAX_INGEST_BYTES) -> None:
        self.queue = queue
        self._s3 = s3
        self.max_bytes = max_bytes

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = client("s3")
        return self._s3

    def ingest(self, bucket: str, key: str) -> IngestOutcome:
        if not key.startswith(INCOMING):
            # Only incoming/ is ingested; anything else (rejected/ above all) would loop or surprise.
            logger.warning("ignored s3://%s/%s: only keys under %s are ingested; check the bucket trigger", bucket, key, INCOMING)
            return IngestOutcome(bucket, key, "ignored", reason=f"not under {INCOMING}")
        try:
            head = self.s3.head_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            raise AwsError(f"cannot read s3://{bucket}/{key}: {exc}; was it deleted before ingest ran?") from exc
        size = int(head.get("ContentLength", 0))
        etag = str(head.get("ETag", "")).strip('"')
        try:
            if size > self.max_bytes:
                raise IngestError(f"too large: {size} bytes, the limit is {self.max_bytes} bytes")
            body = self.s3.get_object(Bucket=bucket, Key=key, IfMatch=head.get("ETag", "*"))["Body"].read()
            article = parse_article(body, name=key, content_type=str(head.get("ContentType", "")), max_bytes=self.max_bytes)
            job = Job(kind="process_article", id=f"s3:{bucket}/{key}@{etag}", article=article)
            self.queue.enqueue(job)
        except IngestError as exc:
            return self.reject(bucket, key, str(exc))
        except MessageTooLargeError as exc:
            return self.reject(bucket, key, str(exc))
        except (ClientError, BotoCoreError) as exc:
            raise AwsError(f"cannot read s3://{bucket}/{key}: {exc}") from exc
        logger.info("queued s3://%s/%s as job %s", bucket, key, job.id)
        return IngestOutcome(bucket, key, "queued", job_id=job.id)

    def reject(self, bucket: str, key: str, reason: str) -> IngestOutcome:
        """Move the object under `rejected/`, its reason in metadata; then delete the original."""
        target = rejected_key(key)
        logger.warning("rejected s3://%s/%s -> %s: %s", bucket, key, target, reason)
        ascii_reason = reason.encode("ascii", "replace").decode()[:1024]
        try:
            self.s3.copy_object(
                Bucket=bucket,
                Key=target,
                CopySource={"Bucket": bucket, "Key": key},
                Metadata={"reason": ascii_reason, "source-key": key.encode("ascii", "replace").decode()[:1024]},
                MetadataDirective="REPLACE",
            )
            self.s3.delete_object(Bucket=bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise AwsError(f"cannot move s3://{bucket}/{key} to {target}: {exc}; check the function's S3 policy") from exc
        return IngestOutcome(bucket, key, "rejected", rejected_key=target, reason=reason)
