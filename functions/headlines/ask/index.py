"""The in-process search index: story vectors in one numpy matrix, BM25 posting lists, filter columns.

Loaded once from an `EmbeddingStore` and caught up incrementally (`refresh`), so a warm process
answers with one matrix product and a few posting lists; nothing in the archive is re-embedded.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

import numpy as np

from headlines.ask.embeddings import EmbeddingStore, EmbeddingStoreError
from headlines.ask.lexical import BM25Index, tokenize

LEAD_UNITS = 2
"""Headline and first sentence: the lead field BM25 counts twice (tuned on a Reuters slice, docs/ask.md)."""


@dataclass(frozen=True)
class Weights:
    """Fusion weights of the max-normalised signals (tuned on a disjoint Reuters slice, docs/ask.md)."""

    lexical: float = 0.43
    story: float = 0.43
    sentence: float = 0.14
    candidates: int = 50
    recency: float = 0.2
    """Boost of a story published just before "now", fading with age (tuned on the 2022 quiz questions' tuning half)."""
    recency_days: float = 30.0


class ArchiveIndex:
    """Everything retrieval reads, in memory; rows are append-only, replaced stories are masked out."""

    def __init__(self, embeddings: EmbeddingStore, *, model: str | None = None) -> None:
        self.embeddings = embeddings
        self.model = model
        self.lock = threading.RLock()
        """Held while refreshing and while a question is scored, so readers never see half an update."""
        self.ids: list[str] = []
        self.units: list[list[str]] = []
        self._row: dict[str, int] = {}
        self._seq_of: dict[str, int] = {}
        """The `seq` of each story's current row: tells the store which late entries are already here."""
        self._alive = np.zeros(0, dtype=bool)
        self._times = np.zeros(0, dtype=np.float64)
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._countries: dict[str, list[int]] = {}
        self.bm25 = BM25Index(k1=1.5, b=0.9)
        self._seq = 0

    def __len__(self) -> int:
        return int(self._alive.sum())

    def refresh(self) -> int:
        """Load what was written since the last call; returns how many entries were added."""
        with self.lock:
            vecs: list[np.ndarray] = []
            times: list[float] = []
            for entry in self.embeddings.scan(self._seq, loaded=self._seq_of):
                if self._seq_of.get(entry.story_id, -1) >= entry.seq:
                    continue  # already loaded (a store may re-offer entries near the cursor)
                if self.model and entry.model != self.model:
                    raise EmbeddingStoreError(
                        f"story {entry.story_id} was embedded with {entry.model}, not {self.model}; "
                        "re-embed the archive (delete the story_vectors table) with the configured model"
                    )
                row = len(self.ids)
                self.ids.append(entry.story_id)
                self.units.append(entry.units)
                self._row[entry.story_id] = row
                self._seq_of[entry.story_id] = entry.seq
                for code in entry.countries:
                    self._countries.setdefault(code, []).append(row)
                # Each unit is tokenized once: the lead's sentences are also the body's first ones.
                unit_tokens = [tokenize(unit) for unit in entry.units]
                body = list(chain.from_iterable(unit_tokens[1:])) if len(unit_tokens) > 1 else unit_tokens[0]
                lead = list(chain.from_iterable(unit_tokens[:LEAD_UNITS]))
                self.bm25.add(body, lead, lead_weight=1.0)
                vecs.append(entry.story_vector)
                times.append(entry.sort_time.timestamp())
                self._seq = max(self._seq, entry.seq)
            if vecs:
                block = np.stack(vecs).astype(np.float32, copy=False)
                self._matrix = block if not len(self._matrix) else np.concatenate([self._matrix, block])
                self._times = np.concatenate([self._times, np.asarray(times)])
                # Only each story's newest row is current; rows of replaced versions stay masked out.
                alive = np.zeros(len(self.ids), dtype=bool)
                alive[list(self._row.values())] = True
                self._alive = alive
            return len(vecs)

    def export(self) -> dict[str, np.ndarray]:
        """Everything `refresh` built, as flat arrays (see `ask.snapshot`); replaced rows are kept, masked."""
        with self.lock:
            seq_of_row = np.full(len(self.ids), -1, dtype=np.int64)
            for story_id, row in self._row.items():
                seq_of_row[row] = self._seq_of[story_id]
            bm25 = {f"bm25_{name}": array for name, array in self.bm25.export().items()}
            return {
                "ids": _json_blob(self.ids),
                "units": _json_blob(self.units),
                "countries": _json_blob(self._countries),
                "seq_of_row": seq_of_row,
                "times": self._times,
                "matrix": self._matrix,
                "cursor": np.asarray([self._seq], dtype=np.int64),
                **bm25,
            }

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        """Become the index `export` was called on (this one must be empty); `refresh` then catches up."""
        with self.lock:
            if self.ids:
                raise ValueError("restore into an empty index only")
            ids: list[str] = _from_blob(arrays["ids"])
            units: list[list[str]] = _from_blob(arrays["units"])
            seq_of_row = arrays["seq_of_row"]
            matrix = arrays["matrix"]
            if not (len(ids) == len(units) == len(seq_of_row) == len(arrays["times"]) == len(matrix)):
                raise ValueError("the snapshot's columns differ in length")
            bm25 = BM25Index.restore(
                {k.removeprefix("bm25_"): v for k, v in arrays.items() if k.startswith("bm25_")}, k1=self.bm25.k1, b=self.bm25.b
            )
            if len(bm25) != len(ids):
                raise ValueError("the snapshot's lexical index does not match its stories")
            current = np.flatnonzero(seq_of_row >= 0)
            countries = {str(code): [int(r) for r in rows] for code, rows in _from_blob(arrays["countries"]).items()}
            cursor = int(arrays["cursor"][0])
            alive = np.zeros(len(ids), dtype=bool)
            alive[current] = True
            # Everything is read and checked before anything is assigned: a bad snapshot leaves the index empty.
            self.ids, self.units, self.bm25 = ids, units, bm25
            self._row = {ids[r]: int(r) for r in current}
            self._seq_of = {ids[r]: int(seq_of_row[r]) for r in current}
            self._countries = countries
            self._times = np.asarray(arrays["times"], dtype=np.float64)
            self._matrix = np.asarray(matrix, dtype=np.float32)
            self._alive = alive
            self._seq = cursor

    def row(self, story_id: str) -> int | None:
        return self._row.get(story_id)

    def mask(
        self, *, countries: list[str] | None = None, since: datetime | None = None, until: datetime | None = None
    ) -> np.ndarray:
        """Rows that are current and pass the filters (any of `countries`; sort time at or after `since`,
        at or before `until`)."""
        keep = self._alive.copy()
        if countries:
            wanted = np.zeros_like(keep)
            for code in countries:
                rows = self._countries.get(code.upper())
                if rows:
                    wanted[rows] = True
            keep &= wanted
        if since is not None:
            keep &= self._times >= since.timestamp()
        if until is not None:
            keep &= self._times <= until.timestamp()
        return keep

    def times(self) -> np.ndarray:
        """Each row's sort time (POSIX seconds)."""
        return self._times

    def dense(self, query: np.ndarray) -> np.ndarray:
        """Cosine of the question with every story vector (vectors are L2-normalised)."""
        if not len(self._matrix):
            return np.zeros(0, dtype=np.float32)
        return self._matrix @ query.astype(np.float32, copy=False)


def _json_blob(value: object) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode(), dtype=np.uint8)


def _from_blob(array: np.ndarray) -> Any:
    return json.loads(array.tobytes().decode())
