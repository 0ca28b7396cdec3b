"""Choose GazetteerTagger position weights and primary cut on the TUNE half of a Reuters split; report HOLDOUT.

    python benchmarks/tune_countries.py ../shared/data/reuters21578-train.jsonl ../shared/data/reuters-places-iso2.json

This tunes the share-cut rule (`classifier=False`); the default decision is now the learned model, trained by
`benchmarks/train_country_primary.py` over evidence computed with these position weights.
Halves are deterministic by story id (`headlines.evaluation.countries.split_half`). The objective is the mean of
micro-F1 with and without `source_country=US` and macro-F1 with it; ties favour
precision. Pass a third argument to use only the first N stories of each half.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

from headlines.countries.gazetteer import GazetteerTagger, GazetteerWeights
from headlines.evaluation.countries import load_dataset, load_places_map, primary_codes, score


def run(data: Path, pmap: Path, limit: int | None) -> None:
    places = load_places_map(pmap)
    grid = {
        "dateline": [4.5, 6.0],
        "primary_share": [0.25, 0.35, 0.5],
        "title_primary": [0.0, 2.0],
    }
    halves = {h: load_dataset(data, places, split=h, limit=limit) for h in ("tune", "holdout")}
    results = []
    for values in itertools.product(*grid.values()):
        weights = replace(GazetteerWeights(), classifier=False, **dict(zip(grid, values, strict=True)))
        tagger = GazetteerTagger(weights)
        row = {}
        for sc in (None, "US"):
            ds = halves["tune"]
            preds = [primary_codes(tagger.tag(ex.article.model_copy(update={"source_country": sc}))) for ex in ds.examples]
            row[sc] = score(preds, [ex.gold for ex in ds.examples])
        objective = (row[None].micro_f1 + row["US"].micro_f1 + row["US"].macro_f1) / 3
        results.append((objective, row["US"].precision, values, row))
        summary = {k: (round(v.micro_f1, 3), round(v.macro_f1, 3)) for k, v in row.items()}
        print(values, f"obj={objective:.4f}", summary, flush=True)
    results.sort(key=lambda r: (r[0], r[1]), reverse=True)
    best = results[0]
    print("best on tune:", dict(zip(grid, best[2], strict=True)))
    tagger = GazetteerTagger(replace(GazetteerWeights(), classifier=False, **dict(zip(grid, best[2], strict=True))))
    for sc in (None, "US"):
        ds = halves["holdout"]
        preds = [primary_codes(tagger.tag(ex.article.model_copy(update={"source_country": sc}))) for ex in ds.examples]
        print(f"holdout source_country={sc}:", score(preds, [ex.gold for ex in ds.examples]).as_dict())


if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)
