"""Extractive summaries from transformer sentence embeddings and a small learned sentence scorer.

Each sentence is embedded with the local sentence encoder (all-MiniLM-L6-v2 by default); features
(position, cosine to the article centroid and to the title, word-frequency salience, length; see
`features.py`) are scored by a logistic regression trained on reference summaries
(`benchmarks/train_summary_scorer.py`). The best-scoring sentences that fit the budget and do not
repeat an already chosen one are returned in reading order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from headlines.encoder import SentenceEncoder
from headlines.errors import BadInputError
from headlines.furniture import is_furniture_sentence
from headlines.models import Article
from headlines.summarize.coherence import is_cut, is_dependent_opening, is_speakerless_quote, near_duplicates
from headlines.summarize.features import sentence_features
from headlines.summarize.scorer import SentenceScorer
from headlines.summarize.trim import trim_sentence
from headlines.text import split_sentences_with_paragraphs, truncate_words, word_count

MAX_CANDIDATE_SENTENCES = 120
"""Only an article's first 120 sentences (about 2,500 words) are candidates; later text is ignored (1 MB bodies)."""

MAX_SENTENCE_WORDS = 120
"""A 'sentence' longer than this (a list, a table row run together) is cut before it is embedded."""

ENCODE_BATCH = 8
"""Sentences per encoder forward pass. Texts are length-sorted, so small batches pad little: on one core
a 600-word article encodes about 20% faster in batches of 8 than of 32 (benchmarks/summarize_speed.py)."""

REDUNDANCY_THRESHOLD = 0.9
"""A candidate whose cosine to an already chosen sentence exceeds this repeats it and is skipped."""

POOL = 12
"""Sentences weighed together when choosing a summary: the best-scoring readable ones."""

MAX_SETS = 5000
"""Above this many candidate sets (long summaries asked for), selection is greedy instead."""

LENGTH_WEIGHT = 1.5
"""Bonus for using the word budget, in units of one sentence's inclusion probability (tuned on both styles)."""


MMR_WEIGHT = 0.0
"""Penalty per chosen pair, times their cosine: overlapping sentences are worth less together (MMR-style)."""


class SummarizeError(BadInputError, ValueError):
    """The article has no summarisable text, e.g. its body was only markup or agency boilerplate."""


@dataclass
class Document:
    """An article split for scoring: candidate sentences, paragraph starts, title, and each sentence trimmed
    (`trim.py`; the sentence itself where nothing is trimmed)."""

    sentences: list[str]
    paragraph_starts: list[bool]
    title: str | None
    trimmed: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.trimmed) != len(self.sentences):
            self.trimmed = list(self.sentences)

    @classmethod
    def from_article(cls, article: Article) -> Document:
        pairs = split_sentences_with_paragraphs(article.body)[:MAX_CANDIDATE_SENTENCES]
        sentences = [truncate_words(s, MAX_SENTENCE_WORDS) for s, _ in pairs]
        title = (article.title or "").strip() or None
        trimmed = [trim_sentence(s) for s in sentences]
        return cls(sentences=sentences, paragraph_starts=[p for _, p in pairs], title=title, trimmed=trimmed)


class EmbeddingSummarizer:
    """Picks whole sentences by learned score over transformer-embedding and position features.

    The encoder arrives through the constructor (`headlines.container` passes the process-wide one),
    so tests and other runtimes can hand in any `SentenceEncoder`.
    """

    name = "model"

    def __init__(
        self,
        encoder: SentenceEncoder,
        scorer: SentenceScorer | None = None,
        *,
        redundancy: float = REDUNDANCY_THRESHOLD,
        length_weight: float = LENGTH_WEIGHT,
        trim: bool = True,
        mmr: float = MMR_WEIGHT,
    ) -> None:
        self.encoder = encoder
        self.trim = trim
        self.mmr = mmr
        self.scorer = scorer or SentenceScorer.load()
        self.redundancy = redundancy
        self.length_weight = length_weight

    def summarize(self, article: Article, *, sentences: int, max_words: int) -> list[str]:
        return self.summarize_many([article], sentences=sentences, max_words=max_words)[0]

    def summarize_many(self, articles: Sequence[Article], *, sentences: int, max_words: int) -> list[list[str]]:
        """Summaries for a batch; all sentences of the batch are encoded in one call (throughput)."""
        docs = [Document.from_article(a) for a in articles]
        for article, doc in zip(articles, docs, strict=True):
            if not doc.sentences:
                raise SummarizeError(
                    f"article {article.id or article.title or ''!s} has no text to summarize "
                    "after removing markup and boilerplate"
                )
        scored = self.score_documents(docs)
        return [
            self.select(doc, scores, emb, sentences=sentences, max_words=max_words)
            for doc, (scores, emb) in zip(docs, scored, strict=True)
        ]

    def score_documents(self, docs: Sequence[Document]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(scores, sentence embeddings) per document, from one encoder call over the whole batch."""
        features = self.document_features(docs)
        return [(self.scorer.score(f), emb) for f, emb in features]

    def document_features(self, docs: Sequence[Document]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(feature matrix, sentence embeddings) per document; the training script uses this too."""
        texts: list[str] = []
        spans: list[tuple[int, int, int | None]] = []
        for doc in docs:
            start = len(texts)
            texts.extend(doc.sentences)
            title_at = None
            if doc.title:
                title_at = len(texts)
                texts.append(doc.title)
            spans.append((start, start + len(doc.sentences), title_at))
        vectors = (
            self.encoder.encode(texts, batch_size=ENCODE_BATCH) if texts else np.zeros((0, self.encoder.dim), dtype=np.float32)
        )
        out = []
        for doc, (start, end, title_at) in zip(docs, spans, strict=True):
            emb = vectors[start:end]
            feats = sentence_features(
                doc.sentences,
                emb,
                title=doc.title,
                title_embedding=vectors[title_at] if title_at is not None else None,
                paragraph_starts=doc.paragraph_starts,
            )
            out.append((feats, emb))
        return out

    def select(self, doc: Document, scores: np.ndarray, emb: np.ndarray, *, sentences: int, max_words: int) -> list[str]:
        """The best readable set of sentences within both limits, in reading order.

        Among the `POOL` best readable sentences (plus the sentence before any that opens with a pronoun or
        connective), every set that fits the budget, repeats nothing and does not open unresolved is weighed
        by the summed probability that a reference would include its sentences plus `length_weight` times the
        share of the word budget it uses; the best set wins. Too many sets to weigh: `select_greedy`.
        """
        words = [word_count(s) for s in doc.sentences]
        short = [word_count(s) for s in doc.trimmed] if self.trim else words
        prob = 1.0 / (1.0 + np.exp(-np.asarray(scores, dtype=np.float64)))
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        top = [i for i in order if readable(doc.sentences[i])][:POOL]
        pool = sorted(
            set(top) | {i - 1 for i in top if i > 0 and is_dependent_opening(doc.sentences[i]) and readable(doc.sentences[i - 1])}
        )
        if not pool or sum(math.comb(len(pool), k) for k in range(1, sentences + 1)) > MAX_SETS:
            return self.select_greedy(doc, scores, emb, sentences=sentences, max_words=max_words)
        budget = min(max_words, sum(sorted(words[i] for i in pool)[-sentences:]))  # what could be filled at most
        repeats = {(a, b) for a, b in combinations(pool, 2) if self._repeats(doc, emb, [a], b)}
        best: tuple[float, tuple[int, ...], bool] | None = None
        for k in range(1, sentences + 1):
            for subset in combinations(pool, k):  # ascending, so subset[0] opens the summary
                used = sum(words[i] for i in subset)
                trimmed = used > max_words  # whole sentences when they fit; trimmed ones only to fit the budget
                if trimmed:
                    used = sum(short[i] for i in subset)
                    if used > max_words:
                        continue
                opener = subset[0]
                if opener > 0 and is_dependent_opening(doc.sentences[opener]) and opener - 1 not in subset:
                    continue
                if any(pair in repeats for pair in combinations(subset, 2)):
                    continue
                value = float(sum(prob[i] for i in subset)) + self.length_weight * used / max(1, budget)
                if self.mmr and k > 1:
                    value -= self.mmr * sum(max(0.0, float(emb[a] @ emb[b])) for a, b in combinations(subset, 2))
                if best is None or value > best[0] + 1e-12:
                    best = (value, subset, trimmed)
        if best is None:
            return self.select_greedy(doc, scores, emb, sentences=sentences, max_words=max_words)
        shown = doc.trimmed if best[2] else doc.sentences
        return [shown[i] for i in best[1]]

    def select_greedy(self, doc: Document, scores: np.ndarray, emb: np.ndarray, *, sentences: int, max_words: int) -> list[str]:
        """Best-scoring sentences within both limits that read cleanly on their own, in reading order.

        Skipped: captions and other furniture, sentences without final punctuation, quotes without a speaker,
        and repeats (cosine above `redundancy`, or most content words shared). When the summary would open with
        a pronoun or connective, the sentence before it is added if it fits; otherwise that opener is dropped
        and the next best takes its place. Only if no sentence passes are the checks relaxed.
        """
        words = [word_count(s) for s in doc.sentences]
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        clean = [i for i in order if readable(doc.sentences[i])]
        chosen = self._fill(doc, emb, clean, [], set(), words, sentences=sentences, max_words=max_words)
        banned: set[int] = set()
        for _ in range(len(doc.sentences)):
            if not chosen:
                break
            opener = min(chosen)
            if opener == 0 or not is_dependent_opening(doc.sentences[opener]) or opener - 1 in chosen:
                break
            before = opener - 1
            if (
                len(chosen) < sentences
                and sum(words[i] for i in chosen) + words[before] <= max_words
                and readable(doc.sentences[before])
                and not self._repeats(doc, emb, chosen, before)
            ):
                chosen.append(before)
                continue
            banned.add(opener)
            chosen.remove(opener)
            chosen = self._fill(doc, emb, clean, chosen, banned, words, sentences=sentences, max_words=max_words)
        if not chosen:
            chosen = self._fill(doc, emb, order, [], set(), words, sentences=sentences, max_words=max_words)
        if not chosen:  # even the shortest sentence is over budget: cut the best one
            return [truncate_words(doc.sentences[int(np.argmax(scores))], max_words)]
        return [doc.sentences[i] for i in sorted(chosen)]

    def _repeats(self, doc: Document, emb: np.ndarray, chosen: Sequence[int], i: int) -> bool:
        if not chosen:
            return False
        if float(np.max(emb[list(chosen)] @ emb[i])) > self.redundancy:
            return True
        return any(near_duplicates(doc.sentences[j], doc.sentences[i]) for j in chosen)

    def _fill(
        self,
        doc: Document,
        emb: np.ndarray,
        order: Sequence[int],
        chosen: list[int],
        banned: set[int],
        words: Sequence[int],
        *,
        sentences: int,
        max_words: int,
    ) -> list[int]:
        """Add candidates in `order` while both limits hold, skipping banned ones and repeats."""
        chosen = list(chosen)
        used = sum(words[i] for i in chosen)
        for i in order:
            if len(chosen) >= sentences:
                break
            if i in chosen or i in banned or used + words[i] > max_words:
                continue
            if self._repeats(doc, emb, chosen, i):
                continue
            chosen.append(i)
            used += words[i]
        return chosen


def readable(sentence: str) -> bool:
    """A sentence fit to show on its own: not furniture, not cut, not a quote without its speaker."""
    return not (is_furniture_sentence(sentence) or is_cut(sentence) or is_speakerless_quote(sentence))
