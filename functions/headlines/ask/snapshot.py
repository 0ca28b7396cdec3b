"""Index snapshots: the in-process search index saved whole, so a cold process loads it instead of rebuilding.

Building the index reads every stored story and tokenizes its text (11 s for 50,000 stories on a 2-core
machine, plus reading them from DynamoDB on AWS). A snapshot is that index as flat arrays in one `.npz`
file, kept on disk or in S3 (`HEADLINES_INDEX_SNAPSHOT`: a path or `s3://bucket/key`). A cold process loads
it, then catches up from the store with only what was written after it (the same `seq` cursor a warm index
uses), so a snapshot is never wrong, only old; one over a day old is rebuilt from the store instead, so
stories the store has since expired or deleted drop out. One made by other code (another tokenizer, model or BM25
setting) is ignored and the index is built from the store, as it is when the file is missing or damaged.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import time
import zipfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from headlines.ask.index import LEAD_UNITS
from headlines.ask.lexical import fingerprint
from headlines.errors import UpstreamTransientError
from headlines.settings import split_s3_url

if TYPE_CHECKING:
    from headlines.ask.index import ArchiveIndex

log = logging.getLogger(__name__)

FORMAT = 1

MAX_AGE = 24 * 3600.0
"""Seconds after which a snapshot is not loaded but rebuilt from the store (and saved again)."""


class SnapshotError(UpstreamTransientError):
    """A snapshot could not be written (reading problems are logged and the index is built instead)."""


class SnapshotLocation(ABC):
    """Where a snapshot's bytes live."""

    @abstractmethod
    def read(self) -> bytes | None:
        """The snapshot's bytes, or None when there is none yet."""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Replace the snapshot (readers see the old one or the new one, never a mix)."""


class FileSnapshot(SnapshotLocation):
    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"FileSnapshot({str(self.path)!r})"

    def read(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def write(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.path)  # atomic: a concurrent reader gets the old file or the new one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class S3Snapshot(SnapshotLocation):
    def __init__(self, bucket: str, key: str, *, s3: Any | None = None) -> None:
        self.bucket, self.key = bucket, key
        self._s3 = s3

    def __repr__(self) -> str:
        return f"S3Snapshot('s3://{self.bucket}/{self.key}')"

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            from headlines.aws.clients import client

            self._s3 = client("s3")
        return self._s3

    def read(self) -> bytes | None:
        from headlines.aws.clients import error_code

        try:
            return self.s3.get_object(Bucket=self.bucket, Key=self.key)["Body"].read()
        except Exception as exc:
            if error_code(exc) in ("NoSuchKey", "404"):
                return None
            raise

    def write(self, data: bytes) -> None:
        from headlines.aws.clients import error_code

        try:
            self.s3.put_object(Bucket=self.bucket, Key=self.key, Body=data, ContentType="application/octet-stream")
        except Exception as exc:
            raise SnapshotError(
                f"cannot write s3://{self.bucket}/{self.key} ({error_code(exc) or exc}); "
                "check the bucket and the s3:PutObject permission"
            ) from exc


def location(value: str) -> SnapshotLocation:
    """`HEADLINES_INDEX_SNAPSHOT`: `s3://bucket/key` or a file path."""
    s3 = split_s3_url(value)
    return S3Snapshot(*s3) if s3 else FileSnapshot(Path(value).expanduser())


def header(index: ArchiveIndex) -> dict[str, Any]:
    """What must match for a snapshot to be reused: the store it was built from and the code that built it."""
    return {
        "format": FORMAT,
        "store": index.embeddings.identity(),
        "model": index.model,
        "tokenizer": fingerprint(),
        "bm25": [index.bm25.k1, index.bm25.b],
        "lead_units": LEAD_UNITS,
    }


def save(index: ArchiveIndex, where: SnapshotLocation) -> int:
    """Write the index to `where`; returns the snapshot's size in bytes."""
    arrays: dict[str, Any] = index.export()  # Any: np.savez types its own keyword (allow_pickle) as bool
    buffer = io.BytesIO()
    meta = {"code": header(index), "created": time.time(), "stories": len(index)}
    blob = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(buffer, header=blob, **arrays)
    data = buffer.getvalue()
    where.write(data)
    return len(data)


def load(index: ArchiveIndex, where: SnapshotLocation, *, max_age: float = MAX_AGE) -> bool:
    """Fill an empty index from the snapshot at `where`; False (and a log line saying why) if there is
    none or it cannot be used, in which case the index is left empty for `refresh` to build."""
    try:
        data = where.read()
    except Exception as exc:  # an unreadable snapshot must never stop an answer: build instead
        log.warning("index snapshot %r not read (%s); building the index from the store", where, exc)
        return False
    if data is None:
        return False
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            meta = json.loads(npz["header"].tobytes().decode())
            found, age = meta["code"], time.time() - float(meta["created"])
            wanted = header(index)
            if found != wanted:
                stale = sorted(k for k in wanted if not isinstance(found, dict) or found.get(k) != wanted[k])
                log.info("index snapshot %r was made with another %s; building the index from the store", where, ", ".join(stale))
                return False
            if age > max_age:
                # The store forgets expired and deleted stories; a snapshot does not. Rebuilding now and then drops them.
                log.info(
                    "index snapshot %r is %.0f h old; building the index from the store so that expired or "
                    "deleted stories drop out",
                    where,
                    age / 3600,
                )
                return False
            arrays = {name: npz[name] for name in npz.files if name != "header"}
    except (ValueError, OSError, KeyError, EOFError, TypeError, zipfile.BadZipFile) as exc:
        log.warning("index snapshot %r is damaged (%s); building the index from the store", where, exc)
        return False
    try:
        index.restore(arrays)
    except (KeyError, ValueError, IndexError, TypeError, AttributeError) as exc:
        log.warning("index snapshot %r does not fit (%s); building the index from the store", where, exc)
        return False
    return True
