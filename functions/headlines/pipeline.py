"""The pipeline: article -> clean text -> summary + country tags -> stored story -> embedded for `ask` -> delivered."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from headlines.countries.base import CountryTagger
from headlines.models import Article, Story
from headlines.sanitize import written_without_spaces
from headlines.store.base import Store
from headlines.summarize.base import Summarizer
from headlines.text import clean_text, truncate_words

if TYPE_CHECKING:
    from headlines.ask.embeddings import EmbeddingStore, StoryVectors
    from headlines.encoder import SentenceEncoder
    from headlines.events.clusterer import EventClusterer

HEADLINE_MAX_WORDS = 14


class Delivery(Protocol):
    """Where finished stories go: the console locally, Slack channels when configured. The pipeline ignores what
    `deliver` returns (Slack's reports the channels it changed), so a target may return anything."""

    def deliver(self, story: Story) -> object: ...


_CLAUSE_BREAK = re.compile(
    r"\s*(?:;|:\s|\s[\u2014\u2013-]\s|,\s(?:following|after|amid|as|while|which|who|where|saying|according to|but|with|"
    r"despite|because|although|when|in a move|in what)\b)",
    re.I,
)


def derive_headline(article: Article, summary: list[str]) -> str:
    """The article's title when usable (two words or more, or a script written without spaces), else a short
    clause from the best summary sentence.

    The clause is the sentence up to its first subordinate break (", following ...", "; ...", " - ..."),
    cut at a comma if still over `HEADLINE_MAX_WORDS` words.
    """
    title = (article.title or "").strip()
    if (len(title.split()) >= 2 or (len(title) >= 4 and written_without_spaces(title))) and not title.isdigit():
        return title  # Chinese, Japanese or Thai titles have no spaces: one "word" is still a whole title
    basis = summary[0] if summary else clean_text(article.body)
    basis = basis.strip().strip("\"\u201c\u201d'")
    parts = _CLAUSE_BREAK.split(basis, maxsplit=1)
    clause = parts[0] if len(parts[0].split()) >= 4 else basis
    clause = clause.strip().rstrip(".!?,;:")
    words = clause.split()
    if len(words) > HEADLINE_MAX_WORDS:
        head = " ".join(words[:HEADLINE_MAX_WORDS])
        if "," in head and len(head.rsplit(",", 1)[0].split()) >= 5:
            clause = head.rsplit(",", 1)[0]
        else:
            clause = truncate_words(clause, HEADLINE_MAX_WORDS)
    return clause or "Untitled"


class StoryEmbedder:
    """The embed step: a stored story's sentence vectors, written so `ask` never re-embeds the archive.

    A step of its own (not a side effect of summarizing) because it is what needs the sentence encoder when
    the summarizer does not: `headlines.container.build_pipeline` adds it only when embedding is on
    (HEADLINES_EMBED; unset: when the summarizer loads the encoder anyway).
    """

    def __init__(self, encoder: SentenceEncoder, embeddings: EmbeddingStore) -> None:
        self.encoder = encoder
        self.embeddings = embeddings

    def vectors(self, story: Story) -> StoryVectors:
        """The story's vectors, not yet written (event clustering reads the story vector before the store write)."""
        from headlines.ask.embeddings import embed_story

        return embed_story(self.encoder, story)

    def embed(self, story: Story) -> None:
        self.embeddings.put(self.vectors(story))

    def __str__(self) -> str:
        return f"embed ({self.encoder.name})"


class Pipeline:
    """Runs the components it is given; builds nothing itself (see `headlines.container`).

    Steps, in order (`describe()` names them): summarize, tag, then with a store: store and embed (when an
    embedder is given), then deliver (when a delivery is given). `encoder` + `embeddings` is shorthand for
    `embedder=StoryEmbedder(encoder, embeddings)`.
    """

    def __init__(
        self,
        summarizer: Summarizer,
        tagger: CountryTagger,
        *,
        store: Store | None = None,
        delivery: Delivery | None = None,
        sentences: int = 2,
        max_words: int = 60,
        max_body_chars: int = 200_000,
        encoder: SentenceEncoder | None = None,
        embeddings: EmbeddingStore | None = None,
        embedder: StoryEmbedder | None = None,
        events: EventClusterer | None = None,
    ) -> None:
        self.summarizer = summarizer
        self.tagger = tagger
        self.store = store
        self.delivery = delivery
        self.sentences = sentences
        self.max_words = max_words
        self.max_body_chars = max_body_chars
        if embedder is None and encoder is not None and embeddings is not None:
            embedder = StoryEmbedder(encoder, embeddings)
        self.embedder = embedder
        self.events = events

    def describe(self) -> str:
        """The steps `process` runs, e.g. 'summarize (LeadSummarizer) -> tag (ExactNameTagger) -> store (SQLiteStore) -> ...'."""
        steps = [f"summarize ({type(self.summarizer).__name__})", f"tag ({type(self.tagger).__name__})"]
        if self.store is not None:
            steps.append(f"store ({type(self.store).__name__})")
            if self.embedder is not None:
                steps.append(str(self.embedder))
                if self.events is not None:
                    steps.append("group into events")
        if self.delivery is not None:
            steps.append(f"deliver ({type(self.delivery).__name__})")
        return " -> ".join(steps)

    def _cleaned(self, article: Article) -> Article:
        body = clean_text(article.body)[: self.max_body_chars]
        return article.model_copy(update={"body": body or article.body})

    def explain_countries(self, article: Article) -> dict[str, list[str]]:
        """Per country tag, the distinct strings in the article that produced it ('FR': ['Paris', 'French']), read
        from the same cleaned text `analyze` tags; {} for a tagger that cannot explain itself (the baselines)."""
        explain = getattr(self.tagger, "explain", None)
        if explain is None:
            return {}
        evidence: dict[str, list[str]] = explain(self._cleaned(article))
        out = {code: list(dict.fromkeys(" ".join(s.split()) for s in strings)) for code, strings in evidence.items()}
        if article.source_country and article.source_country not in out:
            out[article.source_country] = ["source_country"]  # the feed's home country, when the story names none
        return out

    def analyze(self, article: Article, *, sentences: int | None = None, max_words: int | None = None) -> Story:
        """Summarize and tag one article, without storing it."""
        cleaned = self._cleaned(article)
        summary = self.summarizer.summarize(cleaned, sentences=sentences or self.sentences, max_words=max_words or self.max_words)
        countries = self.tagger.tag(cleaned)
        now = datetime.now(UTC)
        return Story(
            id=article.story_id(),
            article=article,
            headline=derive_headline(cleaned, summary),
            summary=" ".join(summary),
            countries=countries,
            content_hash=article.content_hash,
            created_at=now,
            updated_at=now,
        )

    def process(self, article: Article) -> Story:
        """Analyze, store (deduplicated), assign an event (`headlines.events`) and deliver one article."""
        story = self.analyze(article)
        if self.store is not None:
            vectors = None
            if self.embedder is not None:
                # Embedded once here, so asking never re-embeds the archive (headlines.ask), and clustering reuses it.
                story = self._with_stored_identity(story)
                vectors = self.embedder.vectors(story)
                if self.events is not None and story.event_id is None:
                    story = story.model_copy(update={"event_id": self.events.assign(story, vectors.story_vector)})
            story = self.store.put(story)
            if vectors is not None and self.embedder is not None:
                vectors.story_id = story.id
                self.embedder.embeddings.put(vectors)
        if self.delivery is not None:
            self.delivery.deliver(story)
        return story

    def _with_stored_identity(self, story: Story) -> Story:
        """The id and event the store already has for this article (a re-delivery or an update keeps its event)."""
        assert self.store is not None
        previous = self.store.find(story.article.dedup_key) or self.store.get(story.id)
        if previous is None:
            return story
        return story.model_copy(update={"id": previous.id, "event_id": previous.event_id})

    def process_many(self, articles: Iterable[Article]) -> list[Story]:
        return [self.process(a) for a in articles]
