"""The same-event decision: one score from the story vectors and the cheap signals, then a threshold and a window.

score = cosine(story vectors) + names * Jaccard(names) + words * Jaccard(headline words) + country (if a country is
shared) - per_day * |days apart|. Two stories are one event when they are at most `window_days` apart and the score
reaches `threshold`. The weights are a logistic regression fitted on the tune half of the RealTime QA pairs, window and
threshold a grid on the same half (benchmarks/tune_events.py, docs/events.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headlines.events.features import EventFeatures

DAY = 86_400.0


@dataclass(frozen=True)
class EventRule:
    window_days: float = 6.0
    threshold: float = 0.63
    names: float = 0.29
    words: float = 0.31
    country: float = 0.05
    per_day: float = 0.05
    """The time decay: each day apart raises the bar by this much (so a 6-day-old report needs a score 0.3 higher)."""
    floor: float = 0.25
    """Candidates below this cosine are not scored at all (the score cannot reach the threshold without a near-total
    name and word overlap; on the tune pairs no same-event pair was that far apart)."""
    candidates: int = 20
    """At most this many nearest stories (by cosine) are scored per new story."""

    def score(self, a: EventFeatures, b: EventFeatures, cosine: float | None = None) -> float:
        cos = float(np.dot(a.vector, b.vector)) if cosine is None else cosine
        return (
            cos
            + self.names * jaccard(a.names, b.names)
            + self.words * jaccard(a.words, b.words)
            + (self.country if a.countries & b.countries else 0.0)
            - self.per_day * abs(a.time - b.time) / DAY
        )

    def same(self, a: EventFeatures, b: EventFeatures) -> bool:
        return abs(a.time - b.time) <= self.window_days * DAY and self.score(a, b) >= self.threshold


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
