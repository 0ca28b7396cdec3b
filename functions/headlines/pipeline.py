"""The pipeline: article -> clean text -> summary + country tags -> stored story -> embedded for `ask` -> delivered."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from headlines.countries.base import CountryTagger
from headlines.models import Article, Story
from headlines.store.base import Store
from headlines.summarize.base import Summarizer
from headlines.text import clean_text, truncate_words

if TYPE_CHECKING:
    from headlines.ask.embeddings import EmbeddingStore
    from headlines.encoder import SentenceEncoder

HEADLINE_MAX_WORDS = 14


class Delivery(Protocol):
    """Where finished stories go: the console locally, Slack channels when configured."""

    def deliver(self, story: Story) -> None: ...


_CLAUSE_BREAK = re.compile(
    r"\s*(?:;|:\s|\s[\u2014\u2013-]\s|,\s(?:following|after|amid|as|while|which|who|where|saying|according to|but|with|"
    r"despite|because|although|when|in a move|in what)\b)",
    re.I,
)


def derive_headline(article: Article, summary: list[str]) -> str:
    """The article's title when usable, else a short clause from the best summary sentence.

    The clause is the sentence up to its first subordinate break (", following ...", "; ...", " - ..."),
    cut at a comma if still over `HEADLINE_MAX_WORDS` words.
    """
    title = (article.title or "").strip()
    if len(title.split()) >= 2 and not title.isdigit():
        return title
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

    def embed(self, story: Story) -> None:
        from headlines.ask.embeddings import embed_story

        self.embeddings.put(embed_story(self.encoder, story))

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

    def describe(self) -> str:
        """The steps `process` runs, e.g. 'summarize (LeadSummarizer) -> tag (ExactNameTagger) -> store (SQLiteStore) -> ...'."""
        steps = [f"summarize ({type(self.summarizer).__name__})", f"tag ({type(self.tagger).__name__})"]
        if self.store is not None:
            steps.append(f"store ({type(self.store).__name__})")
            if self.embedder is not None:
                steps.append(str(self.embedder))
        if self.delivery is not None:
            steps.append(f"deliver ({type(self.delivery).__name__})")
        return " -> ".join(steps)

    def analyze(self, article: Article, *, sentences: int | None = None, max_words: int | None = None) -> Story:
        """Summarize and tag one article, without storing it."""
        body = clean_text(article.body)[: self.max_body_chars]
        cleaned = article.model_copy(update={"body": body or article.body})
        summary = self.summarizer.summarize(
            cleaned, sentences=sentences or self.sentences, max_words=max_words or self.max_words
        )
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
        """Analyze, store (deduplicated) and deliver one article."""
        story = self.analyze(article)
        if self.store is not None:
            story = self.store.put(story)
            if self.embedder is not None:
                self.embedder.embed(story)
        if self.delivery is not None:
            self.delivery.deliver(story)
        return story

    def process_many(self, articles: Iterable[Article]) -> list[Story]:
        return [self.process(a) for a in articles]
