"""Build the corpus for the BBC quiz questions (`benchmarks/data/bbc_quiz_questions.jsonl`), a check of
`headlines eval answers` on news of another outlet, years and style than the 2022 quiz questions it was tuned on.

    python benchmarks/bbc_qa_corpus.py --data ../shared/data/bbc-summary-dev.jsonl --output build/bbc-corpus.jsonl
    headlines eval answers --questions benchmarks/data/bbc_quiz_questions.jsonl --corpus build/bbc-corpus.jsonl

The corpus is the first `--per-category` articles of each BBC category in file order (300 by default), so
it is the same on every machine; the questions were written from articles 3, 13, ..., 53 of each category
(six a category), before the engine was run on them. The BBC articles carry no dates, so the questions
carry none either: they are asked with the real now, over an archive where every story is equally old.
The shared data is not copied into the repository: this script rebuilds the corpus from it.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path


def build(data: Path, per_category: int) -> list[dict[str, str]]:
    """The first `per_category` articles of each category, in file order, as `eval answers` corpus records."""
    kept: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in data.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if len(kept[row["category"]]) < per_category:
            kept[row["category"]].append({"id": row["id"], "title": row["title"], "body": row["body"]})
    return [article for category in sorted(kept) for article in kept[category]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="bbc-summary-dev.jsonl")
    ap.add_argument("--output", type=Path, required=True)
    ap.add_argument("--per-category", type=int, default=60)
    args = ap.parse_args()
    articles = build(args.data, args.per_category)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    print(f"{len(articles)} articles -> {args.output}")


if __name__ == "__main__":
    main()
