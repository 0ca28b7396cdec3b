"""The recent stories of the event window in memory: one float32 matrix, so matching a story is one product.

A new story is compared with the stories at most `window_days` away: the nearest ones by cosine are scored with
`EventRule`, and the best one at or above the threshold gives its event; otherwise the story starts an event
(its own id is the event id, so `story.event_id or story.id` names the event either way).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from headlines.events.features import EventFeatures
from headlines.events.rule import DAY, EventRule


@dataclass(frozen=True)
class Match:
    """Why a story joined an event: the closest story of it and their score."""

    story_id: str
    event_id: str
    score: float


class EventIndex:
    """Append-only rows (a replaced story's old row is masked), pruned of stories that left the window.

    `event_of` resolves the event of a row loaded without one (a story another process stored): called only for
    the best match, and remembered. Without it such a story is its own event."""

    def __init__(self, rule: EventRule | None = None, *, event_of: Callable[[str], str | None] | None = None) -> None:
        self.rule = rule or EventRule()
        self.event_of = event_of
        self.lock = threading.RLock()
        self._features: list[EventFeatures] = []
        self._row: dict[str, int] = {}
        self._events: dict[str, str] = {}
        self._times = np.zeros(0, dtype=np.float64)
        self._alive = np.zeros(0, dtype=bool)
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._n = 0

    def __len__(self) -> int:
        return int(self._alive[: self._n].sum())

    def __contains__(self, story_id: str) -> bool:
        return story_id in self._row

    def add(self, features: EventFeatures, event_id: str | None = None) -> None:
        """Add (or replace) a story; `event_id` None keeps what is known of it (or leaves it to `event_of`)."""
        with self.lock:
            if event_id is not None:
                self._events[features.story_id] = event_id
            old = self._row.get(features.story_id)
            if old is not None:
                self._alive[old] = False
            self._grow(features.vector.shape[0])
            row = self._n
            self._matrix[row] = features.vector
            self._times[row] = features.time
            self._alive[row] = True
            self._features.append(features)
            self._row[features.story_id] = row
            self._n += 1

    def _grow(self, dim: int) -> None:
        if self._matrix.shape[1] not in (0, dim):
            raise ValueError(f"story vector of {dim} dimensions; the index holds {self._matrix.shape[1]}")
        if self._n < self._matrix.shape[0]:
            return
        size = max(1024, 2 * self._matrix.shape[0])
        matrix = np.zeros((size, dim), dtype=np.float32)
        if self._n:
            matrix[: self._n] = self._matrix[: self._n]
        self._matrix = matrix
        self._times = np.concatenate([self._times[: self._n], np.zeros(size - self._n)])
        self._alive = np.concatenate([self._alive[: self._n], np.zeros(size - self._n, dtype=bool)])

    def match(self, features: EventFeatures) -> Match | None:
        """The best same-event story for `features` in the window, if any reaches the threshold."""
        rule = self.rule
        with self.lock:
            n = self._n
            if n == 0:
                return None
            near = self._alive[:n] & (np.abs(self._times[:n] - features.time) <= rule.window_days * DAY)
            own = self._row.get(features.story_id)
            if own is not None:
                near[own] = False
            rows = np.flatnonzero(near)
            if rows.size == 0:
                return None
            # One product over every row (no copy of the window's rows), then the window's rows picked out. einsum's
            # own single-threaded loop: a BLAS matrix-vector product this small loses more to thread hand-offs on a
            # busy machine (about 3x slower in benchmarks/event_cluster_speed.py) than it gains.
            cosines = np.einsum("ij,j->i", self._matrix[:n], features.vector)[rows]
            keep = cosines >= rule.floor
            rows, cosines = rows[keep], cosines[keep]
            if rows.size > rule.candidates:
                top = np.argpartition(-cosines, rule.candidates)[: rule.candidates]
                rows, cosines = rows[top], cosines[top]
            best: tuple[float, int] | None = None
            for row, cos in zip(rows.tolist(), cosines.tolist(), strict=True):
                score = rule.score(features, self._features[row], cos)
                if score >= rule.threshold and (best is None or score > best[0]):
                    best = (score, row)
            if best is None:
                return None
            other = self._features[best[1]].story_id
            return Match(other, self._event(other), best[0])

    def _event(self, story_id: str) -> str:
        event = self._events.get(story_id)
        if event is None:
            event = (self.event_of(story_id) if self.event_of else None) or story_id
            self._events[story_id] = event
        return event

    def assign(self, features: EventFeatures) -> tuple[str, Match | None]:
        """Join the best matching event or start one; the story is added to the index either way."""
        with self.lock:
            match = self.match(features)
            event = match.event_id if match else self._events.get(features.story_id, features.story_id)
            self.add(features, event)
            return event, match

    def prune(self, before: float) -> int:
        """Forget stories older than `before` (epoch seconds); returns how many rows were dropped."""
        with self.lock:
            keep = [r for r in range(self._n) if self._alive[r] and self._times[r] >= before]
            dropped = self._n - len(keep)
            if dropped == 0:
                return 0
            features = [self._features[r] for r in keep]
            alive_ids = {f.story_id for f in features}
            self._events = {k: v for k, v in self._events.items() if k in alive_ids}
            self._features, self._row, self._n = [], {}, 0
            self._matrix = self._matrix[:0]
            self._times, self._alive = self._times[:0], self._alive[:0]
            for f in features:
                self.add(f)
            return dropped
