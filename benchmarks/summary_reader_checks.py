"""Reader problems in summaries of articles that have no reference (e.g. the RealTime QA corpus).

    PYTHONPATH=functions python benchmarks/summary_reader_checks.py \
        --data ../shared/data/realtimeqa-2022/corpus.jsonl.gz [--limit 300] [--sentences 2] [--max-words 60] [--show 5]

Counts, for the configured summarizer and for Lead at the same settings, how many summaries contain page
furniture, a cut sentence, an unresolved opening, a quote without its speaker or a near-duplicate pair
(`headlines.summarize.coherence`). Articles are taken in a fixed pseudo-random order (sha256 of the id), so a
--limit subset is reproducible. Reads JSON Lines (optionally gzipped) with `id`, `title`, `body`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))

from headlines.models import Article
from headlines.summarize.coherence import ReaderProblems, reader_problems
from headlines.summarize.lead import LeadSummarizer
from headlines.text import split_sentences


def load(path: Path) -> list[Article]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        rows = [json.loads(line) for line in fh if line.strip()]
    rows.sort(key=lambda r: hashlib.sha256(str(r.get("id")).encode()).hexdigest())
    return [
        Article(id=str(r.get("id")), title=r.get("title") or None, body=r["body"]) for r in rows if (r.get("body") or "").strip()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/realtimeqa-2022/corpus.jsonl.gz"))
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--sentences", type=int, default=2)
    parser.add_argument("--max-words", type=int, default=60)
    parser.add_argument("--summarizer", default=None, help="lead or model (default: HEADLINES_SUMMARIZER)")
    parser.add_argument("--show", type=int, default=0, help="print this many flagged summaries per row")
    args = parser.parse_args()

    from headlines.container import build_summarizer

    articles = [a for a in load(args.data)[: args.limit] if split_sentences(a.body)]
    rows = {"system": build_summarizer(name=args.summarizer), "lead": LeadSummarizer()}
    for label, summarizer in rows.items():
        total, shown, words = ReaderProblems(), 0, 0
        many = getattr(summarizer, "summarize_many", None)
        summaries = (
            many(articles, sentences=args.sentences, max_words=args.max_words)
            if many
            else [summarizer.summarize(a, sentences=args.sentences, max_words=args.max_words) for a in articles]
        )
        for article, summary in zip(articles, summaries, strict=True):
            problems = reader_problems(summary, split_sentences(article.body))
            total += problems
            words += sum(len(s.split()) for s in summary)
            if shown < args.show and any(problems.as_dict().values()):
                shown += 1
                print(f"  [{label}] {article.id} {problems.as_dict()}: {' '.join(summary)[:300]}")
        print(
            f"{label:6s} ({summarizer.name}): {len(articles)} articles, {args.sentences} sentences, {args.max_words} words; "
            f"mean {words / max(1, len(articles)):.1f} words; summaries with "
            + ", ".join(f"{k} {v}" for k, v in total.as_dict().items())
        )


if __name__ == "__main__":
    main()
