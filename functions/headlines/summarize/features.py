"""Per-sentence features for the learned sentence scorer: position, embedding centrality, title similarity,
word-frequency salience, length and form.

Kept apart from the summarizer so the training script (`benchmarks/train_summary_scorer.py`) computes
exactly the features the summarizer scores at run time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from headlines.furniture import has_terminal_punctuation
from headlines.summarize.coherence import is_dependent_opening
from headlines.summarize.words import content_words

_QUOTES = ('"', "\u201c", "'", "\u2018")

FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "first",
    "second",
    "third",
    "log_words_before",
    "rel_position",
    "inv_position",
    "paragraph_start",
    "log_words",
    "short",
    "long",
    "centroid_cos",
    "centroid_rank",
    "title_cos",
    "title_rank",
    "has_title",
    "mean_sim",
    "lead_cos",
    "tf_mean",
    "tf_rank",
    "title_overlap",
    "quote",
    "digits",
    "log_doc_sentences",
    "dependent_opening",
    "unpunctuated",
)


def _rank(values: np.ndarray) -> np.ndarray:
    """Percentile rank within the document: 1 for the highest value, near 0 for the lowest."""
    n = len(values)
    if n == 1:
        return np.ones(1)
    order = np.argsort(np.argsort(-values, kind="stable"), kind="stable")
    return 1.0 - order / (n - 1)


def sentence_features(
    sentences: Sequence[str],
    embeddings: np.ndarray,
    *,
    title: str | None = None,
    title_embedding: np.ndarray | None = None,
    paragraph_starts: Sequence[bool] | None = None,
) -> np.ndarray:
    """Feature matrix of shape (len(sentences), len(FEATURE_NAMES)); embeddings must be L2-normalised rows."""
    n = len(sentences)
    emb = np.asarray(embeddings, dtype=np.float64)
    feats = np.zeros((n, len(FEATURE_NAMES)))
    if n == 0:
        return feats
    idx = np.arange(n, dtype=np.float64)
    words = np.array([max(1, len(s.split())) for s in sentences], dtype=np.float64)

    centroid = emb.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    centroid_cos = emb @ centroid
    sims = emb @ emb.T
    mean_sim = (sims.sum(axis=1) - 1.0) / max(1, n - 1)
    has_title = title_embedding is not None
    title_cos = emb @ np.asarray(title_embedding, dtype=np.float64) if has_title else np.zeros(n)

    tokens = [content_words(s) for s in sentences]
    counts = Counter(w for ts in tokens for w in set(ts))
    top = max(counts.values(), default=1)
    tf_mean = np.array([np.mean([counts[w] / top for w in ts]) if ts else 0.0 for ts in tokens])
    title_words = set(content_words(title or ""))
    title_overlap = np.array([len(title_words & set(ts)) / (len(title_words) or 1) for ts in tokens])

    starts = np.zeros(n) if paragraph_starts is None else np.asarray(paragraph_starts, dtype=np.float64)
    columns = {
        "bias": np.ones(n),
        "first": (idx == 0).astype(float),
        "second": (idx == 1).astype(float),
        "third": (idx == 2).astype(float),
        "log_words_before": np.log1p(np.concatenate([[0.0], np.cumsum(words)[:-1]])),
        "rel_position": idx / max(1, n - 1),
        "inv_position": 1.0 / (idx + 1.0),
        "paragraph_start": starts,
        "log_words": np.log(words),
        "short": (words < 8).astype(float),
        "long": (words > 40).astype(float),
        "centroid_cos": centroid_cos,
        "centroid_rank": _rank(centroid_cos),
        "title_cos": title_cos,
        "title_rank": _rank(title_cos) if title_embedding is not None else np.zeros(n),
        "has_title": np.full(n, float(title_embedding is not None)),
        "mean_sim": mean_sim,
        "lead_cos": sims[0],
        "tf_mean": tf_mean,
        "tf_rank": _rank(tf_mean),
        "title_overlap": title_overlap,
        "quote": np.array([float(s.lstrip().startswith(_QUOTES)) for s in sentences]),
        "digits": np.array([float(any(c.isdigit() for c in s)) for s in sentences]),
        "log_doc_sentences": np.full(n, math.log(n)),
        "dependent_opening": np.array([float(is_dependent_opening(s)) for s in sentences]),
        "unpunctuated": np.array([float(not has_terminal_punctuation(s)) for s in sentences]),
    }
    for j, name in enumerate(FEATURE_NAMES):
        feats[:, j] = columns[name]
    return feats
