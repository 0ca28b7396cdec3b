"""Answer a question from stored stories: hybrid retrieval, then an extractive, cited answer.

Example (a store with embeddings, as `Pipeline(..., encoder=..., embeddings=...)` leaves it):

    engine = AnswerEngine(store, embeddings, encoder, tagger=tagger)
    answer = engine.ask("What did Macron say about Russia?")
    answer.found, answer.answer, answer.sources[0].title
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from pydantic import BaseModel, Field

from headlines.ask.embeddings import EmbeddingStore, embed_stories
from headlines.ask.extract import Candidate, ExtractWeights, choose_quotes, key_terms, missing_key_terms, score_candidates
from headlines.ask.index import ArchiveIndex, Weights
from headlines.ask.lexical import tokenize
from headlines.ask.query import completed_after, countries_in_question, since_in_question
from headlines.ask.snapshot import SnapshotError, SnapshotLocation
from headlines.ask.snapshot import load as load_snapshot
from headlines.ask.snapshot import save as save_snapshot
from headlines.countries.base import CountryTagger
from headlines.encoder import SentenceEncoder
from headlines.errors import BadInputError
from headlines.store.base import Store

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 500
"""Index rows added since the last snapshot that make saving a new one worth it (and the smallest index saved)."""

RELEVANCE_THRESHOLD = 0.35
"""Below this cosine between the question and the best sentence of the best story, nothing is relevant."""

MIN_COVERAGE = 0.55
"""Below this IDF-weighted share of the question's key terms found in the best stories, the news does not
cover the question (calibrated on the tuning half of the 2022 quiz questions and the dev unanswerable set)."""


_NAME_IN_QUESTION = re.compile(r"(?<!^)(?<![.?!] )\b[A-Z][\w'\u2019&-]*")
"""A capitalised word that does not start a sentence of the question: part of a name."""


class AskError(BadInputError):
    """The question cannot be answered as asked (empty, too long); the message says what to change."""


SOURCE_MIN_RELATIVE = 0.25
"""In a found answer, sources scoring under this share of the best one are left out."""


class Source(BaseModel):
    """A stored story an answer draws on, or the closest one when nothing was relevant."""

    id: str
    title: str
    url: str | None = None
    published: datetime | None = None
    score: float = Field(description="Fused relevance, 0..1; sources are ordered by it")


class Answer(BaseModel):
    question: str
    answer: str
    sources: list[Source]
    found: bool
    countries: list[str] = Field(default_factory=list, description="Country filter applied")
    since: datetime | None = Field(default=None, description="Time filter applied")
    as_of: datetime | None = Field(default=None, description="The 'now' the question was asked at, when set")
    missing: list[str] = Field(default_factory=list, description="Key terms of the question no good story holds")

    @property
    def answered(self) -> bool:
        """The JSON contract's name for `found`."""
        return self.found


class AnswerEngine:
    """Retrieves with BM25 + dense story vectors, reranks by the best-matching sentence, quotes sentences.

    The index is loaded lazily on the first question and caught up on each later one, so stories
    stored meanwhile (by this or another process) are searchable without re-embedding anything.
    """

    def __init__(
        self,
        store: Store,
        embeddings: EmbeddingStore,
        encoder: SentenceEncoder,
        *,
        tagger: CountryTagger | None = None,
        weights: Weights | None = None,
        threshold: float = RELEVANCE_THRESHOLD,
        min_coverage: float = MIN_COVERAGE,
        extract_weights: ExtractWeights | None = None,
        snapshot: SnapshotLocation | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.encoder = encoder
        self.tagger = tagger
        self.weights = weights or Weights()
        self.threshold = threshold
        self.min_coverage = min_coverage
        self.extract_weights = extract_weights or ExtractWeights()
        self.index = ArchiveIndex(embeddings, model=encoder.name)
        self.snapshot = snapshot
        self.snapshot_every = snapshot_every
        self._snapshot_tried = False
        self._snapshot_rows = 0
        """Index rows the last snapshot held (loaded or saved)."""

    def refresh_index(self) -> int:
        """Catch the index up with the store; a cold one starts from the snapshot when there is a usable one."""
        if self.snapshot is not None and not self._snapshot_tried:
            self._snapshot_tried = True
            if not len(self.index.ids) and load_snapshot(self.index, self.snapshot):
                self._snapshot_rows = len(self.index.ids)
        return self.index.refresh()

    def save_snapshot_if_due(self) -> bool:
        """Save the index as the snapshot once `snapshot_every` rows were added since the last one (loaded or
        saved). Call it after answering, not before: saving takes a moment. A failed save is logged, not raised."""
        rows = len(self.index.ids)
        if self.snapshot is None or rows - self._snapshot_rows < self.snapshot_every:
            return False
        try:
            save_snapshot(self.index, self.snapshot)
        except (SnapshotError, OSError) as exc:
            log.warning("index snapshot not saved to %r: %s", self.snapshot, exc)
            return False
        self._snapshot_rows = rows
        return True

    def backfill(self, *, batch: int = 64) -> int:
        """Embed stored stories that have no vectors yet (stored before embeddings were on); returns how many."""
        have = self.embeddings.ids()
        missing, done = [], 0
        for story in self.store.latest(limit=max(self.store.count(), 1)):
            if story.id not in have:
                missing.append(story)
            if len(missing) >= batch:
                self.embeddings.put_many(embed_stories(self.encoder, missing))
                done += len(missing)
                missing = []
        if missing:
            self.embeddings.put_many(embed_stories(self.encoder, missing))
            done += len(missing)
        return done

    def rank(
        self,
        question: str,
        *,
        countries: list[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        now: datetime | None = None,
        limit: int = 10,
        query_vector: np.ndarray | None = None,
    ) -> list[tuple[int, float, float]]:
        """(index row, fused score, best sentence cosine) of the best stories, best first.

        `until` leaves out stories after it (a question asked as of a past date cannot know them); stories
        close before `now` (default: the real now) get a small recency boost, so among stories on one subject
        the newest wins, while one from years ago still can."""
        self.refresh_index()
        qv = query_vector if query_vector is not None else self.encode_question(question)
        with self.index.lock:
            keep = self.index.mask(countries=countries, since=since, until=until)
            if not keep.any():
                return []
            w = self.weights
            lexical = self.index.bm25.scores(tokenize(question))
            dense = self.index.dense(qv)
            fused = w.lexical * _max_norm(lexical, keep) + w.story * _max_norm(dense, keep)
            if w.recency:
                age_days = np.maximum((now or datetime.now(UTC)).timestamp() - self.index.times(), 0.0) / 86400.0
                fused = fused + w.recency * np.exp(-age_days / w.recency_days)
            fused = np.where(keep, fused, -np.inf)
            n = min(max(w.candidates, limit), int(keep.sum()))
            cand = np.argpartition(-fused, n - 1)[:n]
            ids = [self.index.ids[r] for r in cand]
        units = self.embeddings.unit_vectors(ids)
        best_sentence = np.array([float((units[i] @ qv).max()) if i in units and len(units[i]) else 0.0 for i in ids])
        final = fused[cand] + w.sentence * _max_norm(best_sentence, np.ones(len(cand), dtype=bool))
        order = np.argsort(-final, kind="stable")[:limit]
        return [(int(cand[o]), float(final[o]), float(best_sentence[o])) for o in order]

    def ask(
        self,
        question: str,
        *,
        top_k: int = 5,
        country: str | None = None,
        since: datetime | None = None,
        now: datetime | None = None,
    ) -> Answer:
        """Answer from stored stories. `country`/`since` override what the question itself names.

        `now` (default: the real now) is when the question is asked: relative phrases ("this week") count
        back from it, stories published after it are left out, and the newest stories before it are
        preferred. A `country` passed in filters strictly; one only named in the question filters unless
        that leaves nothing relevant, in which case the answer comes from all stories (`Answer.countries`
        is then empty).
        """
        question = " ".join(question.split())
        if not question:
            raise AskError("the question is empty; ask something such as 'What did Macron say about Russia?'")
        if len(question) > 1000:
            raise AskError(f"the question is {len(question)} characters; keep it under 1000")
        as_of, until = now, now
        now = now or datetime.now(UTC)
        countries = [country.upper()] if country else countries_in_question(question, self.tagger)
        since = since or since_in_question(question, now=now)
        qv = self.encode_question(question)
        limit = max(top_k, 3)
        kw = {"until": until, "now": now, "limit": limit, "query_vector": qv}
        ranked = self.rank(question, countries=countries, since=since, **kw)  # type: ignore[arg-type]
        relevant = bool(ranked) and ranked[0][2] >= self.threshold
        dropped: list[str] = []
        if countries and not country and not relevant:
            # A country read from the question is a hint, not an order: a story about a town in it may never
            # name the country, so the tagger gave it no tag. Drop the hint if that finds something relevant.
            wider = self.rank(question, since=since, **kw)  # type: ignore[arg-type]
            if wider and wider[0][2] >= self.threshold:
                ranked, dropped, countries, relevant = wider, countries, [], True
        # A country hint already given up on (no story tagged with it is relevant) is not a key term either.
        ignore = (
            {t for w in question.split() if set(countries_in_question(w, self.tagger)) & set(dropped) for t in tokenize(w)}
            if dropped
            else set()
        )
        missing = self._missing_terms(question, ranked[:3], ignore=ignore, now=now) if relevant else []
        # How an event of a later year turned out ("Who won the 2024 election?" asked in 2022) is in no story
        # published up to now, however well stories about the coming event cover the question's words.
        later = completed_after(question, now) if relevant and not missing else None
        found = relevant and not missing and later is None
        sources = [self._source(row, score) for row, score, _ in ranked[: max(top_k, 1)]]
        if not found:
            if later is not None:
                missing = [later]
                text = _refusal_later(later, now)
            else:
                text = _refusal(question, missing) if ranked else _nothing_stored(countries, since)
            return Answer(
                question=question,
                answer=text,
                sources=sources,
                found=False,
                countries=countries,
                since=since,
                as_of=as_of,
                missing=missing,
            )
        text = self._compose(question, qv, ranked)
        if dropped:
            text = f"No story tagged {'/'.join(dropped)} is relevant; this is from all stories. {text}"
        # A found answer cites what is relevant, not every candidate: drop sources far below the best.
        sources = [src for src in sources if src.score >= SOURCE_MIN_RELATIVE * sources[0].score] or sources[:1]
        return Answer(question=question, answer=text, sources=sources, found=True, countries=countries, since=since, as_of=as_of)

    def _missing_terms(
        self,
        question: str,
        ranked: list[tuple[int, float, float]],
        *,
        ignore: set[str] | None = None,
        now: datetime | None = None,
    ) -> list[str]:
        """The question's key terms the best stories do not cover: [] when they cover enough of it.

        Covered means: one of the best stories holds at least `min_coverage` of the IDF-weighted key terms,
        and every figure of the question ("2024", "31st") is in one of them (a story's own publication
        year counts). What is returned are the question's own words, for the refusal message."""
        terms, best, figures, rare = self.coverage(question, ranked, ignore=ignore, now=now)
        # A name no stored story holds at all ("Zorblax Industries") means the news does not know its subject,
        # however well the other words are covered. Only names: an unseen spelling ("legalise") is no such sign.
        df = self.index.bm25.document_frequency
        names = {t for m in _NAME_IN_QUESTION.finditer(question) for t in tokenize(m.group(0))}
        unknown = [t for t in rare if t in names and df(t) == 0]
        if not terms or (best >= self.min_coverage and not figures and not unknown):
            return []
        lacking = figures + rare
        if not lacking and ranked:
            top = set(tokenize(" ".join(self.index.units[ranked[0][0]])))
            lacking = sorted((t for t in terms if t not in top), key=lambda t: -terms[t])
        words = {t: w for w in re.findall(r"[\w'\u2019.-]+", question) for t in tokenize(w)}
        return list(dict.fromkeys(words.get(t, t).strip(".") for t in lacking[:4]))

    def coverage(
        self,
        question: str,
        ranked: list[tuple[int, float, float]],
        *,
        ignore: set[str] | None = None,
        now: datetime | None = None,
    ) -> tuple[dict[str, float], float, list[str], list[str]]:
        """The question's key terms with weights, the best share of them one of `ranked` holds, and the
        figures and the rare terms that none of them holds. The year of `now` is always held: "this year's
        winner" and "the 2022 winner" asked in 2022 are the same question."""
        bm25 = self.index.bm25
        terms = {t: w for t, w in key_terms(question, bm25.idf).items() if t not in (ignore or ())}
        if not terms:
            return terms, 1.0, [], []
        # A story covers its own year too ("the 1993 Nobel prize", asked of a story published in 1993).
        years = {row: str(datetime.fromtimestamp(float(self.index.times()[row]), UTC).year) for row, _, _ in ranked}
        current = {str((now or datetime.now(UTC)).year)}
        texts = [set(tokenize(" ".join(self.index.units[row]))) | {years[row]} | current for row, _, _ in ranked]
        union = set().union(*texts) if texts else set()
        total = sum(terms.values())
        best = max((sum(w for t, w in terms.items() if t in toks) / total for toks in texts), default=0.0)
        figures, rare = missing_key_terms(terms, union, bm25.document_frequency, len(self.index))
        return terms, best, figures, rare

    def encode_question(self, question: str) -> np.ndarray:
        """One short text: torch runs it on one thread. Intra-op threads buy nothing at this size and,
        on a busy 2-core machine, made a 20 ms encode take 500 ms (measured, docs/ask.md)."""
        torch = sys.modules.get("torch")
        if torch is None:
            return self.encoder.encode([question])[0]
        previous = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return self.encoder.encode([question])[0]
        finally:
            torch.set_num_threads(previous)

    def _source(self, row: int, score: float) -> Source:
        story_id = self.index.ids[row]
        story = self.store.get(story_id)
        if story is None:  # vectors outlived their story: still cite what we quote
            return Source(id=story_id, title=self.index.units[row][0], score=round(max(score, 0.0), 4))
        return Source(
            id=story.id,
            title=story.headline,
            url=str(story.article.url) if story.article.url else None,
            published=story.article.published,
            score=round(max(score, 0.0), 4),
        )

    def _compose(self, question: str, qv: np.ndarray, ranked: list[tuple[int, float, float]], *, max_sentences: int = 3) -> str:
        """The sentence that answers first, then context, quoted verbatim, each cited [n] and dated by its story.

        Candidates are the headline and sentences of the top 3 stories (`extract.score_candidates`); the
        best leads, then its story's next best sentence, then one from another story when it scores close
        (`extract.choose_quotes`).
        A sentence that another story repeats (wire copy, a follow-up reusing the lead) is quoted once and
        cited to both: [1][2].
        """
        top_score = ranked[0][1]
        rows = [row for n, (row, score, _) in enumerate(ranked[:3]) if n == 0 or score >= 0.7 * top_score]
        vectors = self.embeddings.unit_vectors([self.index.ids[r] for r in rows])
        candidates: list[Candidate] = []
        unit_vectors: dict[tuple[int, int], np.ndarray] = {}
        for n, row in enumerate(rows):
            units = self.index.units[row]
            vecs = vectors.get(self.index.ids[row])
            if vecs is None or len(vecs) != len(units):  # rewritten since the index read it
                candidates.append(Candidate(n, 0, units[0], 0.0))
                continue
            sims = vecs @ qv
            for u, text in enumerate(units):
                candidates.append(Candidate(n, u, text, float(sims[u])))
                unit_vectors[(n, u)] = vecs[u]
        scored = score_candidates(
            question, candidates, [ranked[n][1] for n in range(len(rows))], self.index.bm25.idf, self.extract_weights
        )
        if not scored:
            return self.index.units[rows[0]][0] + " [1]"
        chosen = choose_quotes(question, scored, self.extract_weights)
        picked: list[_Quote] = []
        for c in chosen[:max_sentences]:
            vector = unit_vectors.get((c.story, c.unit))
            same = next((q for q in picked if vector is not None and q.repeats(c.text, vector)), None)
            if same is not None:
                if c.story + 1 not in same.cites:
                    same.cites.append(c.story + 1)
                continue
            picked.append(_Quote([c.story + 1], c.text, vector))
        # Other top stories that repeat a quoted sentence are cited on it too.
        for c in scored:
            vector = unit_vectors.get((c.story, c.unit))
            for q in picked:
                if vector is not None and c.story + 1 not in q.cites and q.repeats(c.text, vector):
                    q.cites.append(c.story + 1)
        parts: list[str] = []
        last_story = None
        for q in picked:
            if q.cites[0] != last_story:
                when = self._published(rows[q.cites[0] - 1])
                if when:
                    parts.append(f"On {when}:")
                last_story = q.cites[0]
            parts.append(f"{q.text} " + "".join(f"[{n}]" for n in q.cites))
        return " ".join(parts)

    def _published(self, row: int) -> str | None:
        """'14 March 2022': when the story was published (else stored), for saying the date of what is quoted."""
        when = datetime.fromtimestamp(float(self.index.times()[row]), UTC)
        return f"{when.day} {when:%B %Y}"


DUPLICATE_SENTENCE = 0.95
"""Cosine at or above which two quoted sentences say the same thing."""


@dataclass
class _Quote:
    cites: list[int]
    text: str
    vector: np.ndarray | None

    def repeats(self, text: str, vector: np.ndarray) -> bool:
        if " ".join(text.split()).lower() == " ".join(self.text.split()).lower():
            return True
        return self.vector is not None and float(self.vector @ vector) >= DUPLICATE_SENTENCE


def _max_norm(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Scale so the best kept value is 1 (scores of different kinds become comparable per question)."""
    if not len(values) or not keep.any():
        return values
    top = float(values[keep].max())
    return values / top if top > 0 else np.zeros_like(values)


def _refusal(question: str, missing: list[str]) -> str:
    """What a refusal says: what was not found, then that the closest stories follow."""
    about = ", ".join(f'"{m}"' for m in missing[:4]) if missing else f'"{question.rstrip("?")}"'
    return f"I found nothing in stored news about {about}. The closest stories are listed as sources."


def _refusal_later(year: str, now: datetime) -> str:
    """A refusal of a question about how an event of a later year turned out."""
    return (
        f'I found nothing in stored news about "{year}": the question asks about something done in {year}, '
        f"after {now.day} {now:%B %Y}. The closest stories are listed as sources."
    )


def _nothing_stored(countries: list[str], since: datetime | None) -> str:
    parts = []
    if countries:
        parts.append("tagged " + "/".join(countries))
    if since is not None:
        parts.append(f"since {since:%Y-%m-%d %H:%M} UTC")
    return "No stored stories" + (" " + " and ".join(parts) if parts else "") + "."
