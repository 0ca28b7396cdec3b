"""Country-tagging speed: milliseconds per 600-word article, warm, one core.

    python benchmarks/tag_speed.py [--tagger gazetteer|exact|spacy] [--n 300]

Articles are 600-word windows of the bundled samples (repeated to length), so the script runs without ../shared.
Pin to one core with `taskset -c 0` where available; the script also asks torch/BLAS for one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from importlib import resources

os.environ.setdefault("OMP_NUM_THREADS", "1")


def _articles(n: int, words: int = 600) -> list:
    from headlines.models import Article

    lines = resources.files("headlines.samples").joinpath("articles.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    out = []
    for i in range(n):
        rec = records[i % len(records)]
        pool = " ".join(records[(i + k) % len(records)]["body"] for k in range(len(records))).split()
        body = " ".join((pool * (words // max(len(pool), 1) + 1))[:words])
        out.append(Article(title=rec.get("title"), body=body, dateline=rec.get("dateline")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tagger", default="gazetteer", choices=["gazetteer", "exact", "spacy"])
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()

    from headlines.container import build_tagger
    from headlines.settings import Settings

    t0 = time.perf_counter()
    tagger = build_tagger(Settings(), args.tagger)
    articles = _articles(args.n)
    tagger.tag(articles[0])  # warm: lexicon built, caches filled
    cold = time.perf_counter() - t0
    times = []
    for a in articles:
        start = time.perf_counter()
        tagger.tag(a)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"tagger={args.tagger} articles={len(times)} words/article=600")
    print(f"first call (build + tag): {cold:.2f} s")
    print(f"warm per article: mean {statistics.mean(times):.2f} ms, median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
