"""Answer a question from stored stories: hybrid retrieval, then an extractive, cited answer.

Example (a store with embeddings, as `Pipeline(..., encoder=..., embeddings=...)` leaves it):

    engine = AnswerEngine(store, embeddings, encoder, tagger=tagger)
    answer = engine.ask("What did Macron say about Russia?")
    answer.found, answer.answer, answer.sources[0].title
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from pydantic import BaseModel, Field

from headlines.ask.embeddings import EmbeddingStore, embed_stories
from headlines.ask.index import ArchiveIndex, Weights
from headlines.ask.lexical import tokenize
from headlines.ask.query import countries_in_question, since_in_question
from headlines.ask.snapshot import SnapshotError, SnapshotLocation
from headlines.ask.snapshot import load as load_snapshot
from headlines.ask.snapshot import save as save_snapshot
from headlines.countries.base import CountryTagger
from headlines.encoder import SentenceEncoder
from headlines.store.base import Store

log = logging.getLogger(__name__)

SNAPSHOT_EVERY = 500
"""Index rows added since the last snapshot that make saving a new one worth it (and the smallest index saved)."""

RELEVANCE_THRESHOLD = 0.35
"""Below this cosine between the question and the best sentence of the best story, nothing is relevant."""

NOTHING_FOUND = "Nothing relevant found in the stored stories."


class AskError(Exception):
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
        snapshot: SnapshotLocation | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.encoder = encoder
        self.tagger = tagger
        self.weights = weights or Weights()
        self.threshold = threshold
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
        limit: int = 10,
        query_vector: np.ndarray | None = None,
    ) -> list[tuple[int, float, float]]:
        """(index row, fused score, best sentence cosine) of the best stories, best first."""
        self.refresh_index()
        qv = query_vector if query_vector is not None else self.encode_question(question)
        with self.index.lock:
            keep = self.index.mask(countries=countries, since=since)
            if not keep.any():
                return []
            w = self.weights
            lexical = self.index.bm25.scores(tokenize(question))
            dense = self.index.dense(qv)
            fused = w.lexical * _max_norm(lexical, keep) + w.story * _max_norm(dense, keep)
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

        A `country` passed in filters strictly; one only named in the question filters unless that leaves
        nothing relevant, in which case the answer comes from all stories (`Answer.countries` is then empty).
        """
        question = " ".join(question.split())
        if not question:
            raise AskError("the question is empty; ask something such as 'What did Macron say about Russia?'")
        if len(question) > 1000:
            raise AskError(f"the question is {len(question)} characters; keep it under 1000")
        countries = [country.upper()] if country else countries_in_question(question, self.tagger)
        since = since or since_in_question(question, now=now or datetime.now(UTC))
        qv = self.encode_question(question)
        limit = max(top_k, 1)
        ranked = self.rank(question, countries=countries, since=since, limit=limit, query_vector=qv)
        found = bool(ranked) and ranked[0][2] >= self.threshold
        dropped: list[str] = []
        if countries and not country and not found:
            # A country read from the question is a hint, not an order: a story about a town in it may never
            # name the country, so the tagger gave it no tag. Drop the hint if that finds something relevant.
            wider = self.rank(question, since=since, limit=limit, query_vector=qv)
            if wider and wider[0][2] >= self.threshold:
                ranked, dropped, countries, found = wider, countries, [], True
        sources = [self._source(row, score) for row, score, _ in ranked]
        if not found:
            text = NOTHING_FOUND if ranked else _nothing_stored(countries, since)
            if ranked:
                text += " The closest stories are listed as sources."
            return Answer(question=question, answer=text, sources=sources, found=False, countries=countries, since=since)
        text = self._compose(qv, ranked)
        if dropped:
            text = f"No story tagged {'/'.join(dropped)} is relevant; this is from all stories. {text}"
        # A found answer cites what is relevant, not every candidate: drop sources far below the best.
        sources = [src for src in sources if src.score >= SOURCE_MIN_RELATIVE * sources[0].score] or sources[:1]
        return Answer(question=question, answer=text, sources=sources, found=True, countries=countries, since=since)

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

    def _compose(self, qv: np.ndarray, ranked: list[tuple[int, float, float]], *, max_sentences: int = 4) -> str:
        """The sentences closest to the question from the top stories, in story order, each cited [n].

        Quoted verbatim, so the answer says nothing the stories do not. A sentence that a later story
        repeats (wire copy reprinted, a follow-up reusing the lead) is quoted once and cited to both: [1][2].
        """
        top_score = ranked[0][1]
        picked: list[_Quote] = []
        for n, (row, score, best) in enumerate(ranked[:3], start=1):
            if n > 1 and (score < 0.8 * top_score or best < self.threshold):
                break
            vectors = self.embeddings.unit_vectors([self.index.ids[row]]).get(self.index.ids[row])
            units = self.index.units[row]
            if vectors is None or len(units) < 2 or len(vectors) != len(units):  # rewritten since the index read it
                picked.append(_Quote([n], units[0], None))
                continue
            sims = vectors[1:] @ qv
            # The top story is always quoted (its best sentences); later ones only when clearly relevant.
            floor = float(sims.max()) - 0.15 if n == 1 else max(self.threshold, float(sims.max()) - 0.15)
            wanted = 2 if n == 1 else 1
            fresh: list[tuple[int, np.ndarray]] = []
            for i in (int(i) for i in np.argsort(-sims)):
                if len(fresh) == wanted or sims[i] < floor:
                    break
                same = next((q for q in picked if q.repeats(units[1 + i], vectors[1 + i])), None)
                if same is None:
                    fresh.append((i, vectors[1 + i]))
                elif n not in same.cites:
                    same.cites.append(n)
            picked.extend(_Quote([n], units[1 + i], vector) for i, vector in sorted(fresh, key=lambda f: f[0]))
            if len(picked) >= max_sentences:
                break
        return " ".join(f"{q.text} " + "".join(f"[{n}]" for n in q.cites) for q in picked[:max_sentences])


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


def _nothing_stored(countries: list[str], since: datetime | None) -> str:
    parts = []
    if countries:
        parts.append("tagged " + "/".join(countries))
    if since is not None:
        parts.append(f"since {since:%Y-%m-%d %H:%M} UTC")
    return "No stored stories" + (" " + " and ".join(parts) if parts else "") + "."
