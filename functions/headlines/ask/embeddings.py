"""Story embeddings, computed once at processing time and kept next to the stories.

`EmbeddingStore` is the small interface the answer engine reads; `SQLiteEmbeddingStore` keeps the
vectors in the store's own SQLite file (table `story_vectors`, float32 BLOBs); `DynamoDBEmbeddingStore`
(`headlines.ask.dynamodb`) keeps them in a DynamoDB table on AWS. A managed vector index (OpenSearch
k-NN, S3 Vectors) would implement the same interface: see docs/ask.md.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from headlines.encoder import SentenceEncoder
from headlines.errors import UpstreamTransientError
from headlines.models import Story
from headlines.text import split_sentences

MAX_SENTENCES = 60
"""Sentences embedded per story; later ones add storage, rarely answers."""


class EmbeddingStoreError(UpstreamTransientError):
    """The embedding store could not be read or written, or holds vectors of another model."""


@dataclass
class StoryVectors:
    """What asking needs of one story: its text units and their vectors, plus filter fields.

    `units[0]` is the headline, `units[1:]` the body sentences; `unit_vectors` has one row per unit.
    """

    story_id: str
    sort_time: datetime
    countries: tuple[str, ...]
    units: list[str]
    story_vector: np.ndarray
    unit_vectors: np.ndarray
    model: str
    seq: int = field(default=0, compare=False)

    @property
    def headline(self) -> str:
        return self.units[0]

    @property
    def sentences(self) -> list[str]:
        return self.units[1:]


def story_units(story: Story, max_sentences: int = MAX_SENTENCES) -> list[str]:
    """The headline, then the body's sentences: the units that are embedded and quoted."""
    return [story.headline, *split_sentences(story.article.body)[:max_sentences]]


def story_text(units: list[str]) -> str:
    """The text whose single vector stands for the whole story (the encoder truncates its tail)."""
    head, *body = units
    return f"{head}. {' '.join(body)}" if body else head


def embed_stories(encoder: SentenceEncoder, stories: Iterable[Story], *, batch_size: int = 64) -> list[StoryVectors]:
    """Encode stories in one batched pass: story vector plus one vector per unit."""
    stories = list(stories)
    units = [story_units(s) for s in stories]
    texts: list[str] = []
    for u in units:
        texts.append(story_text(u))
        texts.extend(u)
    vectors = encoder.encode(texts, batch_size=batch_size)
    out, pos = [], 0
    for story, u in zip(stories, units, strict=True):
        out.append(
            StoryVectors(
                story_id=story.id,
                sort_time=_utc(story.sort_time),
                countries=tuple(sorted({c.code for c in story.countries})),
                units=u,
                story_vector=vectors[pos],
                unit_vectors=vectors[pos + 1 : pos + 1 + len(u)],
                model=encoder.name,
            )
        )
        pos += 1 + len(u)
    return out


def embed_story(encoder: SentenceEncoder, story: Story) -> StoryVectors:
    return embed_stories(encoder, [story])[0]


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


class EmbeddingStore(ABC):
    """Story vectors keyed by story id; `seq` grows with every write so readers can catch up."""

    @abstractmethod
    def put(self, vectors: StoryVectors) -> None:
        """Insert or replace the vectors of one story."""

    def put_many(self, many: Iterable[StoryVectors]) -> None:
        for v in many:
            self.put(v)

    @abstractmethod
    def delete(self, story_id: str) -> None: ...

    @abstractmethod
    def scan(self, after_seq: int = 0, *, loaded: Mapping[str, int] | None = None) -> Iterator[StoryVectors]:
        """Every entry written after `after_seq`, oldest write first, without unit vectors
        (`unit_vectors` is an empty array): what an in-memory index loads.

        `loaded` maps the story ids the caller already holds to their `seq`. A store whose writes can
        become visible out of `seq` order (DynamoDB: concurrent writers, an eventually consistent
        index) also yields late entries at or below `after_seq` that `loaded` does not hold at that
        `seq`; callers skip an entry whose `seq` is not newer than what they hold."""

    def recent(self, since: datetime, until: datetime | None = None) -> Iterator[StoryVectors]:
        """Entries whose story time is in [since, until), like `scan` (no unit vectors): what event clustering
        loads as its window. This default filters a full scan; stores with a time index override it."""
        for item in self.scan():
            when = _utc(item.sort_time)
            if when >= _utc(since) and (until is None or when < _utc(until)):
                yield item

    @abstractmethod
    def unit_vectors(self, story_ids: Iterable[str]) -> dict[str, np.ndarray]:
        """The unit vectors of these stories (missing ids are left out)."""

    @abstractmethod
    def ids(self) -> set[str]: ...

    def identity(self) -> str | None:
        """Names this store, not its content: it changes when the store is replaced (a new file, a recreated
        table), so an index snapshot of the old one is not loaded over the new one. None: unknown."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS story_vectors (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    story_id TEXT NOT NULL UNIQUE,
    sort_time TEXT NOT NULL,
    countries TEXT NOT NULL,
    model TEXT NOT NULL,
    dim INTEGER NOT NULL,
    units TEXT NOT NULL,
    story_vector BLOB NOT NULL,
    unit_vectors BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS story_vectors_time ON story_vectors (sort_time);
CREATE TABLE IF NOT EXISTS story_vectors_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SQLiteEmbeddingStore(EmbeddingStore):
    """Vectors in a SQLite table; by default the same file as the `SQLiteStore`, so one file is the archive."""

    def __init__(self, path: str | Path) -> None:
        from headlines.store.sqlite import connect

        self.path = str(path)
        try:
            self._conn = connect(self.path, _SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise EmbeddingStoreError(f"cannot open the embedding store at {self.path}: {exc}") from exc
        self._lock = threading.RLock()
        self._identity: str | None = None

    def put(self, vectors: StoryVectors) -> None:
        self.put_many([vectors])

    def put_many(self, many: Iterable[StoryVectors]) -> None:
        # One row per story, the last given winning, as with one put after another: a batch can hold a story
        # twice (two articles of one corpus that the store merged into one story).
        rows: dict[str, tuple[object, ...]] = {}
        for v in many:
            units = np.ascontiguousarray(v.unit_vectors, dtype=np.float32)
            story = np.ascontiguousarray(v.story_vector, dtype=np.float32)
            if units.ndim != 2 or units.shape[0] != len(v.units) or units.shape[1] != story.shape[0]:
                raise EmbeddingStoreError(f"story {v.story_id}: {len(v.units)} units but unit vectors of shape {units.shape}")
            rows.pop(v.story_id, None)
            rows[v.story_id] = (
                v.story_id,
                _utc(v.sort_time).isoformat(),
                ",".join(v.countries),
                v.model,
                story.shape[0],
                json.dumps(v.units, ensure_ascii=False),
                story.tobytes(),
                units.tobytes(),
            )
        with self._lock, self._conn:
            # Delete then insert so the row gets a new seq: readers that loaded it see the update.
            self._conn.executemany("DELETE FROM story_vectors WHERE story_id = ?", [(sid,) for sid in rows])
            self._conn.executemany(
                "INSERT INTO story_vectors (story_id, sort_time, countries, model, dim, units, story_vector, unit_vectors) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                list(rows.values()),
            )

    def delete(self, story_id: str) -> None:
        with self._lock, self._conn:
            self._conn.execute("DELETE FROM story_vectors WHERE story_id = ?", (story_id,))

    def scan(self, after_seq: int = 0, *, loaded: Mapping[str, int] | None = None) -> Iterator[StoryVectors]:
        # One writer at a time, seq assigned at commit: nothing becomes visible late, `loaded` is not needed.
        cur = self._conn.execute(
            "SELECT seq, story_id, sort_time, countries, model, dim, units, story_vector FROM story_vectors "
            "WHERE seq > ? ORDER BY seq",
            (after_seq,),
        )
        yield from self._rows(cur)

    @staticmethod
    def _rows(cur: sqlite3.Cursor) -> Iterator[StoryVectors]:
        empty = np.zeros((0, 0), dtype=np.float32)
        for seq, sid, when, countries, model, _dim, units, vec in cur:
            yield StoryVectors(
                story_id=sid,
                sort_time=datetime.fromisoformat(when),
                countries=tuple(c for c in countries.split(",") if c),
                units=json.loads(units),
                story_vector=np.frombuffer(vec, dtype=np.float32),
                unit_vectors=empty,
                model=model,
                seq=seq,
            )

    def recent(self, since: datetime, until: datetime | None = None) -> Iterator[StoryVectors]:
        cur = self._conn.execute(
            "SELECT seq, story_id, sort_time, countries, model, dim, units, story_vector FROM story_vectors "
            "WHERE sort_time >= ? AND sort_time < ? ORDER BY seq",
            (_utc(since).isoformat(), _utc(until).isoformat() if until else "9999"),
        )
        yield from self._rows(cur)

    def unit_vectors(self, story_ids: Iterable[str]) -> dict[str, np.ndarray]:
        ids = list(dict.fromkeys(story_ids))
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for sid, dim, blob in self._conn.execute(
                f"SELECT story_id, dim, unit_vectors FROM story_vectors WHERE story_id IN ({marks})", chunk
            ):
                out[sid] = np.frombuffer(blob, dtype=np.float32).reshape(-1, dim)
        return out

    def ids(self) -> set[str]:
        return {r[0] for r in self._conn.execute("SELECT story_id FROM story_vectors")}

    def max_seq(self) -> int:
        return int(self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM story_vectors").fetchone()[0])

    def identity(self) -> str:
        """A random id written once into the file: a deleted and recreated file gets another."""
        if self._identity is None:
            with self._lock, self._conn:
                self._conn.execute(
                    "INSERT OR IGNORE INTO story_vectors_meta (key, value) VALUES ('identity', ?)", (uuid.uuid4().hex,)
                )
                row = self._conn.execute("SELECT value FROM story_vectors_meta WHERE key = 'identity'").fetchone()
            self._identity = str(row[0])
        return self._identity

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"SQLiteEmbeddingStore({self.path!r})"
