"""Summary quality against reference summaries: ROUGE for the system and, in the same run, Lead-1, Lead-3
and the greedy extractive oracle.

Scores are F1 from the `rouge-score` package with stemming on; ROUGE-Lsum joins sentences with newlines.
Every row is compared at the same sentence count with the same word budget (none by default), so a
system cannot win or lose by length alone; mean length in words is reported beside each row.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from headlines.errors import BadInputError
from headlines.evaluation.records import json_lines
from headlines.models import Article
from headlines.summarize.base import Summarizer, fit_to_budget
from headlines.summarize.coherence import ReaderProblems, reader_problems
from headlines.text import split_sentences

NO_WORD_CAP = 10_000
"""The default word budget for every row: effectively none, so rows differ only in which sentences they pick."""

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
BATCH = 32


class EvaluationError(BadInputError):
    """The evaluation data is missing or malformed; the message names the file and line."""


class SummaryExample(BaseModel):
    """One line of an evaluation file."""

    id: str | int | None = None
    title: str | None = None
    body: str = Field(min_length=1)
    reference: str = Field(min_length=1)


@dataclass
class RowScore:
    """Mean ROUGE F1 (0-100) and mean length in words for one system over the data."""

    name: str
    rouge1: float = 0.0
    rouge2: float = 0.0
    rougeLsum: float = 0.0
    words: float = 0.0
    sentences: float = 0.0
    problems: ReaderProblems = field(default_factory=ReaderProblems)
    _sums: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float), repr=False)
    _n: int = field(default=0, repr=False)

    def add(self, scores: dict[str, float], words: int, sentences: int, problems: ReaderProblems | None = None) -> None:
        if problems is not None:
            self.problems += problems
        for key, value in scores.items():
            self._sums[key] += value
        self._sums["words"] += words
        self._sums["sentences"] += sentences
        self._n += 1
        for key in (*ROUGE_TYPES, "words", "sentences"):
            mean = self._sums[key] / self._n
            setattr(self, key, mean * 100 if key in ROUGE_TYPES else mean)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "rouge1": round(self.rouge1, 2),
            "rouge2": round(self.rouge2, 2),
            "rougeLsum": round(self.rougeLsum, 2),
            "words": round(self.words, 1),
            "sentences": round(self.sentences, 2),
            "problems": self.problems.as_dict(),
        }


# Some references glue sentences together ("... $10.9bn.For the full-year ..."): put the space back.
_GLUED = re.compile(r"(?<=[a-z0-9%)\]][.!?])(?=[\"\u201c]?[A-Z])|(?<=[.!?][\"\u201d])(?=[A-Z])")


def reference_sentences(reference: str) -> list[str]:
    return split_sentences(_GLUED.sub(" ", reference))


def load_examples(path: Path) -> list[SummaryExample]:
    examples = []
    for number, raw in json_lines(path, EvaluationError):
        try:
            examples.append(SummaryExample.model_validate(raw))
        except ValidationError as exc:
            raise EvaluationError(f"{path}:{number}: not a summary example with body and reference ({exc})") from exc
    if not examples:
        raise EvaluationError(f"{path} has no examples; expected JSON Lines with id, title, body, reference")
    return examples


class _Rouge:
    """rouge-score with stemming; also its tokens, for the fast greedy oracle."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer, tokenizers

        self.scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
        self.tokenizer = tokenizers.DefaultTokenizer(use_stemmer=True)

    def score(self, reference: Sequence[str], summary: Sequence[str]) -> dict[str, float]:
        result = self.scorer.score("\n".join(reference), "\n".join(summary))
        return {key: result[key].fmeasure for key in ROUGE_TYPES}

    def bigrams(self, text: str) -> Counter[tuple[str, str]]:
        tokens = self.tokenizer.tokenize(text)
        return Counter(pairwise(tokens))


def greedy_oracle(rouge: _Rouge, sentences: Sequence[str], reference: str, n: int) -> list[str]:
    """Greedily add the article sentence that most raises ROUGE-2 F1, until n are chosen; reading order."""
    ref = rouge.bigrams(reference)
    ref_total = sum(ref.values())
    cands = [rouge.bigrams(s) for s in sentences]
    chosen: list[int] = []
    current: Counter[tuple[str, str]] = Counter()
    while len(chosen) < min(n, len(sentences)):
        best, best_f = None, -1.0
        for i, grams in enumerate(cands):
            if i in chosen:
                continue
            merged = current + grams
            total = sum(merged.values())
            overlap = sum((merged & ref).values())
            f = 0.0 if not overlap else 2 * overlap / (total + ref_total)
            if f > best_f:
                best, best_f = i, f
        assert best is not None
        chosen.append(best)
        current += cands[best]
    return [sentences[i] for i in sorted(chosen)]


def _batches(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _summarize_all(summarizer: Summarizer, articles: Sequence[Article], *, sentences: int, max_words: int) -> list[list[str]]:
    many: Callable[..., list[list[str]]] | None = getattr(summarizer, "summarize_many", None)
    out: list[list[str]] = []
    for batch in _batches(articles, BATCH):
        if many is not None:
            out.extend(many(batch, sentences=sentences, max_words=max_words))
        else:
            out.extend(summarizer.summarize(a, sentences=sentences, max_words=max_words) for a in batch)
    return out


def evaluate_summaries(
    examples: Sequence[SummaryExample],
    summarizer: Summarizer,
    *,
    sentences: int = 3,
    max_words: int = NO_WORD_CAP,
    baselines: Sequence[Summarizer] = (),
) -> dict[str, Any]:
    """Score `summarizer` and the baselines on `examples`; returns rows plus the Lead-3-to-oracle gap closed.

    `baselines` (e.g. TextRank) get a row each, at the same sentence count and word budget as the system.
    """
    rouge = _Rouge()
    articles = [Article(id=str(e.id) if e.id is not None else None, title=e.title, body=e.body) for e in examples]
    system = _summarize_all(summarizer, articles, sentences=sentences, max_words=max_words)
    others = {
        f"baseline{k}": _summarize_all(b, articles, sentences=sentences, max_words=max_words) for k, b in enumerate(baselines)
    }
    rows = {
        "system": RowScore(f"system ({summarizer.name})"),
        "lead": RowScore("Lead, same settings"),
        "lead1": RowScore("Lead-1"),
        "lead3": RowScore("Lead-3"),
        "oracle": RowScore(f"oracle ({sentences} sent.)"),
        **{f"baseline{k}": RowScore(b.name) for k, b in enumerate(baselines)},
    }
    for n, (example, summary) in enumerate(zip(examples, system, strict=True)):
        ref = reference_sentences(example.reference)
        doc = split_sentences(example.body)
        picks = {
            "system": summary,
            "lead": fit_to_budget(doc, sentences=sentences, max_words=max_words),
            "lead1": fit_to_budget(doc, sentences=1, max_words=max_words),
            "lead3": fit_to_budget(doc, sentences=3, max_words=max_words),
            "oracle": greedy_oracle(rouge, doc, example.reference, sentences),
            **{key: picked[n] for key, picked in others.items()},
        }
        for key, picked in picks.items():
            words = sum(len(s.split()) for s in picked)
            rows[key].add(rouge.score(ref, picked), words, len(picked), reader_problems(picked, doc))
    lead3, oracle, sys_row, lead = rows["lead3"], rows["oracle"], rows["system"], rows["lead"]
    gap = oracle.rouge2 - lead3.rouge2
    return {
        "data_size": len(examples),
        "sentences": sentences,
        "max_words": None if max_words >= NO_WORD_CAP else max_words,
        "rows": [row.as_dict() for row in rows.values()],
        "rouge1_gain_over_lead": round(sys_row.rouge1 - lead.rouge1, 2),
        "rouge2_gain_over_lead": round(sys_row.rouge2 - lead.rouge2, 2),
        "rouge2_gain_over_lead3": round(sys_row.rouge2 - lead3.rouge2, 2),
        "length_vs_lead3": round(sys_row.words / lead3.words, 3) if lead3.words else None,
        "lead3_to_oracle_gap_closed": round((sys_row.rouge2 - lead3.rouge2) / gap, 3) if gap > 0 else None,
    }
