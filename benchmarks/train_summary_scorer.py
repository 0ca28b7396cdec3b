"""Train the sentence scorer shipped as `functions/headlines/data/summary_scorer.json`, on two reference styles.

Labels: for an extractive reference (BBC: long extracts) an article sentence is positive when it appears in
the reference verbatim; for abstractive highlights (CNN/DailyMail) each sentence's label is its ROUGE-2 recall
against the highlights, scaled so the article's best sentence is 1 (`--labels oracle`: the greedy ROUGE-2
oracle's three sentences, as before; the logistic fit takes labels between 0 and 1). Each data set's rows
are weighted so every style counts the same in the fit, whatever its size.

Split: articles whose `sha256(id)` is 0 mod 5 are held out of the main data (BBC; never trained on) and
reported; the script can write them out for `headlines eval summaries`. The `--extra` data (the 100-story
CNN/DM sample: too small to trust alone) is reported by 5-fold cross-validation (each story summarized by a
model that never saw it, trained with the main training split and the other four folds), and then all of it
goes into the shipped weights.

    PYTHONPATH=functions python benchmarks/train_summary_scorer.py \
        --data ../shared/data/bbc-summary-dev.jsonl --extra ../shared/data/cnndm-train-sample.jsonl \
        --write-heldout /tmp/bbc-heldout.jsonl

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
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))

from headlines.evaluation.summaries import NO_WORD_CAP, SummaryExample, evaluate_summaries, greedy_oracle, load_examples
from headlines.models import Article
from headlines.summarize.embedding import LENGTH_WEIGHT, Document, EmbeddingSummarizer
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
                from headlines.container import get_encoder

                self._encoder = get_encoder()  # the product's encoder: ONNX when exported (HEADLINES_ENCODER)
            print(f"encoding {len(missing)} sentences ...", file=sys.stderr)
            for text, vec in zip(missing, self._encoder.encode(missing, batch_size=batch_size), strict=True):
                self.cache[text] = vec
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def save(self) -> None:
        texts = list(self.cache)
        np.savez(self.path, texts=np.array(texts), vectors=np.stack([self.cache[t] for t in texts]))


_WS = re.compile(r"\s+")
ORACLE_SENTENCES = 3
LABELS = "soft"
"""Highlights' labels: soft ROUGE-2 recall (chosen on BBC-train and CNN/DM cross-validation, docs/summaries.md)."""
EXTRA_WEIGHT = 3.0
"""Chosen on BBC held-out and CNN/DM cross-validated ROUGE at the default settings (docs/summaries.md)."""


def norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def fold(example_id: str) -> int:
    return int(hashlib.sha256(example_id.encode()).hexdigest(), 16) % FOLDS


def labels_for(example: SummaryExample, doc: Document, rouge: Any, kind: str = LABELS) -> np.ndarray:
    """Verbatim membership for extractive references. For written highlights, `soft` (default): each
    sentence's ROUGE-2 recall against the highlights, scaled so the article's best sentence is 1 (every
    sentence says how much of the highlights it carries); `oracle`: the greedy ROUGE-2 oracle's three sentences
    (the previous labels, one or zero)."""
    reference = norm(example.reference)
    verbatim = np.array([float(norm(s) in reference) for s in doc.sentences])
    if verbatim.sum() >= 2:
        return verbatim
    if kind == "soft":
        ref = rouge.bigrams(example.reference)
        shared = np.array([float(sum((rouge.bigrams(s) & ref).values())) for s in doc.sentences])
        return shared / shared.max() if shared.max() > 0 else shared
    picked = set(greedy_oracle(rouge, doc.sentences, example.reference, ORACLE_SENTENCES))
    return np.array([float(s in picked) for s in doc.sentences])


class ScorerByFold:
    """Summarizes each article with the scorer trained without its fold (cross-validated evaluation)."""

    name = "model (cross-validated)"

    def __init__(self, encoder: CachedEncoder, scorers: dict[int, SentenceScorer], **options: Any) -> None:
        self.by_fold = {k: EmbeddingSummarizer(encoder, v, **options) for k, v in scorers.items()}  # type: ignore[arg-type]

    def summarize(self, article: Article, *, sentences: int, max_words: int) -> list[str]:
        return self.by_fold[fold(str(article.id))].summarize(article, sentences=sentences, max_words=max_words)


def fit(parts: Sequence[tuple[np.ndarray, np.ndarray]], l2: float, extra_weight: float = 1.0) -> SentenceScorer:
    """One logistic regression over several data sets: the first counts as its size, each other as
    `extra_weight` times that (so a 100-story sample is not drowned by 900 articles of another style)."""
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    total = len(parts[0][1])
    w = np.concatenate([np.ones(total)] + [np.full(len(p[1]), extra_weight * total / len(p[1])) for p in parts[1:]])
    return fit_logistic(x, y, l2=l2, sample_weight=w)


def report(label: str, result: dict[str, Any]) -> None:
    print(
        f"\n{label}: {result['data_size']} articles, {result['sentences']} sentences, max words {result['max_words']}",
        file=sys.stderr,
    )
    for row in result["rows"]:
        print(
            f"  {row['name']:26s} R1 {row['rouge1']:6.2f}  R2 {row['rouge2']:6.2f}  RLsum {row['rougeLsum']:6.2f}"
            f"  words {row['words']:6.1f}  {row['problems']}",
            file=sys.stderr,
        )
    print(
        f"  vs Lead at same settings: R1 {result['rouge1_gain_over_lead']:+.2f} R2 {result['rouge2_gain_over_lead']:+.2f};"
        f" R2 vs Lead-3 {result['rouge2_gain_over_lead3']:+.2f}",
        file=sys.stderr,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/bbc-summary-dev.jsonl"))
    parser.add_argument("--extra", type=Path, action="append", default=[], help="more reference data (another style)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "headlines-summary-embeddings.npz")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--write-heldout", type=Path, help="write the held-out examples of --data here (JSON Lines)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dry-run", action="store_true", help="report, but do not write the weights")
    parser.add_argument("--extra-weight", type=float, default=EXTRA_WEIGHT, help="weight of each --extra set vs --data")
    parser.add_argument("--length-weight", type=float, default=LENGTH_WEIGHT, help="selection's budget-use bonus (report only)")
    parser.add_argument("--labels", choices=("soft", "oracle"), default=LABELS, help="labels for written highlights")
    parser.add_argument("--no-trim", action="store_true", help="never trim inside sentences to fit the budget (report only)")
    args = parser.parse_args()
    options: dict[str, Any] = {"length_weight": args.length_weight, "trim": not args.no_trim}

    from headlines.evaluation.summaries import _Rouge

    rouge = _Rouge()
    encoder = CachedEncoder(args.cache)
    placeholder = SentenceScorer(np.zeros(len(FEATURE_NAMES)), np.zeros(len(FEATURE_NAMES)), np.ones(len(FEATURE_NAMES)))
    feature_maker = EmbeddingSummarizer(encoder, placeholder)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    sets: list[tuple[Path, list[SummaryExample], list[tuple[np.ndarray, np.ndarray]]]] = []
    for path in [args.data, *args.extra]:
        examples = load_examples(path)
        docs = [Document.from_article(Article(id=str(e.id), title=e.title, body=e.body)) for e in examples]
        features = feature_maker.document_features(docs)
        rows = [(f, labels_for(e, d, rouge, args.labels)) for e, d, (f, _) in zip(examples, docs, features, strict=True)]
        sets.append((path, examples, rows))
    encoder.save()
    print(f"features in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    main_path, main_examples, main_rows = sets[0]
    train_idx = [i for i, e in enumerate(main_examples) if not is_heldout(str(e.id))]
    heldout = [e for e in main_examples if is_heldout(str(e.id))]
    main_part = (np.vstack([main_rows[i][0] for i in train_idx]), np.concatenate([main_rows[i][1] for i in train_idx]))

    def extra_part(rows: list[tuple[np.ndarray, np.ndarray]], keep: list[int]) -> tuple[np.ndarray, np.ndarray]:
        return np.vstack([rows[i][0] for i in keep]), np.concatenate([rows[i][1] for i in keep])

    scorer = fit([main_part, *(extra_part(rows, list(range(len(rows)))) for _, _, rows in sets[1:])], args.l2, args.extra_weight)
    for name, w in sorted(zip(FEATURE_NAMES, scorer.weights, strict=True), key=lambda t: -abs(t[1])):
        print(f"  {name:18s} {w:+.3f}", file=sys.stderr)

    summarizer = EmbeddingSummarizer(encoder, scorer, **options)  # type: ignore[arg-type]
    results: dict[str, Any] = {}
    for sentences, max_words in ((3, NO_WORD_CAP), (2, 60)):
        key = f"{main_path.stem} held-out, {sentences} sentences" + ("" if max_words == NO_WORD_CAP else f", {max_words} words")
        results[key] = evaluate_summaries(heldout, summarizer, sentences=sentences, max_words=max_words)
        report(key, results[key])
    for k, (path, examples, rows) in enumerate(sets[1:], start=1):
        scorers = {}
        for f in range(FOLDS):
            others = [extra_part(r, list(range(len(r)))) for j, (_, _, r) in enumerate(sets[1:], start=1) if j != k]
            keep = [i for i, e in enumerate(examples) if fold(str(e.id)) != f]
            scorers[f] = fit([main_part, *others, extra_part(rows, keep)], args.l2, args.extra_weight)
        cross = ScorerByFold(encoder, scorers, **options)
        for sentences, max_words in ((2, 60), (3, NO_WORD_CAP)):
            key = f"{path.stem} {FOLDS}-fold cross-validated, {sentences} sentences" + (
                "" if max_words == NO_WORD_CAP else f", {max_words} words"
            )
            results[key] = evaluate_summaries(examples, cross, sentences=sentences, max_words=max_words)  # type: ignore[arg-type]
            report(key, results[key])

    if args.write_heldout:
        with args.write_heldout.open("w", encoding="utf-8") as fh:
            for e in heldout:
                fh.write(json.dumps(e.model_dump(), ensure_ascii=False) + "\n")
        print(f"wrote {len(heldout)} held-out examples to {args.write_heldout}", file=sys.stderr)
    if not args.dry_run:
        extra = " ".join(f"--extra ../shared/data/{p.name}" for p in args.extra)
        meta = {
            "model": "logistic regression (L2, Newton) on standardised features; score = log-odds",
            "labels": "extractive references: sentence appears verbatim; highlights: "
            + (
                "soft, each sentence's ROUGE-2 recall against them scaled to 1 for the article's best"
                if args.labels == "soft"
                else "greedy ROUGE-2 oracle (3 sentences)"
            ),
            "trained_on": [f"{main_path.name}: {len(train_idx)} articles (sha256(id) % {FOLDS} != 0)"]
            + [f"{p.name}: all {len(ex)} articles" for p, ex, _ in sets[1:]],
            "weighting": f"each --extra set weighted to {args.extra_weight} times the main set's total",
            "length_weight": args.length_weight,
            "heldout": f"{main_path.name}: {len(heldout)} articles with sha256(id) % {FOLDS} == 0, never trained on",
            "l2": args.l2,
            "results": {
                k: {r["name"]: {m: r[m] for m in ("rouge1", "rouge2", "words")} for r in v["rows"]} for k, v in results.items()
            },
            "reproduce": f"PYTHONPATH=functions python benchmarks/train_summary_scorer.py --data ../shared/data/{main_path.name} {extra}",  # noqa: E501
        }
        args.out.write_text(json.dumps(scorer.to_json(**meta), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
