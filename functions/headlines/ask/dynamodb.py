"""Story vectors on AWS: one DynamoDB item per story, in the table `HEADLINES_VECTORS_TABLE`.

Item (key `story_id`): the story vector and one vector per unit as Binary attributes (float16 by
default: Recall unchanged, measured in docs/ask.md), the units' text (zlib JSON), sort time, country
codes, model name, a content digest and `seq`, the write time in microseconds. Every item also
carries `log = "all"`, so the `by_seq` index (`log`, `seq`) lists the whole archive in write order:
an index loads it once with a parallel Scan of that index (which projects everything but the unit
vectors), then each question Queries only `seq > cursor`. Unit vectors are read for the 50 candidates
of a question with one BatchGetItem.

Writes are conditional: a re-put of the same content changes nothing (same digest); a changed story
gets a `seq` above its previous one and is written only if nobody wrote it meanwhile (optimistic
lock on `seq`). Seqs of different writers can become visible out of order (clock skew between Lambda
hosts, the index being eventually consistent), so each catch-up also lists the keys written in the
`late_window` below the cursor and fetches those the caller does not hold yet.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from botocore.exceptions import BotoCoreError, ClientError

from headlines.ask.embeddings import EmbeddingStore, EmbeddingStoreError, StoryVectors, _utc
from headlines.aws.clients import DynamoDBCaller, error_code

SEQ_INDEX = "by_seq"
LOG = "all"
"""The one value of the index's partition key: the archive is a single log ordered by `seq`."""
MAX_ITEM_BYTES = 380 * 1024
"""DynamoDB's item limit is 400 KB; keep room for names and the small attributes."""
LATE_WINDOW = timedelta(minutes=2)
"""How far below the cursor a catch-up looks for writes that became visible late."""
_INDEXED = "story_id, seq, sort_time, countries, model, dim, dtype, units, story_vector"
"""What the index loads (everything but `unit_vectors`); `by_seq` projects exactly these."""
_DTYPES: dict[str, np.dtype[Any]] = {"float16": np.dtype("<f2"), "float32": np.dtype("<f4")}
"""Stored little-endian whatever the host, so any reader decodes the same bytes."""


def _now_us() -> int:
    return time.time_ns() // 1000


class DynamoDBEmbeddingStore(DynamoDBCaller, EmbeddingStore):
    """`EmbeddingStore` over one DynamoDB table (declared in template.yaml as `StoryVectorsTable`).

    Example: `DynamoDBEmbeddingStore("headlines-story-vectors")`; the client is the process's shared one.
    """

    error = EmbeddingStoreError

    def __init__(
        self,
        table: str,
        *,
        dynamodb: Any | None = None,
        dtype: str = "float16",
        ttl: timedelta | None = None,
        late_window: timedelta = LATE_WINDOW,
        segments: int = 4,
        page_size: int | None = None,
    ) -> None:
        if dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, not {dtype!r}")
        self.table = table
        self._ddb = dynamodb
        self.dtype = dtype
        self.ttl = ttl
        self.late_window_us = int(late_window.total_seconds() * 1_000_000)
        self.segments = segments
        self.page_size = page_size
        self._identity: str | None = None

    def missing_table(self, request: dict[str, Any]) -> str:
        fix = "deploy template.yaml or set HEADLINES_VECTORS_TABLE"
        return f"table {self.table!r} or its {SEQ_INDEX!r} index does not exist; {fix}"

    # -- writing --------------------------------------------------------------------------------------

    def put(self, vectors: StoryVectors) -> None:
        item, digest = self.encode(vectors)
        key = {"story_id": {"S": vectors.story_id}}
        for _attempt in range(5):
            current = self._call(
                f"read the vectors of {vectors.story_id}",
                "get_item",
                TableName=self.table,
                Key=key,
                ConsistentRead=True,
                **_projection("seq, digest"),
            ).get("Item")
            if current is not None and current["digest"]["S"] == digest:
                return  # the same content again (a redelivered job, a re-ingested article): nothing to do
            previous = int(current["seq"]["N"]) if current is not None else None
            # Above the previous write even if this host's clock is behind the one that wrote it.
            seq = max(_now_us(), (previous or 0) + 1)
            if previous is None:
                cond: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(story_id)"}
            else:
                cond = {
                    "ConditionExpression": "#seq = :prev",
                    "ExpressionAttributeNames": {"#seq": "seq"},
                    "ExpressionAttributeValues": {":prev": {"N": str(previous)}},
                }
            try:
                self.ddb.put_item(TableName=self.table, Item={**item, "seq": {"N": str(seq)}}, **cond)
                return
            except ClientError as exc:
                if error_code(exc) != "ConditionalCheckFailedException":
                    raise EmbeddingStoreError(f"cannot store the vectors of {vectors.story_id}: {exc}") from exc
                # Another writer stored this story between our read and our write: look again.
            except BotoCoreError as exc:
                raise EmbeddingStoreError(f"cannot store the vectors of {vectors.story_id}: {exc}") from exc
        raise EmbeddingStoreError(f"cannot store the vectors of {vectors.story_id}: concurrent writers kept winning; retry")

    def encode(self, v: StoryVectors) -> tuple[dict[str, Any], str]:
        """The item this store writes for `v` (all but `seq`) and its content digest."""
        dtype = _DTYPES[self.dtype]
        story = np.ascontiguousarray(v.story_vector, dtype=np.float32)
        units = np.ascontiguousarray(v.unit_vectors, dtype=np.float32)
        if units.ndim != 2 or units.shape[0] != len(v.units) or units.shape[1] != story.shape[0]:
            raise EmbeddingStoreError(f"story {v.story_id}: {len(v.units)} units but unit vectors of shape {units.shape}")
        sort_time = _utc(v.sort_time).isoformat()
        countries = sorted(v.countries)
        texts = list(v.units)
        blob = _pack_units(texts)
        vector_bytes = story.shape[0] * (1 + len(texts)) * np.dtype(dtype).itemsize
        limit = 4000
        # A "sentence" can be a whole unpunctuated page; the encoder read only its first 256 word
        # pieces anyway, so very long units are cut (in the stored text only) until the item fits.
        while len(blob) + vector_bytes + 1024 > MAX_ITEM_BYTES:
            if limit < 100:
                raise EmbeddingStoreError(
                    f"story {v.story_id}: its vectors alone ({vector_bytes} bytes) exceed DynamoDB's item limit"
                )
            texts = [t[:limit] for t in texts]
            blob = _pack_units(texts)
            limit //= 2
        digest = hashlib.sha256(
            json.dumps([v.model, self.dtype, sort_time, countries, texts], ensure_ascii=False).encode()
        ).hexdigest()[:32]
        item: dict[str, Any] = {
            "story_id": {"S": v.story_id},
            "log": {"S": LOG},
            "sort_time": {"S": sort_time},
            "countries": {"L": [{"S": c} for c in countries]},
            "model": {"S": v.model},
            "dim": {"N": str(story.shape[0])},
            "dtype": {"S": self.dtype},
            "units": {"B": blob},
            "story_vector": {"B": story.astype(dtype).tobytes()},
            "unit_vectors": {"B": units.astype(dtype).tobytes()},
            "digest": {"S": digest},
        }
        if self.ttl is not None:
            item["expires_at"] = {"N": str(int((datetime.now(UTC) + self.ttl).timestamp()))}
        return item, digest

    def delete(self, story_id: str) -> None:
        self._call(f"delete the vectors of {story_id}", "delete_item", TableName=self.table, Key={"story_id": {"S": story_id}})

    # -- reading --------------------------------------------------------------------------------------

    def scan(self, after_seq: int = 0, *, loaded: Mapping[str, int] | None = None) -> Iterator[StoryVectors]:
        loaded = loaded or {}
        if after_seq <= 0:
            items = self._read_all()
        else:
            items = self._paged(
                "catch up on story vectors",
                "query",
                {
                    "TableName": self.table,
                    "IndexName": SEQ_INDEX,
                    "KeyConditionExpression": "#log = :log AND #seq > :after",
                    "ExpressionAttributeNames": {"#log": "log", "#seq": "seq"},
                    "ExpressionAttributeValues": {":log": {"S": LOG}, ":after": {"N": str(after_seq)}},
                },
            )
            items += self._late(after_seq, loaded)
        entries = [_decode(item) for item in items]
        entries.sort(key=lambda e: e.seq)
        for entry in entries:
            if loaded.get(entry.story_id, -1) < entry.seq:
                yield entry

    def _read_all(self) -> list[dict[str, Any]]:
        """The whole index, once per process: a parallel Scan (segments in threads), any order."""

        def segment(n: int) -> list[dict[str, Any]]:
            return self._paged(
                "load the story vectors",
                "scan",
                {
                    "TableName": self.table,
                    "IndexName": SEQ_INDEX,
                    "Segment": n,
                    "TotalSegments": self.segments,
                },
            )

        if self.segments <= 1:
            return self._paged("load the story vectors", "scan", {"TableName": self.table, "IndexName": SEQ_INDEX})
        with ThreadPoolExecutor(self.segments) as pool:
            return [item for part in pool.map(segment, range(self.segments)) for item in part]

    def _late(self, after_seq: int, loaded: Mapping[str, int]) -> list[dict[str, Any]]:
        """Entries at or below the cursor (within the late window) that the caller does not hold yet:
        keys from the index (small), then the items themselves, read consistently from the table."""
        keys = self._paged(
            "look for late story vectors",
            "query",
            {
                "TableName": self.table,
                "IndexName": SEQ_INDEX,
                "KeyConditionExpression": "#log = :log AND #seq BETWEEN :low AND :after",
                "ProjectionExpression": "#story_id, #seq",
                "ExpressionAttributeNames": {"#log": "log", "#seq": "seq", "#story_id": "story_id"},
                "ExpressionAttributeValues": {
                    ":log": {"S": LOG},
                    ":low": {"N": str(max(after_seq - self.late_window_us, 0))},
                    ":after": {"N": str(after_seq)},
                },
            },
        )
        missing = [k["story_id"]["S"] for k in keys if loaded.get(k["story_id"]["S"], -1) < int(k["seq"]["N"])]
        return self._get_many(missing, _INDEXED)

    def unit_vectors(self, story_ids: Iterable[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for item in self._get_many(list(dict.fromkeys(story_ids)), "story_id, dim, dtype, unit_vectors"):
            vectors = np.frombuffer(item["unit_vectors"]["B"], dtype=_DTYPES[item["dtype"]["S"]])
            out[item["story_id"]["S"]] = vectors.astype(np.float32).reshape(-1, int(item["dim"]["N"]))
        return out

    def identity(self) -> str:
        """The table's ARN and creation time: a table deleted and created again under the same name differs."""
        if self._identity is None:
            table = self._call("describe the vectors table", "describe_table", TableName=self.table)["Table"]
            self._identity = f"{table['TableArn']}@{table['CreationDateTime']}"
        return self._identity

    def ids(self) -> set[str]:
        items = self._paged(
            "list stories with vectors",
            "scan",
            {
                "TableName": self.table,
                "IndexName": SEQ_INDEX,
                **_projection("story_id"),
            },
        )
        return {item["story_id"]["S"] for item in items}

    def _get_many(self, ids: list[str], projection: str) -> list[dict[str, Any]]:
        """BatchGetItem, 100 keys a call, retrying what DynamoDB left unprocessed (with backoff)."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), 100):
            request: dict[str, Any] = {
                self.table: {
                    "Keys": [{"story_id": {"S": i}} for i in ids[start : start + 100]],
                    "ConsistentRead": True,
                    **_projection(projection),
                }
            }
            for attempt in range(8):
                page = self._call("read story vectors", "batch_get_item", RequestItems=request)
                found += page.get("Responses", {}).get(self.table, [])
                request = page.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.05 * 2**attempt, 2.0))
            else:
                raise EmbeddingStoreError("cannot read story vectors: DynamoDB kept throttling the batch; retry")
        return found

    def __repr__(self) -> str:
        return f"DynamoDBEmbeddingStore({self.table!r})"


def _projection(attributes: str) -> dict[str, Any]:
    """A ProjectionExpression with every name aliased (several of ours are DynamoDB reserved words)."""
    names = {f"#{a.strip()}": a.strip() for a in attributes.split(",")}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}


def _pack_units(units: list[str]) -> bytes:
    return zlib.compress(json.dumps(units, ensure_ascii=False).encode("utf-8"), 6)


def _decode(item: dict[str, Any]) -> StoryVectors:
    dtype = _DTYPES[item["dtype"]["S"]]
    return StoryVectors(
        story_id=item["story_id"]["S"],
        sort_time=datetime.fromisoformat(item["sort_time"]["S"]),
        countries=tuple(c["S"] for c in item["countries"]["L"]),
        units=json.loads(zlib.decompress(item["units"]["B"])),
        story_vector=np.frombuffer(item["story_vector"]["B"], dtype=dtype).astype(np.float32),
        unit_vectors=np.zeros((0, 0), dtype=np.float32),
        model=item["model"]["S"],
        seq=int(item["seq"]["N"]),
    )
