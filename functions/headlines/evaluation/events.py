"""Same-event evaluation: pairwise precision, recall and F1, and false merges per kind of hard negative.

The data file (built by benchmarks/build_event_pairs.py, see docs/events.md) holds `{"article": {...}}` lines and
`{"pair": {"a", "b", "same", "kind", "split"}}` lines. The system is run as in production: every article goes
through `EventIndex.assign` in published order, and a pair is "same" when both got one event id. The digest's
former rule (headline word overlap, `headlines.slack.digest.same_event`) is scored on the same pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from headlines.errors import BadInputError
from headlines.evaluation.records import json_lines
from headlines.events.features import EventFeatures, features_of
from headlines.events.index import EventIndex
from headlines.events.rule import EventRule
from headlines.models import Article, Story

NEGATIVE_KINDS = ("older", "same_week")


class EventDataError(BadInputError, ValueError):
    """The pairs file cannot be used; the message names the line."""


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool
    kind: str
    split: str


def load_pairs(path: Path) -> tuple[dict[str, Article], list[Pair]]:
    articles: dict[str, Article] = {}
    pairs: list[Pair] = []
    for n, record in json_lines(path, EventDataError):
        try:
            if "article" in record:
                art = Article.model_validate(record["article"])
                articles[str(art.id)] = art
            else:
                p = record["pair"]
                pairs.append(Pair(str(p["a"]), str(p["b"]), bool(p["same"]), str(p["kind"]), str(p.get("split", "all"))))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise EventDataError(f"{path}:{n}: not an article or pair record ({exc})") from exc
    missing = {x for p in pairs for x in (p.a, p.b)} - set(articles)
    if missing:
        raise EventDataError(f"{path}: pairs name {len(missing)} articles the file does not hold, e.g. {sorted(missing)[0]}")
    if not pairs:
        raise EventDataError(f"{path}: no pairs")
    return articles, pairs


def stories_of(articles: dict[str, Article], tagger: Any | None = None) -> dict[str, Story]:
    """Articles as the pipeline would store them (title as headline; tagged when a tagger is given)."""
    out = {}
    for aid, art in articles.items():
        countries = tagger.tag(art) if tagger is not None else []
        out[aid] = Story(
            id=aid,
            article=art,
            headline=art.title or art.body[:100],
            summary="",
            countries=countries,
            content_hash=art.content_hash,
        )
    return out


def story_vectors(stories: dict[str, Story], encoder: Any) -> dict[str, np.ndarray]:
    """The story vector exactly as `ask` stores it (headline and body sentences, one encoder call per story)."""
    from headlines.ask.embeddings import story_text, story_units

    ids = sorted(stories)
    vectors = encoder.encode([story_text(story_units(stories[i])) for i in ids], batch_size=32)
    return dict(zip(ids, vectors, strict=True))


def assign_events(features: Sequence[EventFeatures], rule: EventRule) -> dict[str, str]:
    """Run the production index over the stories in time order; story id -> event id."""
    index = EventIndex(rule)
    events = {}
    for f in sorted(features, key=lambda f: (f.time, f.story_id)):
        events[f.story_id], _ = index.assign(f)
    return events


def score(pairs: Sequence[Pair], same: Callable[[Pair], bool]) -> dict[str, Any]:
    """Pairwise precision/recall/F1 over all pairs, and the share of each negative kind wrongly merged."""
    tp = fp = fn = 0
    merged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for p in pairs:
        said = same(p)
        if p.same:
            tp += said
            fn += not said
        else:
            fp += said
            merged[p.kind][0] += said
            merged[p.kind][1] += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    row: dict[str, Any] = {"precision": precision, "recall": recall, "f1": f1, "positives": tp + fn}
    for kind in NEGATIVE_KINDS:
        wrong, total = merged.get(kind, [0, 0])
        row[f"false_merge_{kind}"] = wrong / total if total else None
        row[f"n_{kind}"] = total
    return row


def headline_rule(stories: dict[str, Story]) -> Callable[[Pair], bool]:
    from headlines.slack.digest import same_event

    return lambda p: same_event(stories[p.a], stories[p.b])


def evaluate_events(
    articles: dict[str, Article],
    pairs: Sequence[Pair],
    vectors: dict[str, np.ndarray],
    stories: dict[str, Story],
    rule: EventRule | None = None,
) -> dict[str, Any]:
    rule = rule or EventRule()
    features = [features_of(stories[i], vectors[i]) for i in stories]
    events = assign_events(features, rule)
    systems: dict[str, Callable[[Pair], bool]] = {
        "events": lambda p: events[p.a] == events[p.b],
        "headline overlap": headline_rule(stories),
    }
    rows = []
    for split in [*sorted({p.split for p in pairs}), "all"]:
        subset = [p for p in pairs if split in ("all", p.split)]
        for name, same in systems.items():
            rows.append({"split": split, "system": name, **score(subset, same)})
    return {
        "data_pairs": len(pairs),
        "articles": len(articles),
        "rule": rule.__dict__,
        "rows": rows,
        "evaluated_at": datetime.now(UTC).isoformat(),
    }
