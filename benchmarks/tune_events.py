"""Choose the event rule's weights and threshold on the TUNE half of the event pairs; print both halves.

    PYTHONPATH=functions python benchmarks/tune_events.py --data build/event-pairs.jsonl

Vectors are encoded once and cached next to the data (`<data>.vectors.npz`, the file `headlines eval events --vectors`
reads). The window is the smallest whole number of days covering 95% of the same-event gaps on tune; at that window
the grid picks the best tune F1 whose false merges stay <= 2% on each hard-negative kind (the issue's target).
"""

from __future__ import annotations

import argparse
import itertools
import math
from pathlib import Path

import numpy as np

from headlines.evaluation.events import assign_events, evaluate_events, load_pairs, score, stories_of, story_vectors
from headlines.events.features import features_of
from headlines.events.rule import DAY, EventRule


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
    by_id = {f.story_id: f for f in features}
    tune = [p for p in pairs if p.split == "tune"]
    # The window: the smallest whole number of days that covers 95% of the same-event gaps on tune.
    gaps = sorted(abs(by_id[p.a].time - by_id[p.b].time) / DAY for p in tune if p.same)
    window = float(math.ceil(gaps[int(0.95 * (len(gaps) - 1))]))
    print(f"same-event gaps on tune: 90% <= {gaps[int(0.9 * (len(gaps) - 1))]:.1f} days, 95% <= {window:g}: window {window:g}")
    best_per_window: dict[float, tuple] = {}  # type: ignore[type-arg]
    for days, threshold, names, words in itertools.product(
        (2.0, 3.0, 4.0, 5.0, 7.0), (0.65, 0.70, 0.75, 0.80, 0.85, 0.90), (0.0, 0.3, 0.6), (0.0, 0.3, 0.6)
    ):
        rule = EventRule(
            window_days=days,
            threshold=threshold,
            names=names,
            words=words,
            floor=max(0.0, min(0.25, threshold - names - words - 0.05)),
        )
        events = assign_events(features, rule)
        row = score(tune, lambda p, ev=events: ev[p.a] == ev[p.b])
        ok = all((row[f"false_merge_{k}"] or 0) <= 0.02 for k in ("older", "same_week"))
        key = (ok, round(row["f1"], 3))
        if days not in best_per_window or key > best_per_window[days][0]:
            best_per_window[days] = (key, rule, row)
    for days, (key, rule, row) in sorted(best_per_window.items()):
        print(
            f"window {days:g}: best tune F1 {row['f1']:.3f} (limits met: {key[0]}) at threshold {rule.threshold}, "
            f"names {rule.names}, words {rule.words}; same-week false merges {row['false_merge_same_week']:.3f}"
        )
    chosen = best_per_window[window][1]
    print("chosen:", chosen)
    result = evaluate_events(articles, pairs, vectors, stories, chosen)
    for r in result["rows"]:
        print(
            f"{r['split']:5} {r['system']:32} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} "
            f"older {r['false_merge_older']:.3f} same_week {r['false_merge_same_week']:.3f}"
        )


if __name__ == "__main__":
    main()
