"""Per-sentence features for the learned sentence scorer: position, embedding centrality, title similarity,
word-frequency salience, lexical TextRank centrality, length and form.

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
    "textrank",
    "textrank_rank",
)

TEXTRANK_DAMPING = 0.85
TEXTRANK_ITERATIONS = 50


def _rank(values: np.ndarray) -> np.ndarray:
    """Percentile rank within the document: 1 for the highest value, near 0 for the lowest."""
    n = len(values)
    if n == 1:
        return np.ones(1)
    order = np.argsort(np.argsort(-values, kind="stable"), kind="stable")
    return 1.0 - order / (n - 1)


def textrank(tokens: Sequence[Sequence[str]]) -> np.ndarray:
    """Lexical TextRank centrality (Mihalcea and Tarau 2004, the graph sumy's TextRank ranks by), mean 1.

    PageRank over sentences linked by the content words they share, each edge weighted by shared words /
    (log |a| + log |b|) (sentences of one content word link to nothing). A different signal from the embedding
    cosines: it rewards sentences that repeat the article's own names and terms, as BBC's extracts do.
    Cheap: one incidence-matrix product and a few dozen multiplications of an n x n matrix.
    """
    n = len(tokens)
    if n <= 1:
        return np.ones(n)
    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(w, len(vocab)) for w in set(ts)] for ts in tokens]
    incidence = np.zeros((n, max(1, len(vocab))))
    for i, cols in enumerate(rows):
        incidence[i, cols] = 1.0
    sizes = incidence.sum(axis=1)
    linked = sizes > 1
    logs = np.log(np.where(linked, sizes, 2.0))
    weights = (incidence @ incidence.T) / (logs[:, None] + logs[None, :])
    weights[~linked, :] = 0.0
    weights[:, ~linked] = 0.0
    np.fill_diagonal(weights, 0.0)
    out = weights.sum(axis=1, keepdims=True)
    transition = np.where(out > 0, weights / np.where(out > 0, out, 1.0), 1.0 / n)  # no links: jump anywhere
    rank = np.full(n, 1.0 / n)
    for _ in range(TEXTRANK_ITERATIONS):
        new = (1.0 - TEXTRANK_DAMPING) / n + TEXTRANK_DAMPING * (transition.T @ rank)
        done = float(np.abs(new - rank).sum()) < 1e-9
        rank = new
        if done:
            break
    return rank * n


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

    central = textrank(tokens)

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
        "textrank": central,
        "textrank_rank": _rank(central),
    }
    for j, name in enumerate(FEATURE_NAMES):
        feats[:, j] = columns[name]
    return feats
