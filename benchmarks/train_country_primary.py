"""Train the gazetteer's primary-country model on the TUNE half of a Reuters split; report the HOLDOUT half.

    python benchmarks/train_country_primary.py ../shared/data/reuters21578-train.jsonl \\
        ../shared/data/reuters-places-iso2.json [--write]

One example per (story, candidate country the gazetteer finds); label: the country is among the story's gold
places. A standardised L2 logistic regression (scikit-learn, dev extra) over `primary_model.FEATURES`; the
decision threshold is chosen on the tune half for the mean of micro-F1 with and without `source_country=US`
and macro-F1 with it, exactly as the tagger applies it. `--write` saves headlines/data/country_primary.json.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from headlines.countries.gazetteer import GazetteerTagger, GazetteerWeights
from headlines.countries.primary_model import FEATURES
from headlines.evaluation.countries import load_dataset, load_places_map, score

OUT = Path(__file__).resolve().parents[1] / "functions" / "headlines" / "data" / "country_primary.json"


def collect(tagger: GazetteerTagger, ds) -> list[dict[str, list[float]]]:
    return [tagger.candidate_features(ex.article) for ex in ds.examples]


def decide(feats: dict[str, list[float]], probs: dict[str, float], thr: float, source: str | None) -> set[str]:
    """The tagger's decision (GazetteerTagger.tag) from cached features and probabilities."""
    if not feats:
        return {source} if source else set()
    floor = GazetteerWeights().model_min_primary
    primary = {c for c, p in probs.items() if p >= thr and math.expm1(feats[c][1]) >= floor}
    if primary:
        return primary
    if source and source not in feats:
        return {source}
    return {c for c, f in feats.items() if f[0] >= 1.0}


def evaluate(feats, probs, gold, thr):
    rows = {sc: score([decide(f, p, thr, sc) for f, p in zip(feats, probs, strict=True)], gold) for sc in (None, "US")}
    return (rows[None].micro_f1 + rows["US"].micro_f1 + rows["US"].macro_f1) / 3, rows


def main(data: Path, pmap: Path, write: bool) -> None:
    places = load_places_map(pmap)
    tagger = GazetteerTagger()
    halves = {h: load_dataset(data, places, split=h) for h in ("tune", "holdout")}
    feats = {h: collect(tagger, ds) for h, ds in halves.items()}
    gold = {h: [ex.gold for ex in ds.examples] for h, ds in halves.items()}
    x = np.array([v for f in feats["tune"] for v in f.values()])
    y = np.array([c in g for f, g in zip(feats["tune"], gold["tune"], strict=True) for c in f])
    mean, scale = x.mean(0), x.std(0) + 1e-9
    clf = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y)
    w, b = clf.coef_[0], float(clf.intercept_[0])

    def probs(h):
        return [{c: float(1 / (1 + np.exp(-(b + ((np.array(v) - mean) / scale) @ w)))) for c, v in f.items()} for f in feats[h]]

    p_tune, p_hold = probs("tune"), probs("holdout")
    best = max((evaluate(feats["tune"], p_tune, gold["tune"], t)[0], t) for t in np.arange(0.2, 0.75, 0.025))
    thr = round(float(best[1]), 3)
    print(f"examples={len(y)} positives={int(y.sum())} threshold={thr} tune objective={best[0]:.4f}")
    for name, coef in zip(FEATURES, w, strict=True):
        print(f"  {name:15s} {coef:+.3f}")
    for h, p in (("tune", p_tune), ("holdout", p_hold)):
        for sc, s in evaluate(feats[h], p, gold[h], thr)[1].items():
            print(h, f"source_country={sc}", s.as_dict())
    if write:
        OUT.write_text(
            json.dumps(
                {
                    "note": "Logistic model deciding which gazetteer candidates are primary; trained on the tune half "
                    "(split_half by story id) of Reuters-21578 train by benchmarks/train_country_primary.py.",
                    "features": list(FEATURES),
                    "weights": [round(float(v), 6) for v in w],
                    "bias": round(b, 6),
                    "mean": [round(float(v), 6) for v in mean],
                    "scale": [round(float(v), 6) for v in scale],
                    "threshold": thr,
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        print("wrote", OUT)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), "--write" in sys.argv[3:])
