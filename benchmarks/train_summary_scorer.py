"""Train the sentence scorer shipped as `functions/headlines/data/summary_scorer.json`.

Labels: an article sentence is positive when it appears in the article's (extractive) reference summary.
Split: articles whose `sha256(id)` is 0 mod 5 are held out (never trained on); the script reports ROUGE
on them and can write them out for `headlines eval summaries`. The shipped weights are trained on the
other four fifths only.

    PYTHONPATH=functions python benchmarks/train_summary_scorer.py \
        --data ../shared/data/bbc-summary-dev.jsonl --write-heldout /tmp/bbc-heldout.jsonl

Embeddings are cached in --cache (default: a file in the temp dir) so reruns take seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))

from headlines.evaluation.summaries import evaluate_summaries, load_examples
from headlines.models import Article
from headlines.summarize.embedding import Document, EmbeddingSummarizer
from headlines.summarize.features import FEATURE_NAMES
from headlines.summarize.scorer import SentenceScorer, fit_logistic

FOLDS = 5
OUT = Path(__file__).resolve().parents[1] / "functions" / "headlines" / "data" / "summary_scorer.json"


def is_heldout(example_id: str) -> bool:
    return int(hashlib.sha256(example_id.encode()).hexdigest(), 16) % FOLDS == 0


class CachedEncoder:
    """Wraps an encoder with a text -> vector cache persisted as .npz (training and tuning only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.cache: dict[str, np.ndarray] = {}
        if path.exists():
            data = np.load(path, allow_pickle=False)
            self.cache = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
        self._encoder = None
        self.dim = 384
        self.name = "cached"

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        missing = sorted({t for t in texts if t not in self.cache})
        if missing:
            if self._encoder is None:
                from headlines.encoder import TransformersEncoder

                self._encoder = TransformersEncoder()
            print(f"encoding {len(missing)} sentences ...", file=sys.stderr)
            for text, vec in zip(missing, self._encoder.encode(missing, batch_size=batch_size), strict=True):
                self.cache[text] = vec
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def save(self) -> None:
        texts = list(self.cache)
        np.savez(self.path, texts=np.array(texts), vectors=np.stack([self.cache[t] for t in texts]))


_WS = re.compile(r"\s+")


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/bbc-summary-dev.jsonl"))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "headlines-bbc-embeddings.npz")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--write-heldout", type=Path, help="write the held-out examples here (JSON Lines)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dry-run", action="store_true", help="report, but do not write the weights")
    args = parser.parse_args()

    examples = load_examples(args.data)
    encoder = CachedEncoder(args.cache)
    placeholder = SentenceScorer(np.zeros(len(FEATURE_NAMES)), np.zeros(len(FEATURE_NAMES)), np.ones(len(FEATURE_NAMES)))
    feature_maker = EmbeddingSummarizer(encoder, placeholder)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    docs = [Document.from_article(Article(id=str(e.id), title=e.title, body=e.body)) for e in examples]
    features = feature_maker.document_features(docs)
    encoder.save()
    print(f"features for {len(docs)} articles in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    train_x, train_y = [], []
    matched = total = 0
    for example, doc, (feats, _) in zip(examples, docs, features, strict=True):
        reference = norm(example.reference)
        labels = np.array([float(norm(s) in reference) for s in doc.sentences])
        matched += int(labels.sum())
        total += len(labels)
        if not is_heldout(str(example.id)):
            train_x.append(feats)
            train_y.append(labels)
    x, y = np.vstack(train_x), np.concatenate(train_y)
    scorer = fit_logistic(x, y, l2=args.l2)
    print(f"labels: {matched}/{total} article sentences are in their reference; training rows {len(y)}", file=sys.stderr)
    for name, w in sorted(zip(FEATURE_NAMES, scorer.weights, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:18s} {w:+.3f}", file=sys.stderr)

    heldout = [e for e in examples if is_heldout(str(e.id))]
    train = [e for e in examples if not is_heldout(str(e.id))]
    summarizer = EmbeddingSummarizer(encoder, scorer)  # type: ignore[arg-type]
    report = {}
    for split, rows in (("heldout", heldout), ("train", train)):
        result = evaluate_summaries(rows, summarizer, sentences=args.sentences)
        report[split] = result
        print(f"\n{split}: {result['data_size']} articles, {args.sentences} sentences", file=sys.stderr)
        for row in result["rows"]:
            print(
                f"  {row['name']:22s} R1 {row['rouge1']:6.2f}  R2 {row['rouge2']:6.2f}  RLsum {row['rougeLsum']:6.2f}"
                f"  words {row['words']:6.1f}",
                file=sys.stderr,
            )
        print(
            f"  R2 gain over Lead-3 {result['rouge2_gain_over_lead3']:+.2f}; length x{result['length_vs_lead3']};"
            f" gap closed {result['lead3_to_oracle_gap_closed']}",
            file=sys.stderr,
        )

    if args.write_heldout:
        with args.write_heldout.open("w", encoding="utf-8") as fh:
            for e in heldout:
                fh.write(json.dumps(e.model_dump(), ensure_ascii=False) + "\n")
        print(f"wrote {len(heldout)} held-out examples to {args.write_heldout}", file=sys.stderr)
    if not args.dry_run:
        meta = {
            "model": "logistic regression (L2, Newton) on standardised features; score = log-odds",
            "labels": "article sentence appears verbatim in the reference summary",
            "trained_on": f"{args.data.name}: {len(train)} articles, {len(y)} sentences (sha256(id) % {FOLDS} != 0)",
            "heldout": f"{len(heldout)} articles with sha256(id) % {FOLDS} == 0, never trained on",
            "l2": args.l2,
            "heldout_rouge2": next(r["rouge2"] for r in report["heldout"]["rows"] if r["name"].startswith("system")),
            "reproduce": "PYTHONPATH=functions python benchmarks/train_summary_scorer.py "
            "--data ../shared/data/bbc-summary-dev.jsonl",
        }
        args.out.write_text(json.dumps(scorer.to_json(**meta), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
