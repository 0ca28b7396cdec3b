"""Sweep the summarizer's selection settings (trimming, budget-use weight, MMR penalty, repeat threshold, style weight)
without touching the BBC held-out split, on both reference styles at once.

Also the scorer's training labels for the highlights (`--labels soft,oracle`) and feature ablations
(`--without textrank+textrank_rank`: those columns zeroed, so they get no weight).

BBC: the training split only (sha256(id) % 5 != 0), 4-fold cross-validated inside it (each article summarized by
a scorer trained on the other three folds plus all of the CNN/DM sample). CNN/DM sample: 5-fold cross-validated
as in train_summary_scorer.py (BBC training split + the other four folds). Each row prints ROUGE-1/2 at the
default settings (2 sentences, 60 words) and the gain over Lead at the same settings on each style; the BBC
held-out split is left for `headlines eval summaries` once a setting is chosen.

    PYTHONPATH=functions python benchmarks/tune_summary_selection.py --data ../shared/data/bbc-summary-dev.jsonl \
        --extra ../shared/data/cnndm-train-sample.jsonl [--limit-bbc 400]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from headlines.evaluation.summaries import _Rouge, load_examples, reference_sentences
from headlines.models import Article
from headlines.summarize.base import fit_to_budget
from headlines.summarize.embedding import Document, EmbeddingSummarizer
from headlines.summarize.features import FEATURE_NAMES
from headlines.summarize.scorer import SentenceScorer
from headlines.text import split_sentences
from train_summary_scorer import CachedEncoder, fit, is_heldout, labels_for


def bucket(example_id: str, salt: str, folds: int) -> int:
    return int(hashlib.sha256((salt + example_id).encode()).hexdigest(), 16) % folds


def prepare(path: Path, encoder: CachedEncoder, rouge: _Rouge, keep: Any) -> list[dict[str, Any]]:
    examples = [e for e in load_examples(path) if keep(str(e.id))]
    docs = [Document.from_article(Article(id=str(e.id), title=e.title, body=e.body)) for e in examples]
    placeholder = SentenceScorer(np.zeros(len(FEATURE_NAMES)), np.zeros(len(FEATURE_NAMES)), np.ones(len(FEATURE_NAMES)))
    maker = EmbeddingSummarizer(encoder, placeholder)  # type: ignore[arg-type]
    feats = maker.document_features(docs)
    out = []
    for e, d, (f, emb) in zip(examples, docs, feats, strict=True):
        ref = reference_sentences(e.reference)
        lead = fit_to_budget(split_sentences(e.body), sentences=2, max_words=60)
        y = {kind: labels_for(e, d, rouge, kind) for kind in ("soft", "oracle")}
        out.append({"id": str(e.id), "doc": d, "x": f, "emb": emb, "y": y, "ref": ref, "lead": lead})
    return out


def stack(rows: list[dict[str, Any]], labels: str, without: Sequence[int] = ()) -> tuple[np.ndarray, np.ndarray]:
    return np.vstack([features(r, without) for r in rows]), np.concatenate([r["y"][labels] for r in rows])


def features(row: dict[str, Any], without: Sequence[int] = ()) -> np.ndarray:
    """The row's features with the `without` columns zeroed: a zero column gets no weight (an ablation)."""
    x = np.array(row["x"])
    x[:, list(without)] = 0.0
    return x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/bbc-summary-dev.jsonl"))
    parser.add_argument("--extra", type=Path, default=Path("../shared/data/cnndm-train-sample.jsonl"))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "headlines-summary-embeddings.npz")
    parser.add_argument("--limit-bbc", type=int, default=0, help="evaluate on this many BBC training articles (0: all)")
    parser.add_argument("--trim", default="0,1", help="trim inside sentences to fit the budget: 0, 1 or both")
    parser.add_argument("--length-weight", default="0.75,1.5", help="budget-use bonus (comma-separated values)")
    parser.add_argument("--mmr", default="0,0.5", help="penalty per chosen pair times its cosine")
    parser.add_argument("--extra-weight", default="3")
    parser.add_argument("--redundancy", default="0.9", help="cosine above which a pair counts as a repeat")
    parser.add_argument("--labels", default="soft", help="highlights' labels: soft, oracle or both (soft,oracle)")
    parser.add_argument(
        "--without", default="", help="feature groups to leave out, '+'-joined names, ',' between rows ('-': none)"
    )
    args = parser.parse_args()

    rouge = _Rouge()
    encoder = CachedEncoder(args.cache)
    grid = list(
        itertools.product(
            [bool(int(v)) for v in args.trim.split(",")],
            [float(v) for v in args.extra_weight.split(",")],
            [float(v) for v in args.length_weight.split(",")],
            [float(v) for v in args.mmr.split(",")],
            [float(v) for v in args.redundancy.split(",")],
            args.labels.split(","),
            [v for v in args.without.split(",")],
        )
    )
    unknown = {n for v in args.without.split(",") for n in v.split("+") if n not in ("", "-")} - set(FEATURE_NAMES)
    if unknown:
        parser.error(f"unknown features: {sorted(unknown)}")
    print(
        "trim extraW lenW  mmr  red labels without | BBC-train R1  R2  (lead R1 R2) | CNN/DM R1  R2  (lead R1 R2) | words bbc cnn"
    )
    bbc = prepare(args.data, encoder, rouge, lambda i: not is_heldout(i))
    cnn = prepare(args.extra, encoder, rouge, lambda i: True)
    encoder.save()
    bbc_eval = bbc if not args.limit_bbc else bbc[: args.limit_bbc]
    lead_scores = {
        name: np.mean([[rouge.score(r["ref"], r["lead"])[k] for k in ("rouge1", "rouge2")] for r in rows], axis=0) * 100
        for name, rows in (("bbc", bbc_eval), ("cnn", cnn))
    }
    for trim, extra_weight, length_weight, mmr, redundancy, labels, without_names in grid:
        without = [FEATURE_NAMES.index(n) for n in without_names.split("+") if n not in ("", "-")]
        results = {}
        for name, rows, folds in (("bbc", bbc_eval, 4), ("cnn", cnn, 5)):
            scores = []
            words = []
            for f in range(folds):
                if name == "bbc":
                    train = [r for r in bbc if bucket(r["id"], "tune", 4) != f]
                    parts = [stack(train, labels, without), stack(cnn, labels, without)]
                else:
                    train = [r for r in cnn if bucket(r["id"], "", 5) != f]
                    parts = [stack(bbc, labels, without), stack(train, labels, without)]
                scorer = fit(parts, 1.0, extra_weight)
                options = {"length_weight": length_weight, "mmr": mmr, "trim": trim, "redundancy": redundancy}
                summarizer = EmbeddingSummarizer(encoder, scorer, **options)  # type: ignore[arg-type]
                salt, n = ("tune", 4) if name == "bbc" else ("", 5)
                for r in rows:
                    if bucket(r["id"], salt, n) != f:
                        continue
                    summary = summarizer.select(r["doc"], scorer.score(features(r, without)), r["emb"], sentences=2, max_words=60)
                    s = rouge.score(r["ref"], summary)
                    scores.append((s["rouge1"], s["rouge2"]))
                    words.append(sum(len(x.split()) for x in summary))
            results[name] = (np.mean(scores, axis=0) * 100, float(np.mean(words)))
        (b, bw), (c, cw) = results["bbc"], results["cnn"]
        lb, lc = lead_scores["bbc"], lead_scores["cnn"]
        print(
            f"{int(trim):4d} {extra_weight:6.1f} {length_weight:4.2f} {mmr:4.2f} {redundancy:4.2f} {labels:6s} "
            f"{without_names or '-'} | {b[0]:6.2f} {b[1]:6.2f} "
            f"({b[0] - lb[0]:+.2f} {b[1] - lb[1]:+.2f}) | {c[0]:6.2f} {c[1]:6.2f} ({c[0] - lc[0]:+.2f} {c[1] - lc[1]:+.2f})"
            f" | {bw:5.1f} {cw:5.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
