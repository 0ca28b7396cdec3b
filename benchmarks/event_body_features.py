"""Extra same-event signals next to the shipped rule's, judged on the TUNE half only (check printed on request).

    PYTHONPATH=functions python benchmarks/event_body_features.py --data build/event-pairs.jsonl [--check]

The shipped rule scores a pair with the story vector (title and lede), name and word Jaccard, a shared country and
the days apart (`EventRule`). This script adds signals production already has, one set at a time:

- `mean`: cosine of the mean of the body-sentence vectors `ask` stores (`StoryVectors.unit_vectors[1:]`);
  `allmean` the same with the headline's vector in the mean; `head`, `lede`: headline-to-headline and
  first-sentence-to-first-sentence cosine; `maxsim`: every sentence of one story (headline and first 10 sentences)
  to its nearest in the other, averaged both ways.
- `summary`: cosine of the story's summaries (the shipped summarizer's 2 sentences, 60 words; the mean of their
  sentence vectors: an extractive summary's sentences are among the units `ask` embeds, trimmed ones cost an encoding).
- `body_names`: names (capitalised words) of headline and first 3,000 characters of the body, shared, weighted by
  rarity (IDF over the articles); `numbers`: Jaccard of the figures in headline and body (years left out).

For each set, a logistic regression on the tune pairs at most 7 days apart gives the weights (divided by the
cosine's, as `benchmarks/tune_events.py`), and every article is clustered as in production (time order, the 20
nearest by story cosine at or above 0.25 within the window, the best score at or above the threshold joins its
event; the shipped rule through this loop gives the same events as `EventIndex`, checked at start). Two tune-only
figures per set:

1. the full tune half: the weights fitted on it, the window (3-7 days) and threshold picked on it (best F1 with at
   most 2% false merges on each negative kind, then the smaller window and the higher threshold);
2. nested cross-validation over tune's questions (5 folds): weights, window and threshold picked on four folds,
   the fifth folds' pairs scored; the sums over the folds. This tells sets apart where (1) is saturated, and says
   whether the procedure generalises to questions it has not seen.

Optionally the `--k-links` decision: a story that links to no member at the threshold still joins an event when at
least 2 of its members score at least `threshold - delta` (delta 0.05, 0.10 or 0.15, picked with the threshold).
Unit vectors are encoded once (`embed_stories`, as `ask` does) and cached next to the data (`<data>.units.npz`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from headlines.evaluation.events import Pair, assign_events, load_pairs, score, stories_of, story_vectors
from headlines.events.features import EventFeatures, features_of, names_in
from headlines.events.rule import DAY, EventRule, jaccard
from headlines.models import Story

BASE = ("cos", "names", "words", "country", "days")
SETS: tuple[tuple[str, ...], ...] = (
    (),
    ("mean",),
    ("allmean",),
    ("maxsim",),
    ("head",),
    ("lede",),
    ("body_names",),
    ("numbers",),
    ("mean", "body_names"),
    ("mean", "numbers", "body_names"),
    ("summary",),
)
LIMIT = 0.02
"""False merges allowed per negative kind when picking window and threshold (the issue's target)."""
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d|\b\d\b")
_YEAR = re.compile(r"(?:19|20)\d\d")

Signals = dict[str, float]
Weights = dict[str, float]


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def unit_vectors(data: Path, stories: dict[str, Story]) -> dict[str, np.ndarray]:
    """Headline + body-sentence vectors per story, as `ask` stores them (cached next to the data)."""
    cache = data.with_suffix(".units.npz")
    if cache.exists():
        loaded = np.load(cache)
        out = {k.removeprefix("u:"): loaded[k] for k in loaded.files if k.startswith("u:")}
        if set(out) >= set(stories):
            return out
    from headlines.ask.embeddings import embed_stories
    from headlines.container import get_encoder

    encoder, out, ids = get_encoder(), {}, sorted(stories)
    for start in range(0, len(ids), 50):
        for item in embed_stories(encoder, [stories[i] for i in ids[start : start + 50]]):
            out[item.story_id] = item.unit_vectors
    np.savez(cache, **{f"u:{k}": v for k, v in out.items()})  # type: ignore[arg-type]
    return out


def summary_vectors(data: Path, stories: dict[str, Story]) -> dict[str, np.ndarray]:
    """The mean unit vector of each story's summary sentences (summarized and encoded once, cached next to the data)."""
    cache = data.with_suffix(".summary.npz")
    if cache.exists():
        loaded = np.load(cache)
        out = {k: loaded[k] for k in loaded.files}
        if set(out) >= set(stories):
            return out
    from headlines.container import build_summarizer, get_encoder
    from headlines.settings import get_settings

    settings, encoder, ids = get_settings(), get_encoder(), sorted(stories)
    summarizer = build_summarizer(settings, "model", encoder=encoder)
    out = {}
    for start in range(0, len(ids), 50):
        chunk = ids[start : start + 50]
        summaries = summarizer.summarize_many(
            [stories[i].article for i in chunk], sentences=settings.sentences, max_words=settings.max_words
        )
        for sid, summary in zip(chunk, summaries, strict=True):
            vectors = encoder.encode(summary or [stories[sid].headline])
            out[sid] = _unit(np.mean([_unit(v) for v in vectors], axis=0))
    np.savez(cache, **out)  # type: ignore[arg-type]
    return out


class PairSignals:
    """Every signal of a pair, computed once (pairs are symmetric)."""

    def __init__(
        self,
        stories: dict[str, Story],
        features: dict[str, EventFeatures],
        units: dict[str, np.ndarray],
        summaries: dict[str, np.ndarray] | None = None,
    ):
        self.features = features
        self._cache: dict[tuple[str, str], Signals] = {}
        self.extra: dict[str, dict[str, Any]] = {}
        for sid, story in stories.items():
            u = units[sid].astype(np.float32)
            body = u[1:] if len(u) > 1 else u[:1]
            text = f"{story.headline}\n{story.article.body[:3000]}"
            figures = {n.replace(",", "") for n in _NUMBER.findall(f"{story.headline} {story.article.body[:1500]}")}
            self.extra[sid] = {
                "mean": _unit(body.mean(0)),
                "allmean": _unit(u.mean(0)),
                "head": _unit(u[0]),
                "lede": _unit(body[0]),
                "sents": np.stack([_unit(x) for x in u[:11]]),
                "numbers": frozenset(f for f in figures if not _YEAR.fullmatch(f)),
                "body_names": names_in(text),
                "summary": summaries[sid] if summaries is not None else _unit(body.mean(0)),
            }
        df = Counter(n for e in self.extra.values() for n in e["body_names"])
        self.idf = {n: math.log(len(stories) / (1 + c)) for n, c in df.items()}

    def __call__(self, a: str, b: str) -> Signals:
        key = (a, b) if a < b else (b, a)
        if key not in self._cache:
            self._cache[key] = self._signals(*key)
        return self._cache[key]

    def _signals(self, a: str, b: str) -> Signals:
        fa, fb, ea, eb = self.features[a], self.features[b], self.extra[a], self.extra[b]
        sims = ea["sents"] @ eb["sents"].T
        shared, either = ea["body_names"] & eb["body_names"], ea["body_names"] | eb["body_names"]
        rare = sum(self.idf[n] for n in either)
        return {
            "cos": float(fa.vector @ fb.vector),
            "names": jaccard(fa.names, fb.names),
            "words": jaccard(fa.words, fb.words),
            "country": 1.0 if fa.countries & fb.countries else 0.0,
            "days": abs(fa.time - fb.time) / DAY,
            **{k: float(ea[k] @ eb[k]) for k in ("mean", "allmean", "head", "lede", "summary")},
            "maxsim": float((sims.max(1).mean() + sims.max(0).mean()) / 2),
            "body_names": sum(self.idf[n] for n in shared) / rare if rare else 0.0,
            "numbers": jaccard(ea["numbers"], eb["numbers"]),
        }


def cluster(
    features: dict[str, EventFeatures],
    signals: PairSignals,
    weights: Weights,
    threshold: float,
    window: float,
    delta: float | None = None,
    *,
    floor: float = 0.25,
    candidates: int = 20,
) -> dict[str, str]:
    """The production loop (`EventIndex.assign`) with a linear score over any signals; `delta` adds the k-links join."""
    order = sorted(features, key=lambda i: (features[i].time, i))
    matrix = np.stack([features[i].vector for i in order])
    times = np.array([features[i].time for i in order])
    events: dict[str, str] = {}
    for n, sid in enumerate(order):
        rows = np.flatnonzero(np.abs(times[:n] - times[n]) <= window * DAY)
        cosines = matrix[rows] @ matrix[n]
        rows, cosines = rows[cosines >= floor], cosines[cosines >= floor]
        if rows.size > candidates:
            rows = rows[np.argpartition(-cosines, candidates)[:candidates]]
        best: tuple[float, str] | None = None
        votes: dict[str, int] = defaultdict(int)
        for row in rows.tolist():
            other = order[row]
            s = signals(sid, other)
            value = sum(w * s[k] for k, w in weights.items())
            if value >= threshold and (best is None or value > best[0]):
                best = (value, other)
            if delta is not None and value >= threshold - delta:
                votes[events[other]] += 1
        if best is not None:
            events[sid] = events[best[1]]
        elif votes and max(votes.values()) >= 2:
            events[sid] = max(votes, key=lambda e: votes[e])
        else:
            events[sid] = sid
    return events


def fit(pairs: Sequence[Pair], signals: PairSignals, keys: Sequence[str]) -> Weights:
    from sklearn.linear_model import LogisticRegression

    near = [p for p in pairs if signals(p.a, p.b)["days"] <= 7.0]
    x = np.array([[signals(p.a, p.b)[k] for k in keys] for p in near])
    y = np.array([p.same for p in near])
    coef = LogisticRegression(C=10.0, max_iter=5000).fit(x, y).coef_[0]
    return {k: round(float(c / coef[0]), 2) for k, c in zip(keys, coef, strict=True)}


def pick(
    run: Callable[[float, float, float | None], dict[str, str]],
    pairs: Sequence[Pair],
    thresholds: np.ndarray,
    deltas: Sequence[float | None],
) -> tuple[int, float, float | None, dict[str, Any]]:
    best: tuple[tuple[Any, ...], int, float, float | None, dict[str, Any]] | None = None
    for days in range(3, 8):
        for th in (round(float(t), 2) for t in thresholds):
            for delta in deltas:
                events = run(float(days), th, delta)
                row = score(pairs, lambda p, ev=events: ev[p.a] == ev[p.b])
                worst = max(row["false_merge_older"] or 0.0, row["false_merge_same_week"] or 0.0)
                key = (worst <= LIMIT, 0.0 if worst <= LIMIT else -worst, round(row["f1"], 3), -days, th)
                if best is None or key > best[0]:
                    best = (key, days, th, delta, row)
    assert best is not None
    return best[1:]


def line(row: dict[str, Any]) -> str:
    return (
        f"P {row['precision']:.3f} R {row['recall']:.3f} F1 {row['f1']:.3f} false merges older "
        f"{row['false_merge_older']:.1%} same week {row['false_merge_same_week']:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("build/event-pairs.jsonl"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--sets", default="", help="comma-separated indexes into SETS (0 none, 1 mean, 3 maxsim, ...); default all"
    )
    parser.add_argument("--k-links", action="store_true", help="also pick the k-links join (delta) with the threshold")
    parser.add_argument("--check", action="store_true", help="print the check half for each full-tune pick")
    args = parser.parse_args()
    from headlines.container import build_tagger, get_encoder

    articles, pairs = load_pairs(args.data)
    stories = stories_of(articles, build_tagger(name="gazetteer"))
    cache = args.data.with_suffix(".vectors.npz")
    loaded = np.load(cache) if cache.exists() else None
    vectors = {k: loaded[k] for k in loaded.files} if loaded is not None else {}
    if not set(vectors) >= set(stories):
        vectors = story_vectors(stories, get_encoder())
        np.savez(cache, **vectors)  # type: ignore[arg-type]
    features = {i: features_of(stories[i], vectors[i]) for i in stories}
    tune = [p for p in pairs if p.split == "tune"]
    check = [p for p in pairs if p.split == "check"]
    chosen = [SETS[int(i)] for i in args.sets.split(",")] if args.sets else list(SETS)
    summaries = summary_vectors(args.data, stories) if any("summary" in c for c in chosen) else None
    signals = PairSignals(stories, features, unit_vectors(args.data, stories), summaries)
    qids = {(r["pair"]["a"], r["pair"]["b"]): r["pair"]["qid"] for r in map(json.loads, args.data.open()) if "pair" in r}
    fold = {p: int(hashlib.md5(qids[(p.a, p.b)].encode()).hexdigest(), 16) % args.folds for p in tune}

    shipped = EventRule()
    same_loop = cluster(
        features,
        signals,
        {"cos": 1.0, "names": shipped.names, "words": shipped.words, "country": shipped.country, "days": -shipped.per_day},
        shipped.threshold,
        shipped.window_days,
    )
    assert same_loop == assign_events(list(features.values()), shipped), "the loop differs from EventIndex"
    print(f"shipped rule, tune: {line(score(tune, lambda p: same_loop[p.a] == same_loop[p.b]))}")
    if any("mean" in c for c in chosen):
        # Why the body mean moves related-but-different pairs more than same-event ones (tune pairs only).
        for kind in ("same", "same_week"):
            lift = [signals(p.a, p.b)["mean"] - signals(p.a, p.b)["cos"] for p in tune if p.kind == kind]
            print(f"tune {kind} pairs: median body-mean cosine minus story cosine {float(np.median(lift)):+.3f}")
        week = sorted(
            (p for p in tune if p.kind == "same_week"),
            key=lambda p: signals(p.a, p.b)["cos"] - signals(p.a, p.b)["mean"],
        )
        for p in week[:3]:
            s = signals(p.a, p.b)
            print(
                f"  story cosine {s['cos']:.2f}, body mean {s['mean']:.2f}: "
                f"{stories[p.a].headline[:60]!r} / {stories[p.b].headline[:60]!r}"
            )

    deltas: list[float | None] = [None, 0.05, 0.10, 0.15] if args.k_links else [None]
    for extra in chosen:
        keys = [*BASE, *extra]
        name = "+" + ",".join(extra) if extra else "shipped signals"

        def run(days: float, th: float, delta: float | None, w: Weights) -> dict[str, str]:
            return cluster(features, signals, w, th, days, delta)

        def grid(w: Weights, extra: tuple[str, ...] = extra) -> np.ndarray:
            lift = sum(w[k] for k in extra) * 0.5  # extra similarities of same-event pairs sit near 0.5-0.8
            return np.arange(0.50, 0.80 + lift + 0.2, 0.01)

        tp = fn = 0
        wrong: Counter[str] = Counter()
        total: Counter[str] = Counter()
        picks = []
        for f in range(args.folds):
            train = [p for p in tune if fold[p] != f]
            w = fit(train, signals, keys)
            days, th, delta, _ = pick(lambda d, t, k, w=w: run(d, t, k, w), train, grid(w), deltas)
            events = run(days, th, delta, w)
            picks.append(f"{days}d/{th:.2f}" + (f"/k{delta}" if delta is not None else ""))
            for p in tune:
                if fold[p] != f:
                    continue
                said = events[p.a] == events[p.b]
                if p.same:
                    tp, fn = tp + said, fn + (not said)
                else:
                    wrong[p.kind] += said
                    total[p.kind] += 1
        precision = tp / (tp + sum(wrong.values())) if tp else 0.0
        recall = tp / (tp + fn)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        w = fit(tune, signals, keys)
        days, th, delta, row = pick(lambda d, t, k, w=w: run(d, t, k, w), tune, grid(w), deltas)
        print(
            f"{name}: weights {w}; full tune pick window {days}, threshold {th:.2f}"
            + (f", k-links delta {delta}" if delta is not None else "")
        )
        print(f"  tune (fitted and picked on it):  {line(row)}")
        print(
            f"  tune nested CV ({args.folds} folds): P {precision:.3f} R {recall:.3f} F1 {f1:.3f} false merges older "
            f"{wrong['older']}/{total['older']}, same week {wrong['same_week']}/{total['same_week']}; picks {' '.join(picks)}"
        )
        if args.check:
            events = run(days, th, delta, w)
            print(f"  check (held out):                {line(score(check, lambda p, ev=events: ev[p.a] == ev[p.b]))}")


if __name__ == "__main__":
    main()
