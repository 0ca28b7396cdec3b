"""Event assignment at processing time, over the stories of the window that the stores already hold.

The window is read from the embedding store `ask` keeps (`EmbeddingStore.recent`: story vectors, headline and
sentences, countries), so nothing is embedded again; later writes by other processes are caught up with
`EmbeddingStore.scan(after_seq)` before each assignment. The event of a stored story is read from the story store
only for the best match (`Store.get(...).event_id`), and remembered.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from headlines.events.features import features_of, features_of_vectors
from headlines.events.index import EventIndex, Match
from headlines.events.rule import DAY, EventRule
from headlines.models import Story
from headlines.store.base import Store

if TYPE_CHECKING:
    from headlines.ask.embeddings import EmbeddingStore

logger = logging.getLogger(__name__)

PRUNE_EVERY = 1000
"""Stories assigned between two prunings of stories that left the window."""


class EventClusterer:
    """`assign(story, vector)` -> the story's event id (its own id when it starts an event)."""

    def __init__(self, store: Store, embeddings: EmbeddingStore, rule: EventRule | None = None) -> None:
        self.store = store
        self.embeddings = embeddings
        self.rule = rule or EventRule()
        self.index = EventIndex(self.rule, event_of=self._stored_event)
        self._lock = threading.RLock()
        self._loaded_from: float | None = None
        """Epoch seconds: stories from here on are in the index (the window's start when first loaded)."""
        self._seq = 0
        self._seq_of: dict[str, int] = {}
        self._assigned = 0
        self._newest = float("-inf")
        self.last_match: Match | None = None

    def _stored_event(self, story_id: str) -> str | None:
        story = self.store.get(story_id)
        return story.event_key if story is not None else None

    def _load(self, since: datetime, until: datetime | None = None) -> None:
        from headlines.ask.embeddings import EmbeddingStore

        if type(self.embeddings).recent is EmbeddingStore.recent:
            # No time index (DynamoDB): one full scan, remembering every entry's seq, so catching up later reads
            # only newer writes (and the store's late-entry check finds nothing it has to send again).
            low, high = since.timestamp(), until.timestamp() if until else float("inf")
            for item in self.embeddings.scan():
                self._seq_of[item.story_id] = max(item.seq, self._seq_of.get(item.story_id, 0))
                self._seq = max(self._seq, item.seq)
                if low <= item.sort_time.timestamp() < high:
                    self.index.add(features_of_vectors(item))
            return
        for item in self.embeddings.recent(since, until):
            self.index.add(features_of_vectors(item))
            self._seq_of[item.story_id] = item.seq
            self._seq = max(self._seq, item.seq)

    def _catch_up(self) -> None:
        for item in self.embeddings.scan(self._seq, loaded=self._seq_of):
            self._seq = max(self._seq, item.seq)
            if item.seq <= self._seq_of.get(item.story_id, 0):
                continue
            self._seq_of[item.story_id] = item.seq
            if self._loaded_from is not None and item.sort_time.timestamp() >= self._loaded_from:
                self.index.add(features_of_vectors(item))

    def refresh(self, when: datetime) -> None:
        """Make sure the index holds every stored story within the window of `when`."""
        with self._lock:
            start = when.timestamp() - self.rule.window_days * DAY
            if self._loaded_from is None:
                now = datetime.now(UTC).timestamp()
                self._loaded_from = min(start, now - self.rule.window_days * DAY)
                # Entries written before this load and outside the window are never needed: start catching up here.
                max_seq = getattr(self.embeddings, "max_seq", None)
                self._seq = int(max_seq()) if callable(max_seq) else 0
                self._load(datetime.fromtimestamp(self._loaded_from, UTC))
            elif start < self._loaded_from:  # a story from the past (a backfill): load the days before
                self._load(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(self._loaded_from, UTC))
                self._loaded_from = start
            else:
                self._catch_up()

    def assign(self, story: Story, vector: np.ndarray) -> str:
        with self._lock:
            when = story.sort_time if story.sort_time.tzinfo else story.sort_time.replace(tzinfo=UTC)
            self.refresh(when)
            event, self.last_match = self.index.assign(features_of(story, vector))
            self._assigned += 1
            self._newest = max(self._newest, when.timestamp())
            if self._assigned % PRUNE_EVERY == 0 and self._loaded_from is not None:
                # Two windows behind the newest story: a late story still finds its event's first reports.
                cut = self._newest - 2 * self.rule.window_days * DAY
                dropped = self.index.prune(cut)
                self._loaded_from = max(self._loaded_from, cut)
                logger.debug("event index: %d stories left the window", dropped)
            return event
