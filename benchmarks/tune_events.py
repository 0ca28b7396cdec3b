"""Choose the event rule's weights and threshold on the TUNE half of the event pairs; print both halves.

    PYTHONPATH=functions python benchmarks/tune_events.py --data build/event-pairs.jsonl

Vectors are encoded once and cached next to the data (`<data>.vectors.npz`). The grid objective: F1 on tune
pairs, subject to false merges <= 2% on each hard-negative kind (the issue's target); ties go to the simpler rule.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np

from headlines.evaluation.events import assign_events, evaluate_events, load_pairs, score, stories_of, story_vectors
from headlines.events.features import features_of
from headlines.events.rule import EventRule


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("build/event-pairs.jsonl"))
    args = parser.parse_args()
    from headlines.container import build_tagger, get_encoder

    articles, pairs = load_pairs(args.data)
    stories = stories_of(articles, build_tagger(name="gazetteer"))
    cache = args.data.with_suffix(".vectors.npz")
    if cache.exists():
        loaded = np.load(cache)
        vectors = {k: loaded[k] for k in loaded.files}
    else:
        vectors = story_vectors(stories, get_encoder())
        np.savez(cache, **vectors)
    features = [features_of(stories[i], vectors[i]) for i in stories]
    tune = [p for p in pairs if p.split == "tune"]
    best = None
    grid = itertools.product(
        (1.0, 2.0, 3.0, 5.0, 7.0),  # window days
        (0.70, 0.75, 0.80, 0.85, 0.90),  # threshold
        (0.0, 0.3, 0.6),  # names
        (0.0, 0.3, 0.6),  # words
        (0.0, 0.05),  # country
        (0.0, 0.02, 0.05),  # per day
    )
    for window, threshold, names, words, country, per_day in grid:
        rule = EventRule(window_days=window, threshold=threshold, names=names, words=words, country=country,
                         per_day=per_day, floor=min(0.45, threshold - names - words - country))
        events = assign_events(features, rule)
        row = score(tune, lambda p, ev=events: ev[p.a] == ev[p.b])
        ok = all((row[f"false_merge_{k}"] or 0) <= 0.02 for k in ("older", "same_week"))
        key = (ok, round(row["f1"], 3), -window)
        if best is None or key > best[0]:
            best = (key, rule, row)
    assert best is not None
    print("chosen on tune:", best[1], {k: round(v, 3) if isinstance(v, float) else v for k, v in best[2].items()})
    result = evaluate_events(articles, pairs, vectors, stories, replace(best[1]))
    for r in result["rows"]:
        print(f"{r['split']:5} {r['system']:32} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
              f"older {r['false_merge_older']:.3f} same_week {r['false_merge_same_week']:.3f}")


if __name__ == "__main__":
    main()
