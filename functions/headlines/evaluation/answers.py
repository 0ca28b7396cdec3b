"""`headlines eval answers`: real news-quiz questions, asked as of their quiz date, over the articles saved with them.

Each question (RealTime QA format: `question`, `answer`, `gold_ids`, `question_date`, `qid`) is asked of
an answer engine over a scratch store of the corpus, with "now" set to its quiz date. Reported, for the
engine and for an Okapi BM25 baseline (`rank_bm25`, same stored text, same as-of cut) in the same run:
Recall@1/5 and MRR of any gold story, and for the engine also how often its answer text contains the
gold answer (normalised containment) and how often it refuses, on these answerable questions and on a
file of unanswerable ones. Questions are split into a tuning half and a check half by a hash of `qid`.

The scratch store is the expensive part (embedding every sentence of ~2,600 long articles): `--store
PATH` keeps it, and a later run over the same corpus reuses it without re-embedding. Ingest is the
cheapest one retrieval needs: the lead summarizer (no model) and the country tagger; embeddings batched.
"""

from __future__ import annotations

import hashlib
import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from headlines.evaluation.records import json_lines
from headlines.evaluation.retrieval import EvaluationError
from headlines.models import Article

if TYPE_CHECKING:
    from headlines.ask.embeddings import SQLiteEmbeddingStore
    from headlines.ask.engine import Answer, AnswerEngine
    from headlines.countries.base import CountryTagger
    from headlines.encoder import SentenceEncoder
    from headlines.store.sqlite import SQLiteStore

HALVES = ("tune", "check")


@dataclass(frozen=True)
class QACase:
    """One question with what counts as right: any of `gold_ids` retrieved, `answers` in the answer text."""

    qid: str
    question: str
    as_of: datetime | None
    answers: tuple[str, ...] = ()
    gold_ids: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.gold_ids)

    @property
    def half(self) -> str:
        return half_of(self.qid)


def half_of(qid: str) -> str:
    """`tune` or `check`, fixed by a hash of the question id (stable across runs and machines)."""
    return HALVES[hashlib.sha256(qid.encode()).digest()[0] & 1]


def parse_day(value: Any) -> datetime | None:
    """A quiz date ("2022/06/16", "2022-06-16", ISO date-time) as the end of that day, UTC; None if absent."""
    if value in (None, ""):
        return None
    text = str(value).strip().replace("/", "-")
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise EvaluationError(f"cannot read the date {value!r}; use YYYY-MM-DD") from None
    if len(text) <= 10:
        when = when + timedelta(days=1) - timedelta(microseconds=1)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def load_questions(path: Path, *, answerable: bool = True) -> list[QACase]:
    """Questions of a JSON Lines file. Answerable files need `answer` and `gold_ids`; unanswerable ones
    only `question` (and optionally `as_of`/`question_date`). A line that is not an object is an error
    naming the line: an evaluation over a silently shortened file would report the wrong figure."""
    cases = []
    for number, raw in json_lines(path, EvaluationError):
        if not isinstance(raw, dict) or not str(raw.get("question") or "").strip():
            raise EvaluationError(f'{path}:{number}: expected an object with a non-empty "question"')
        answer = raw.get("answer")
        answers = tuple(str(a) for a in answer) if isinstance(answer, list) else ((str(answer),) if answer else ())
        gold = tuple(str(g) for g in raw.get("gold_ids") or ())
        if answerable and not (answers and gold):
            raise EvaluationError(f'{path}:{number}: an answerable question needs "answer" and "gold_ids"')
        cases.append(
            QACase(
                qid=str(raw.get("qid") or f"{path.stem}:{number}"),
                question=str(raw["question"]).strip(),
                as_of=parse_day(raw.get("as_of") or raw.get("question_date")),
                answers=answers if answerable else (),
                gold_ids=gold if answerable else (),
            )
        )
    return cases


def load_corpus(path: Path) -> list[Article]:
    """Articles of a JSON Lines file (`.gz` read as gzip): `id`, `title`, `body`, `url`, `published`."""
    articles = []
    for number, raw in json_lines(path, EvaluationError):
        try:
            articles.append(Article.model_validate(raw))
        except ValidationError as exc:
            raise EvaluationError(f"{path}:{number}: not an article ({exc.error_count()} errors)") from exc
    if not articles:
        raise EvaluationError(f"{path} holds no articles")
    return articles


def corpus_digest(articles: Sequence[Article]) -> str:
    h = hashlib.sha256()
    for a in articles:
        h.update(f"{a.id}\x00{a.content_hash}\n".encode())
    return h.hexdigest()[:16]


def open_scratch_store(
    articles: Sequence[Article],
    db: Path,
    *,
    encoder_name: str,
    embed: Callable[[list[Any]], list[Any]],
    progress: Callable[[str], None] = lambda _m: None,
    batch: int = 64,
) -> tuple[SQLiteStore, SQLiteEmbeddingStore, dict[str, str]]:
    """The corpus stored and embedded in `db`, reusing what a previous run left there.

    Returns the stores and an alias map (corpus id -> stored id) for articles the store merged into
    another (same URL). Only articles without vectors of this encoder are processed, so an interrupted
    ingest resumes; a store holding vectors of another encoder is refused (use another --store).
    """
    from headlines.ask.embeddings import SQLiteEmbeddingStore
    from headlines.countries.gazetteer import GazetteerTagger
    from headlines.pipeline import Pipeline
    from headlines.store.sqlite import SQLiteStore
    from headlines.summarize.lead import LeadSummarizer

    store, embeddings = SQLiteStore(db), SQLiteEmbeddingStore(db)
    models = {m for (m,) in embeddings._conn.execute("SELECT DISTINCT model FROM story_vectors")}
    if models - {encoder_name}:
        raise EvaluationError(
            f"{db} holds vectors of {', '.join(sorted(models))}, not {encoder_name}; pass another --store (or delete it)"
        )
    have = embeddings.ids()
    aliases: dict[str, str] = {}
    # Retrieval reads headline, body sentences and country tags; a summary is stored but never read, so
    # the lead summarizer (first sentences, no model) is the cheapest correct one.
    pipeline = Pipeline(LeadSummarizer(), GazetteerTagger(), store=store)
    pending: list[Any] = []
    todo = [a for a in articles if a.story_id() not in have]
    if len(todo) < len(articles):
        progress(f"reusing {len(articles) - len(todo)} embedded stories in {db}")
    started = time.monotonic()
    for n, article in enumerate(todo, start=1):
        story = pipeline.process(article)
        if story.id != article.story_id():
            aliases[article.story_id()] = story.id
        pending.append(story)
        if len(pending) == batch or n == len(todo):
            embeddings.put_many(embed(pending))
            pending = []
            progress(f"stored and embedded {n}/{len(todo)} stories ({time.monotonic() - started:.0f} s)")
    # Merged ids from an earlier run: the stored story carries the URL its alias had.
    if not todo:
        by_key = {a.dedup_key: a.story_id() for a in articles}
        for a in articles:
            if a.story_id() not in have and by_key.get(a.dedup_key) in have:
                aliases[a.story_id()] = by_key[a.dedup_key]
    return store, embeddings, aliases


_QUOTES = str.maketrans({c: " " for c in "\"'\u2018\u2019\u201c\u201d`\u00b4"})
_NON_WORD = re.compile(r"[^\w%$.]+")
_ARTICLES = re.compile(r"\b(?:the|a|an)\b")


def normalise(text: str) -> str:
    """Lower-cased, accents and quotes removed, punctuation to spaces, articles dropped, numbers without
    thousands separators: "“Squid Game”" and "squid game" compare equal, "1,000" and "1000" too."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().translate(_QUOTES)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = _NON_WORD.sub(" ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    return " ".join(_ARTICLES.sub(" ", text).split())


_DATED = re.compile(r"\bOn \d{1,2} [A-Z][a-z]+ \d{4}: ")


def contains_answer(text: str, answers: Iterable[str]) -> bool:
    """Whether any gold answer appears in the quoted text as whole words, after `normalise`. The dates the
    engine adds ("On 16 June 2022:") are not quotes and are left out, so a gold "June" cannot match them."""
    hay = f" {normalise(_DATED.sub(' ', text))} "
    return any(norm and f" {norm} " in hay for norm in (normalise(a) for a in answers))


class SystemScores(BaseModel):
    system: str
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    contains_answer: float | None = None
    refused_answerable: float | None = None


class HalfReport(BaseModel):
    half: str
    results: list[SystemScores]


@dataclass
class Outcome:
    """What the engine did with one question (kept for the report's examples and for tuning scripts)."""

    case: QACase
    ranked: list[str]
    answer: str
    answered: bool
    bm25: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rank(self) -> int | None:
        gold = set(self.case.gold_ids)
        return next((i for i, sid in enumerate(self.ranked, start=1) if sid in gold), None)

    def record(self) -> dict[str, Any]:
        return {
            "qid": self.case.qid,
            "half": self.case.half,
            "question": self.case.question,
            "as_of": self.case.as_of.date().isoformat() if self.case.as_of else None,
            "gold_answers": list(self.case.answers),
            "gold_rank": self.rank,
            "answered": self.answered,
            "contains_answer": contains_answer(self.answer, self.case.answers) if self.answered else False,
            "answer": self.answer,
            "sources": self.ranked[:5],
        }


def _scores(system: str, rankings: Sequence[tuple[QACase, list[str]]]) -> SystemScores:
    r1 = r5 = rr = 0.0
    for case, ranked in rankings:
        gold = set(case.gold_ids)
        pos = next((i for i, sid in enumerate(ranked[:100], start=1) if sid in gold), None)
        if pos is not None:
            r1 += pos == 1
            r5 += pos <= 5
            rr += 1.0 / pos
    n = max(len(rankings), 1)
    return SystemScores(system=system, questions=len(rankings), recall_at_1=r1 / n, recall_at_5=r5 / n, mrr=rr / n)


def score_half(half: str, outcomes: Sequence[Outcome]) -> HalfReport:
    mine = [o for o in outcomes if o.case.answerable and (half == "all" or o.case.half == half)]
    engine = _scores("hybrid (headlines ask)", [(o.case, o.ranked) for o in mine])
    n = max(len(mine), 1)
    engine.contains_answer = sum(o.answered and contains_answer(o.answer, o.case.answers) for o in mine) / n
    engine.refused_answerable = sum(not o.answered for o in mine) / n
    bm25 = _scores("BM25 (rank_bm25, same as-of cut)", [(o.case, o.bm25) for o in mine])
    return HalfReport(half=half, results=[engine, bm25])


_PLAIN = re.compile(r"\w+")


def _plain_tokens(text: str) -> list[str]:
    return _PLAIN.findall(text.lower())


def ask_all(
    engine: AnswerEngine,
    cases: Sequence[QACase],
    *,
    aliases: dict[str, str] | None = None,
    progress: Callable[[str], None] = lambda _m: None,
    top_k: int = 10,
) -> list[Outcome]:
    """Ask every case as of its date through `engine.ask`; BM25 ranks the same indexed text with the same cut."""
    import numpy as np
    from rank_bm25 import BM25Okapi

    engine.refresh_index()
    index = engine.index
    ids = list(index.ids)
    bm25 = BM25Okapi([_plain_tokens(" ".join(units)) for units in index.units])
    aliases = aliases or {}
    outcomes = []
    for n, case in enumerate(cases, start=1):
        started = time.perf_counter()
        answer: Answer = engine.ask(case.question, top_k=top_k, now=case.as_of)
        seconds = time.perf_counter() - started
        keep = (index.mask(until=case.as_of) if case.as_of else index.mask())[: len(ids)]  # rows the baseline holds
        scores = np.where(keep, bm25.get_scores(_plain_tokens(case.question)), -np.inf)
        order = np.argsort(-scores, kind="stable")[:100]
        gold_case = QACase(case.qid, case.question, case.as_of, case.answers, tuple(aliases.get(g, g) for g in case.gold_ids))
        outcomes.append(
            Outcome(
                case=gold_case,
                ranked=[s.id for s in answer.sources],
                answer=answer.answer,
                answered=answer.found,
                bm25=[ids[i] for i in order if np.isfinite(scores[i])],
                seconds=seconds,
            )
        )
        if n % 25 == 0 or n == len(cases):
            progress(f"asked {n}/{len(cases)}")
    return outcomes


def run(
    questions: Path,
    corpus: Path,
    *,
    unanswerable: Path | None = None,
    store: Path | None = None,
    limit: int | None = None,
    encoder: SentenceEncoder,
    tagger: CountryTagger | None = None,
    progress: Callable[[str], None] = lambda _m: None,
    engine_factory: Callable[[SQLiteStore, SQLiteEmbeddingStore], AnswerEngine] | None = None,
) -> tuple[dict[str, Any], list[Outcome]]:
    """Store the corpus (or reuse `store`), ask every question as of its date, score both halves.

    The encoder and tagger come from the caller (the `eval answers` command builds the product's)."""
    import tempfile

    from headlines.ask.embeddings import embed_stories
    from headlines.ask.engine import AnswerEngine

    cases = load_questions(questions)[:limit] if limit else load_questions(questions)
    unknown = load_questions(unanswerable, answerable=False) if unanswerable else []
    articles = load_corpus(corpus)
    with tempfile.TemporaryDirectory(prefix="headlines-eval-answers-") as tmp:
        db = store or Path(tmp) / "answers.db"
        sqlite_store, embeddings, aliases = open_scratch_store(
            articles,
            db,
            encoder_name=encoder.name,
            embed=lambda stories: embed_stories(encoder, stories),
            progress=progress,
        )
        try:
            engine = (
                engine_factory(sqlite_store, embeddings)
                if engine_factory
                else AnswerEngine(sqlite_store, embeddings, encoder, tagger=tagger)
            )
            progress(f"asking {len(cases)} answerable and {len(unknown)} unanswerable questions")
            outcomes = ask_all(engine, cases, aliases=aliases, progress=progress)
            refusals = ask_all(engine, unknown, progress=progress) if unknown else []
        finally:
            sqlite_store.close()
            embeddings.close()
    halves = [score_half(h, outcomes) for h in (*HALVES, "all")]
    times = [o.seconds for o in outcomes + refusals]
    report = {
        "questions": str(questions),
        "corpus": str(corpus),
        "stories": len(articles),
        "encoder": encoder.name,
        "answerable": len(cases),
        "halves": [h.model_dump() for h in halves],
        "unanswerable": {
            "questions": len(refusals),
            "refused": sum(not o.answered for o in refusals),
            **{f"{h}_questions": sum(o.case.half == h for o in refusals) for h in HALVES},
            **{f"{h}_refused": sum(o.case.half == h and not o.answered for o in refusals) for h in HALVES},
        },
        "median_answer_ms": round(1000 * statistics.median(times), 1) if times else None,
    }
    return report, outcomes + refusals
