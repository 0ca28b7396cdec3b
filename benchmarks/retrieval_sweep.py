"""Cheap iteration on retrieval scoring: embed an eval slice once, then score fusion variants in seconds.

    PYTHONPATH=functions python benchmarks/retrieval_sweep.py --data ../shared/data/reuters21578-train.jsonl \
        --offset 1000 [--cache /tmp/headlines-sweep] [--grid]

The first run for a slice stores its stories through the real pipeline and embedding code into
`CACHE/slice-<seed>-<offset>-<limit>.db` (plus the question vectors, `.npz`), the same way `headlines eval
retrieval` does (minutes on a busy 2-core machine); later runs read that and only score (seconds).
It prints, for the same sample as the eval command: each signal alone (rank_bm25 baseline, the
engine's BM25, story cosine, best-sentence cosine), the engine's fused score with its shipped
`Weights`, the same without the country filter inferred from the question, and why the fused
system misses: how many misses are wire tables (no reporting verb in the lead: "Qtly div 15 cts vs
15 cts prior") whose question words (the company name) appear nowhere in the stored text. `--grid`
adds the best fusion weights on this slice: tune on one offset, report on another. `--dtype float16`
scores with the stored vectors rounded to float16, as the DynamoDB store keeps them (questions stay float32).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np

from headlines.ask.embeddings import SQLiteEmbeddingStore, embed_stories
from headlines.ask.index import ArchiveIndex, Weights
from headlines.ask.lexical import tokenize
from headlines.ask.query import countries_in_question
from headlines.container import build_summarizer, build_tagger, get_encoder
from headlines.evaluation.retrieval import _plain_tokens, load_sample
from headlines.pipeline import Pipeline
from headlines.store.sqlite import SQLiteStore

_REPORTING = re.compile(r"\b(said|says|reported|announced)\b")


def build_cache(db: Path, vectors: Path, data: Path, *, limit: int, questions: int, seed: int, offset: int) -> None:
    """Store and embed the slice exactly as `headlines eval retrieval` does, once."""
    articles, cases = load_sample(data, limit=limit, questions=questions, seed=seed, offset=offset)
    encoder = get_encoder()
    store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
    pipeline = Pipeline(build_summarizer(), build_tagger(), store=store)
    for start in range(0, len(articles), 64):
        stories = [pipeline.process(a) for a in articles[start : start + 64]]
        embeddings.put_many(embed_stories(encoder, stories))
        print(f"embedded {start + len(stories)}/{len(articles)}", flush=True)
    qv = encoder.encode([c.question for c in cases])
    np.savez(vectors, questions=np.asarray([c.question for c in cases]), gold=np.asarray([c.story_id for c in cases]), vectors=qv)
    store.close()
    embeddings.close()


def metrics(scores: np.ndarray, gold: np.ndarray, keep: np.ndarray) -> tuple[float, float, float]:
    """Recall@1, Recall@5, MRR of each question's gold column (ties count against it; a gold story
    outside the kept or candidate rows scores 0, where the eval reads the top 100)."""
    s = np.where(keep, scores, -np.inf)
    g = s[np.arange(len(gold)), gold]
    ranks = np.where(np.isfinite(g), (s > g[:, None]).sum(1) + 1, np.inf)
    return float((ranks == 1).mean()), float((ranks <= 5).mean()), float((1 / ranks).mean())


def max_norm(scores: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Per question, scaled so the best kept value is 1 (as the engine's `_max_norm`)."""
    top = np.where(keep, scores, -np.inf).max(1, keepdims=True)
    return scores / np.where(top > 0, top, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--offset", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/headlines-sweep"))
    parser.add_argument("--grid", action="store_true", help="also search fusion weights on this slice")
    parser.add_argument(
        "--dtype",
        choices=["float32", "float16"],
        default="float32",
        help="round the stored vectors through this type first (float16: what the DynamoDB store keeps)",
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    stem = args.cache / f"slice-{args.seed}-{args.offset}-{args.limit}-{args.questions}"
    db, vec_file = stem.with_suffix(".db"), stem.with_suffix(".npz")
    if not vec_file.exists():
        db.unlink(missing_ok=True)
        build_cache(db, vec_file, args.data, limit=args.limit, questions=args.questions, seed=args.seed, offset=args.offset)
    cached = np.load(vec_file)
    questions, qv = [str(q) for q in cached["questions"]], cached["vectors"].astype(np.float32)
    embeddings = SQLiteEmbeddingStore(db)
    index = ArchiveIndex(embeddings)
    index.refresh()
    ids = index.ids
    gold = np.asarray([ids.index(str(g)) for g in cached["gold"]])
    units = embeddings.unit_vectors(ids)
    if args.dtype == "float16":  # exactly what DynamoDBEmbeddingStore writes and reads back
        index._matrix = index._matrix.astype(np.float16).astype(np.float32)
        units = {k: v.astype(np.float16).astype(np.float32) for k, v in units.items()}

    from rank_bm25 import BM25Okapi

    baseline = BM25Okapi([_plain_tokens(" ".join(u)) for u in index.units])
    tagger = build_tagger()
    keep = np.stack([index.mask(countries=countries_in_question(q, tagger)) for q in questions])
    everything = np.ones_like(keep)
    rank_bm25 = np.stack([baseline.get_scores(_plain_tokens(q)) for q in questions])
    lexical = np.stack([index.bm25.scores(tokenize(q)) for q in questions])
    dense = np.stack([index.dense(v) for v in qv])
    best_sentence = np.stack([(units[i] @ qv.T).max(0) for i in ids], axis=1)

    def fused(w: Weights, k: np.ndarray) -> np.ndarray:
        """The engine's `rank`: BM25 + story cosine, its top `w.candidates` reranked by the sentence term."""
        first = np.where(k, w.lexical * max_norm(lexical, k) + w.story * max_norm(dense, k), -np.inf)
        n = min(w.candidates, len(ids))
        cand = np.zeros_like(k)
        np.put_along_axis(cand, np.argpartition(-first, n - 1, axis=1)[:, :n], True, axis=1)
        cand &= k
        return np.where(cand, first + w.sentence * max_norm(best_sentence, cand), -np.inf)

    rows = [
        ("BM25 (rank_bm25, plain tokens)", rank_bm25, everything),
        ("BM25 (engine tokenizer + lead field)", lexical, everything),
        ("MiniLM story cosine", dense, everything),
        ("MiniLM best-sentence cosine", best_sentence, everything),
        ("fused, shipped Weights", fused(Weights(), keep), keep),
        ("fused, no inferred country filter", fused(Weights(), everything), everything),
    ]
    print(
        f"{len(questions)} titles over {len(ids)} stories (seed {args.seed}, offset {args.offset}, "
        f"stored vectors as {args.dtype})"
    )
    print(f"{'signal':40} {'R@1':>6} {'R@5':>6} {'MRR':>6}")
    for name, scores, k in rows:
        r1, r5, mrr = metrics(scores, gold, k)
        print(f"{name:40} {r1:6.3f} {r5:6.3f} {mrr:6.3f}")

    system = np.where(keep, fused(Weights(), keep), -np.inf)
    misses = np.flatnonzero(system.argmax(1) != gold)
    filtered = [i for i in misses if not keep[i, gold[i]]]
    tables = []
    for i in misses:
        if not keep[i, gold[i]]:
            continue
        text = " ".join(index.units[gold[i]])
        absent = set(tokenize(questions[i])) - set(tokenize(text))
        if not _REPORTING.search(" ".join(index.units[gold[i]][1:3])) and absent:
            tables.append(i)
    print(
        f"misses {len(misses)}: {len(tables)} wire tables whose question words are absent from the stored "
        f"text, {len(filtered)} removed by the inferred country filter, {len(misses) - len(tables) - len(filtered)} other"
    )

    if args.grid:
        best = max(
            (metrics(fused(Weights(lexical=wl, story=1 - wl - ws, sentence=ws), keep), gold, keep), wl, ws)
            for wl in np.arange(0, 1.001, 0.05)
            for ws in np.arange(0, 1.001 - wl, 0.05)
        )
        (r1, r5, mrr), wl, ws = best
        print(
            f"best weights on this slice: lexical {wl:.2f} story {1 - wl - ws:.2f} sentence {ws:.2f} "
            f"-> R@1 {r1:.3f} R@5 {r5:.3f} MRR {mrr:.3f}"
        )
    embeddings.close()


if __name__ == "__main__":
    main()
