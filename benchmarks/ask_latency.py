"""Latency of `AnswerEngine.ask` over 50,000 stored stories, warm, on this machine.

    PYTHONPATH=functions python benchmarks/ask_latency.py [--stories 50000] [--db PATH]

What is real and what is synthetic:
- real: the store (SQLite), the embedding table (SQLite, float32 BLOBs), the in-memory index, the
  question encoding with all-MiniLM-L6-v2, BM25 over real news text, the fusion, the sentence
  rerank read from SQLite, the extractive answer and the sources;
- synthetic: the vectors of the filler stories. Encoding 50,000 stories on this CPU takes about an
  hour, so their story and sentence vectors are random unit vectors; their text is real (BBC dev
  and Reuters stories from ../shared/data, cycled with new ids). The bundled sample stories are
  embedded for real, and the seed question must still return the seed article first.

It also saves the warm index as a snapshot and times a cold engine that starts from it
(`HEADLINES_INDEX_SNAPSHOT`) against the build from the store; both must give the same answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from headlines.ask.embeddings import SQLiteEmbeddingStore, StoryVectors, embed_stories, story_units
from headlines.ask.engine import AnswerEngine
from headlines.ask.extract import ExtractWeights
from headlines.ask.snapshot import FileSnapshot
from headlines.ask.snapshot import save as save_snapshot
from headlines.container import build_tagger, get_encoder
from headlines.models import Article, Story
from headlines.samples import load_samples
from headlines.store.sqlite import SQLiteStore

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
QUESTIONS = [
    "What did Macron say about Russia?",
    "What's happening in France this week?",
    "How did Time Warner's profits do?",
    "Bank of England money market assistance",
    "cocoa buffer stock agreement",
    "Who won the Australian Open?",
    "interest rate cut by the central bank",
    "oil prices OPEC output",
    "quarterly dividend raised",
    "election campaign tax plans",
]

BEFORE = ExtractWeights(kind=0.5, specific_kind=0.6, story=0.3, headline_answer=-1.0, truncated=0.0)


def filler_articles(n: int, shared: Path = SHARED) -> list[Article]:
    texts: list[tuple[str, str]] = []
    for name in ("bbc-summary-dev.jsonl", "reuters21578-train.jsonl"):
        path = shared / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if row.get("body", "").strip():
                    texts.append((row.get("title") or "", row["body"]))
    if not texts:
        sys.exit(f"no filler text: {shared} is missing (bbc-summary-dev.jsonl, reuters21578-train.jsonl)")
    # Distinct URLs keep cycled copies apart (the store dedups by URL, else by content).
    return [
        Article(
            id=f"filler-{i}",
            url=f"https://example.org/filler/{i}",
            title=texts[i % len(texts)][0] or None,
            body=texts[i % len(texts)][1],
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=50_000)
    parser.add_argument("--db", type=Path, default=None, help="build here (default: a temporary file)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=SHARED, help="the shared data folder (default: ../shared/data)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="headlines-bench-")
    db = args.db or Path(tmp.name) / "bench.db"
    store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
    encoder = get_encoder()
    tagger = build_tagger()
    rng = np.random.default_rng(0)

    t0 = time.perf_counter()
    samples = load_samples()
    real = [
        Story(
            id=a.story_id(), article=a, headline=a.title or "", summary="", countries=tagger.tag(a), content_hash=a.content_hash
        )
        for a in samples
    ]
    for story in real:
        store.put(story)
    embeddings.put_many(embed_stories(encoder, real))
    fillers = filler_articles(args.stories - len(real), args.data)
    batch: list[StoryVectors] = []
    for i, article in enumerate(fillers, start=1):
        story = Story(
            id=article.story_id(),
            article=article,
            headline=article.title or article.body[:60],
            summary="",
            countries=tagger.tag(article),
            content_hash=article.content_hash,
        )
        story = store.put(story)
        units = story_units(story)
        vecs = rng.standard_normal((len(units) + 1, encoder.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        batch.append(
            StoryVectors(
                story.id, story.sort_time, tuple(c.code for c in story.countries), units, vecs[0], vecs[1:], encoder.name
            )
        )
        if len(batch) == 1000 or i == len(fillers):
            embeddings.put_many(batch)
            batch = []
    build_s = time.perf_counter() - t0

    engine = AnswerEngine(store, embeddings, encoder, tagger=tagger)
    t0 = time.perf_counter()
    engine.index.refresh()
    load_s = time.perf_counter() - t0
    first = engine.ask(QUESTIONS[0])
    assert first.sources and first.sources[0].id == "seed-france-russia", first.sources[:2]

    # Baseline in the same run: the same engine with the extraction weights before issue 18's second session
    # (headlines never leading, weaker answer-kind and story weights), timed interleaved with the shipped ones.
    timings: list[float] = []
    before: list[float] = []
    for _ in range(args.rounds):
        for q in QUESTIONS:
            for weights, into in ((ExtractWeights(), timings), (BEFORE, before)):
                engine.extract_weights = weights
                t0 = time.perf_counter()
                engine.ask(q, top_k=5)
                into.append((time.perf_counter() - t0) * 1000)
    engine.extract_weights = ExtractWeights()
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    print(f"stories stored: {store.count():,} ({len(real)} embedded for real, the rest synthetic vectors)")
    print(f"build: {build_s:.1f} s; index load (cold, once per process): {load_s:.1f} s")
    print(
        f"warm ask latency over {len(timings)} questions: median {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms"
    )
    print(
        f"baseline (extraction weights before this change), same questions interleaved: median "
        f"{statistics.median(before):.1f} ms; ratio shipped/baseline {statistics.median(timings) / statistics.median(before):.2f}"
    )
    print(f"seed question -> first source {first.sources[0].id} (found={first.found})")

    # A cold process that starts from an index snapshot (HEADLINES_INDEX_SNAPSHOT) instead of the store.
    where = FileSnapshot(Path(tmp.name) / "ask-index.npz")
    t0 = time.perf_counter()
    size = save_snapshot(engine.index, where)
    save_s = time.perf_counter() - t0
    cold = AnswerEngine(store, embeddings, encoder, tagger=tagger, snapshot=where)
    t0 = time.perf_counter()
    cold.refresh_index()
    snap_s = time.perf_counter() - t0
    again = cold.ask(QUESTIONS[0])
    assert [s.id for s in again.sources] == [s.id for s in first.sources], "the snapshot answers differently"
    print(
        f"index snapshot: {size / 1e6:.0f} MB, saved in {save_s:.1f} s; a cold engine loads it and catches up in "
        f"{snap_s:.1f} s ({load_s / snap_s:.1f}x faster than building from the store); same answer"
    )
    store.close()
    embeddings.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
