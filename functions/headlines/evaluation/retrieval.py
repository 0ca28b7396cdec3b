"""`headlines eval retrieval`: can asking a story's own title find that story?

Stories of a JSON Lines file are stored with their titles hidden (through the real pipeline and
embedding hook), then each sampled title is asked as a question. Recall@1, Recall@5 and MRR of the
story it came from are printed for the answer engine and for an Okapi BM25 baseline (`rank_bm25`, on
the same stored text) computed in the same run. Sampling is seeded: same arguments, same numbers.

The same figures are then broken down by whether the title shares a rare word (one in at most 1% of
the stored stories) with its story. A title that shares none, such as an earnings table's company name
that appears only in the hidden title, leaves retrieval nothing that singles its story out, so that
subset shows how much of a shortfall any text-based retriever can recover.
"""

from __future__ import annotations

import random
import re
import tempfile
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from headlines.errors import BadInputError
from headlines.evaluation.records import json_lines
from headlines.models import Article

if TYPE_CHECKING:
    from headlines.countries.base import CountryTagger
    from headlines.encoder import SentenceEncoder
    from headlines.summarize.base import Summarizer


class EvaluationError(BadInputError):
    """The evaluation data cannot be used; the message says why and what to pass instead."""


@dataclass(frozen=True)
class Case:
    """One question: a hidden title and the id of the story it belongs to."""

    question: str
    story_id: str


def load_sample(
    path: Path, *, limit: int = 1000, questions: int = 200, seed: int = 0, offset: int = 0
) -> tuple[list[Article], list[Case]]:
    """Seeded sample: shuffle the file's usable stories, keep `limit` of them from `offset`, ask `questions`.

    Usable: a title of two words or more, and a body not seen before (exact duplicates would be merged
    by the store, leaving the question without its story). Titles are removed from the stored articles.
    Disjoint `offset` windows give disjoint slices (tune on one, report on another).
    """
    seen: set[str] = set()
    pool: list[tuple[Article, str]] = []
    for number, raw in json_lines(path, EvaluationError):
        try:
            article = Article.model_validate({k: v for k, v in raw.items() if k not in ("date", "published")})
        except (ValidationError, AttributeError) as exc:
            raise EvaluationError(f"{path}:{number}: not an article ({exc.__class__.__name__})") from exc
        title = " ".join((article.title or "").split())
        body_key = " ".join(article.body.split()).lower()
        if len(title.split()) < 2 or body_key in seen or not article.id:
            continue
        seen.add(body_key)
        pool.append((article.model_copy(update={"title": None}), title))
    rng = random.Random(seed)
    rng.shuffle(pool)
    window = pool[offset : offset + limit]
    if not window:
        raise EvaluationError(f"{path} has {len(pool)} usable stories; nothing left from offset {offset}")
    asked = random.Random(seed + 1).sample(window, min(questions, len(window)))
    cases = [Case(question=title, story_id=article.story_id()) for article, title in asked]
    return [a for a, _ in window], cases


class Scores(BaseModel):
    system: str
    recall_at_1: float
    recall_at_5: float
    mrr: float
    questions: int


class Subset(BaseModel):
    """The same scores over a subset of the questions."""

    subset: str
    questions: int
    results: list[Scores]


RARE_SHARE = 0.01
"""A word held by at most this share of the stored stories (at least one story) is rare enough to single one out."""

SHARES_RARE = "title shares a rare word with its story"
SHARES_NONE = "title shares no rare word with its story"


def shares_rare_word(
    question_tokens: Collection[str], story_tokens: Collection[str], df: Callable[[str], int], stories: int
) -> bool:
    """Whether a question and its story have a word in common that at most `RARE_SHARE` of the stories hold."""
    limit = max(1, int(RARE_SHARE * stories))
    return any(0 < df(tok) <= limit for tok in set(question_tokens) & set(story_tokens))


def score_rankings(system: str, cases: Sequence[Case], rank: Callable[[str], list[str]]) -> Scores:
    """Recall@1, Recall@5 and MRR (over the top 100) of each case's story in `rank(question)`."""
    r1 = r5 = rr = 0.0
    for case in cases:
        ranked = rank(case.question)[:100]
        if case.story_id in ranked:
            pos = ranked.index(case.story_id) + 1
            r1 += pos == 1
            r5 += pos <= 5
            rr += 1.0 / pos
    n = max(len(cases), 1)
    return Scores(system=system, recall_at_1=r1 / n, recall_at_5=r5 / n, mrr=rr / n, questions=len(cases))


_PLAIN = re.compile(r"\w+")


def _plain_tokens(text: str) -> list[str]:
    """The tokenisation a BM25 baseline usually gets: lower-cased word characters, nothing else."""
    return _PLAIN.findall(text.lower())


def run(
    path: Path,
    *,
    limit: int = 1000,
    questions: int = 200,
    seed: int = 0,
    offset: int = 0,
    encoder: SentenceEncoder,
    summarizer: Summarizer,
    tagger: CountryTagger,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Store the sample through the real pipeline (embeddings included), ask every title, score both systems.

    The encoder, summarizer and tagger come from the caller (the `eval retrieval` command builds the product's)."""
    from rank_bm25 import BM25Okapi

    from headlines.ask.embeddings import SQLiteEmbeddingStore, embed_stories
    from headlines.ask.engine import AnswerEngine
    from headlines.ask.lexical import tokenize
    from headlines.pipeline import Pipeline
    from headlines.store.sqlite import SQLiteStore

    articles, cases = load_sample(path, limit=limit, questions=questions, seed=seed, offset=offset)
    say = progress or (lambda _msg: None)
    with tempfile.TemporaryDirectory(prefix="headlines-eval-") as tmp:
        db = Path(tmp) / "eval.db"
        store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
        # The pipeline stores each story; its vectors come from the same `embed_stories` the pipeline
        # hook calls, batched 64 stories at a time because one encoder call per story is ~3x slower.
        pipeline = Pipeline(summarizer, tagger, store=store)
        batch = []
        for n, article in enumerate(articles, start=1):
            batch.append(pipeline.process(article))
            if len(batch) == 64 or n == len(articles):
                embeddings.put_many(embed_stories(encoder, batch))
                batch = []
                say(f"stored and embedded {n}/{len(articles)} stories")
        engine = AnswerEngine(store, embeddings, encoder, tagger=tagger)
        engine.index.refresh()
        # The baseline reads exactly the text the engine indexed (headline + sentences, titles hidden).
        ids = list(engine.index.ids)
        bm25 = BM25Okapi([_plain_tokens(" ".join(units)) for units in engine.index.units])

        @cache
        def rank_bm25(question: str) -> list[str]:
            scores = bm25.get_scores(_plain_tokens(question))
            return [ids[i] for i in sorted(range(len(ids)), key=lambda i: -scores[i])[:100]]

        @cache
        def rank_system(question: str) -> list[str]:
            return [s.id for s in engine.ask(question, top_k=100).sources]

        say(f"asking {len(cases)} questions")
        systems = [("hybrid (headlines ask)", rank_system), ("BM25 (rank_bm25)", rank_bm25)]
        results = [score_rankings(name, cases, rank) for name, rank in systems]
        # Same rankings (cached), split by whether anything in the story's text can single it out.
        df = engine.index.bm25.document_frequency
        rows = {case: engine.index.row(case.story_id) for case in cases}
        rare = {
            case: shares_rare_word(tokenize(case.question), tokenize(" ".join(engine.index.units[row])), df, len(ids))
            for case, row in rows.items()
            if row is not None
        }
        breakdown = []
        for name, flag in ((SHARES_RARE, True), (SHARES_NONE, False)):
            subset = [case for case in cases if rare.get(case) is flag]
            scored = [score_rankings(system, subset, rank) for system, rank in systems]
            breakdown.append(Subset(subset=name, questions=len(subset), results=scored))
        store.close()
        embeddings.close()
    return {
        "data": str(path),
        "stories": len(articles),
        "questions": len(cases),
        "seed": seed,
        "offset": offset,
        "results": [r.model_dump() for r in results],
        "breakdown": [b.model_dump() for b in breakdown],
    }
