"""What the DynamoDB vector store costs per story and per question, from real news text.

    PYTHONPATH=functions python benchmarks/vector_items.py [--limit 2000]

For BBC dev and Reuters stories from ../shared/data, builds the exact item `DynamoDBEmbeddingStore`
writes (units from `story_units`, all-MiniLM-L6-v2's 384 dimensions; the vector values do not change
sizes, so no model is run) and prints, for float16 and float32 vectors: item sizes in the table and
in the `by_seq` index (DynamoDB's size rules), write units per story, read units per question (the
unit vectors of 50 candidates, strongly consistent BatchGetItem) and per 1,000 stories of cold load
(eventually consistent Scan of `by_seq`). Sizes are computed, not timed: no AWS account is needed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from headlines.ask.dynamodb import _INDEXED, DynamoDBEmbeddingStore
from headlines.ask.embeddings import StoryVectors, story_units
from headlines.countries.exact import ExactNameTagger
from headlines.models import Article
from headlines.pipeline import Pipeline
from headlines.summarize.lead import LeadSummarizer

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
DIM = 384
CANDIDATES = 50
GSI_OVERHEAD = 100  # bytes DynamoDB adds to each index item


def value_size(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value (S/B: bytes; N: about one byte per two digits + 1; L: 3 + items)."""
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode("utf-8"))
    if kind == "B":
        return len(v)
    if kind == "N":
        return math.ceil(len(v.lstrip("-").replace(".", "")) / 2) + 1
    if kind == "L":
        return 3 + sum(value_size(x) + 1 for x in v)
    raise ValueError(kind)


def item_size(item: dict[str, Any], names: set[str] | None = None) -> int:
    return sum(len(k) + value_size(v) for k, v in item.items() if names is None or k in names)


def stories(limit: int) -> list[Any]:
    pipeline = Pipeline(LeadSummarizer(), ExactNameTagger())
    out = []
    for name in ("bbc-summary-dev.jsonl", "reuters21578-train.jsonl"):
        path = SHARED / name
        if not path.exists():
            sys.exit(f"{path} is missing")
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n >= limit:
                    break
                row = json.loads(line)
                if row.get("body", "").strip():
                    out.append(pipeline.analyze(Article(id=row.get("id"), title=row.get("title"), body=row["body"])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=2000, help="stories read from each file")
    args = parser.parse_args()
    sample = stories(args.limit)
    units = [story_units(s) for s in sample]
    counts = [len(u) for u in units]
    print(
        f"{len(sample)} stories (BBC dev + Reuters); units per story: mean {statistics.mean(counts):.1f}, "
        f"p95 {np.percentile(counts, 95):.0f}, max {max(counts)}"
    )
    indexed = {a.strip() for a in _INDEXED.split(",")} | {"log"}
    print(
        f"{'vectors':8} {'item KB mean':>12} {'p95':>6} {'max':>6} {'index KB':>9} {'WRU/story':>10} "
        f"{'RRU/question':>13} {'RRU/1k cold':>12}"
    )
    for dtype in ("float16", "float32"):
        store = DynamoDBEmbeddingStore("sizes", dtype=dtype)
        full, index, wru, rru = [], [], [], []
        for story, u in zip(sample, units, strict=True):
            vectors = StoryVectors(
                story.id,
                datetime.now(UTC),
                ("FR",),
                u,
                np.zeros(DIM, np.float32),
                np.zeros((len(u), DIM), np.float32),
                "transformers:all-MiniLM-L6-v2",
            )
            item, _ = store.encode(vectors)
            item["seq"] = {"N": str(1_764_000_000_000_000)}
            size, in_index = item_size(item), item_size(item, indexed) + GSI_OVERHEAD
            full.append(size)
            index.append(in_index)
            wru.append(math.ceil(size / 1024) + math.ceil(in_index / 1024))
            rru.append(math.ceil(size / 4096))  # strongly consistent read of the whole item
        per_question = statistics.mean(rru) * CANDIDATES
        cold = math.ceil(statistics.mean(index) * 1000 / 4096) * 0.5  # Scan: summed size, eventually consistent
        print(
            f"{dtype:8} {statistics.mean(full) / 1024:12.1f} {np.percentile(full, 95) / 1024:6.1f} "
            f"{max(full) / 1024:6.1f} {statistics.mean(index) / 1024:9.2f} {statistics.mean(wru):10.1f} "
            f"{per_question:13.0f} {cold:12.0f}"
        )


if __name__ == "__main__":
    main()
