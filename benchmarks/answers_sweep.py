"""Tune `ask` on the tuning half of the quiz questions, over the store `headlines eval answers --store` kept.

    PYTHONPATH=functions python benchmarks/answers_sweep.py --store answers.db \\
        --questions ../shared/data/realtimeqa-2022/questions.jsonl \\
        --unanswerable tests/fixtures/ask_unanswerable_dev.jsonl [--half tune]

Prints, per variant (recency weight and window; extraction weights), Recall@1, answer-contains-gold and
refusals on the chosen half only (the check half is for reporting, not tuning), then the coverage
features that abstention thresholds on: for each answerable and unanswerable question, the best
IDF-weighted share of its key terms one of the top 3 stories holds, and its rare terms none holds.
The store must already hold the corpus (run `headlines eval answers --store` once).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from headlines.ask.embeddings import SQLiteEmbeddingStore
from headlines.ask.engine import AnswerEngine
from headlines.ask.extract import ExtractWeights
from headlines.ask.index import Weights
from headlines.ask.query import since_in_question
from headlines.container import build_tagger, get_encoder
from headlines.evaluation.answers import contains_answer, load_questions
from headlines.store.sqlite import SQLiteStore


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--unanswerable", type=Path)
    ap.add_argument("--half", default="tune", choices=["tune", "check"])
    ap.add_argument("--present-only", action="store_true", help="only questions whose gold story the store holds")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--variants", default="base", help="comma-separated: base, recency, extract, all")
    args = ap.parse_args()
    cases = [c for c in load_questions(args.questions) if c.half == args.half]
    unknown = [c for c in load_questions(args.unanswerable, answerable=False) if c.half == args.half] if args.unanswerable else []
    store, embeddings = SQLiteStore(args.store), SQLiteEmbeddingStore(args.store)
    encoder = get_encoder()
    engine = AnswerEngine(store, embeddings, encoder, tagger=build_tagger(), min_coverage=0.0)
    engine.refresh_index()
    if args.present_only:  # a store still being filled: only questions whose gold story is already in it
        have = set(engine.index.ids)
        cases = [c for c in cases if have & set(c.gold_ids)]
    variants: list[tuple[str, Weights, ExtractWeights]] = [("shipped", Weights(), ExtractWeights())]
    wanted = set(args.variants.split(","))
    if wanted & {"recency", "all"}:
        for r in (0.0, 0.05, 0.1, 0.2):
            for days in (3.0, 7.0, 30.0):
                variants.append(
                    (f"recency {r} / {days} d", dataclasses.replace(Weights(), recency=r, recency_days=days), ExtractWeights())
                )
    if wanted & {"extract", "all"}:
        base = ExtractWeights()
        for name, value in (
            ("coverage", 0.0),
            ("coverage", 1.2),
            ("kind", 0.0),
            ("kind", 0.5),
            ("story", 0.0),
            ("story", 0.6),
            ("agreement", 0.0),
            ("agreement", 0.3),
            ("headline", -1.0),
            ("headline", 0.1),
            ("cosine", 0.5),
            ("cosine", 2.0),
        ):
            variants.append((f"extract {name}={value}", Weights(), dataclasses.replace(base, **{name: value})))
    vectors = {c.qid: engine.encode_question(c.question) for c in cases}  # encoded once for every variant
    for name, weights, extract in variants:
        engine.weights, engine.extract_weights = weights, extract
        hits = gold = 0
        for case in cases:
            qv = vectors[case.qid]
            ranked = engine.rank(
                case.question,
                until=case.as_of,
                now=case.as_of,
                limit=5,
                query_vector=qv,
                since=since_in_question(case.question, now=case.as_of),
            )
            if not ranked:
                continue
            hits += engine.index.ids[ranked[0][0]] in set(case.gold_ids)
            gold += contains_answer(engine._compose(case.question, qv, ranked), case.answers)
        n = max(len(cases), 1)
        print(f"{name:32s} R@1 {hits / n:.3f}  contains gold {gold / n:.3f}  (n={len(cases)})", flush=True)
    engine.weights, engine.extract_weights = Weights(), ExtractWeights()
    print("\ncoverage features (best share, figures missing, rare terms missing, question):")
    features: dict[str, list[tuple[float, bool, bool]]] = {}
    for label, group in (("answerable", cases), ("unanswerable", unknown)):
        for case in group:
            ranked = engine.rank(
                case.question, until=case.as_of, now=case.as_of, limit=3, since=since_in_question(case.question, now=case.as_of)
            )
            _terms, best, figures, rare = engine.coverage(case.question, ranked, now=case.as_of)
            relevant = bool(ranked) and ranked[0][2] >= engine.threshold
            features.setdefault(label, []).append((best, bool(figures), relevant))
            if args.verbose or label == "unanswerable" or best < 0.7 or figures:
                print(f"  {label[:5]} {best:.2f} {figures!s:14.14s} {rare!s:24.24s} {case.question[:80]}")
    for c in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        row = []
        for label, feats in features.items():
            refused = sum(best < c or figures or not relevant for best, figures, relevant in feats)
            row.append(f"{label} refused {refused}/{len(feats)}")
        print(f"min_coverage {c:.2f}: " + ", ".join(row))
    store.close()
    embeddings.close()


if __name__ == "__main__":
    main()
