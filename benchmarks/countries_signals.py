"""What each context signal of the gazetteer gains and costs: every signal switched off in turn, same run.

    python benchmarks/countries_signals.py --data ../shared/data/geo-news-dev.jsonl --split holdout \
        [--reuters ../shared/data/reuters21578-train.jsonl --places-map ../shared/data/reuters-places-iso2.json]

For each configuration: all-tags micro-F1 and primary precision on the mentions-shape file (overall and per corpus),
optionally Reuters primary micro/macro-F1 on the same split (its held-out half by default), and the mean tagging
time per story on the mentions file. The first row is the shipped tagger; "no context signals" switches all off.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from headlines.countries.context import Signals
from headlines.countries.gazetteer import GazetteerTagger, GazetteerWeights
from headlines.evaluation.countries import evaluate, evaluate_mentions, load_dataset, load_places_map
from headlines.models import Article, CountryTag

CONFIGS = {
    "all signals (shipped)": Signals(),
    "- namesake resolution": Signals(namesakes=False),
    "- small places": Signals(small_places=False),
    "- home country / ccTLD": Signals(home_country=False),
    "- gates (common words, first names, Congress)": Signals(gates=False),
    "- text guards (streets, persons, acronyms, adjectives)": Signals(text_guards=False),
    "- contested namesakes (local story, lone famous name)": Signals(contested=False),
    "no context signals": Signals(
        namesakes=False, small_places=False, home_country=False, gates=False, text_guards=False, contested=False
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="JSON Lines with a `gold` list (geo-news-dev)")
    parser.add_argument("--split", default="holdout", choices=["all", "tune", "holdout"])
    parser.add_argument("--reuters", type=Path, help="Reuters JSON Lines (regression check)")
    parser.add_argument("--places-map", type=Path, help="Reuters places map")
    args = parser.parse_args()

    mentions = load_dataset(args.data, None, split=args.split)
    reuters = None
    if args.reuters and args.places_map:
        reuters = load_dataset(args.reuters, load_places_map(args.places_map), split=args.split)
    corpora: list[str] = []
    print(f"split={args.split}: {len(mentions.examples)} stories" + (f", Reuters {len(reuters.examples)}" if reuters else ""))
    header = None
    for name, signals in CONFIGS.items():
        tagger = GazetteerTagger(replace(GazetteerWeights(), signals=signals))
        tagger.tag(Article(body="warm up: Paris, Texas"))

        def tag_many(articles: list[Article], t: GazetteerTagger = tagger) -> list[list[CountryTag]]:
            return [t.tag(a) for a in articles]

        start = time.perf_counter()
        rows = evaluate_mentions(mentions, {"g": tag_many})
        ms = 1000 * (time.perf_counter() - start) / max(len(mentions.examples), 1)
        if not corpora:
            corpora = list(rows)
        cells = [f"{rows[c]['g']['micro_f1']:.3f} / {rows[c]['g']['primary_precision']:.3f}" for c in corpora]
        if reuters is not None:
            r = evaluate(reuters, {"g": lambda arts, t=tagger: [t.tag(a) for a in arts]})["g (primary)"]
            cells.append(f"{r['micro_f1']:.4f} / {r['macro_f1']:.4f}")
        if header is None:
            cols = [f"{c}: F1 / primary P" for c in corpora] + (["Reuters primary micro / macro"] if reuters else [])
            header = "| configuration | " + " | ".join(cols) + " | ms/story |"
            print(header)
            print("| --- |" + " ---: |" * (len(cols) + 1))
        print(f"| {name} | " + " | ".join(cells) + f" | {ms:.2f} |")


if __name__ == "__main__":
    main()
