"""Factories for the composition roots: clients and components built from settings.

Only entry points import this module (`headlines.handlers.*`, `headlines.cli.*`; tests/test_composition.py
enforces it): each builds its collaborators here once per cold start and hands them, as keyword arguments, to
library code, which never builds its own. Tests build components directly and pass them in.
Heavy imports (model, spaCy, boto3) happen inside the builders, never at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from headlines.countries.base import CountryTagger
from headlines.encoder import SentenceEncoder
from headlines.errors import ConfigurationError
from headlines.job_queue import Job, JobQueue
from headlines.pipeline import Delivery, Pipeline
from headlines.settings import Settings, SlackConfigError, get_settings
from headlines.store.base import Store
from headlines.summarize.base import Summarizer

if TYPE_CHECKING:
    from slack_sdk import WebClient
    from slack_sdk.http_retry import RetryHandler

    from headlines.ask.embeddings import EmbeddingStore
    from headlines.ask.engine import AnswerEngine
    from headlines.fetch import Fetcher
    from headlines.usecases.deps import Deps

__all__ = ["SlackConfigError"]  # re-exported: entry points catch it from here


@lru_cache(maxsize=1)
def _cached_encoder(model_dir: str | None) -> SentenceEncoder:
    from pathlib import Path

    from headlines.encoder import TransformersEncoder

    return TransformersEncoder(Path(model_dir) if model_dir else None)


@lru_cache(maxsize=1)
def _cached_onnx_encoder(onnx_dir: str, threads: int | None) -> SentenceEncoder:
    from pathlib import Path

    from headlines.onnx_encoder import OnnxEncoder

    return OnnxEncoder(Path(onnx_dir), threads=threads)


def onnx_dir_for(settings: Settings) -> str | None:
    """The ONNX model directory to use, or None for the transformers path (see HEADLINES_ENCODER).

    In order: HEADLINES_ONNX_DIR; the image's bundled /opt/model-onnx; the default model's checked export in
    the user data directory (`make demo` / `headlines model export` write it) unless HEADLINES_MODEL_DIR
    names another model. `auto` falls back to transformers (torch) when none is there.
    """
    from headlines.encoder import DEFAULT_MODEL_PACKAGE
    from headlines.onnx_encoder import BUNDLED_ONNX_DIR, is_checked_export, user_onnx_dir

    if settings.encoder == "transformers":
        return None
    if settings.onnx_dir is not None:
        return str(settings.onnx_dir)
    if BUNDLED_ONNX_DIR.is_dir():
        return str(BUNDLED_ONNX_DIR)
    if settings.model_dir is None and is_checked_export(user_onnx_dir(), source=DEFAULT_MODEL_PACKAGE):
        return str(user_onnx_dir())
    if settings.encoder == "onnx":
        # Forced without a directory: the bundled one, and a ModelError naming it (and the fix) as it is absent.
        return str(BUNDLED_ONNX_DIR)
    return None


def get_encoder(settings: Settings | None = None) -> SentenceEncoder:
    """The process-wide sentence encoder, loaded on first use; `reset_caches()` drops it (tests).

    ONNX Runtime (no torch import) when an exported model is configured, bundled or exported into the user
    data directory, else transformers.
    """
    settings = settings or get_settings()
    onnx_dir = onnx_dir_for(settings)
    if onnx_dir is not None:
        return _cached_onnx_encoder(onnx_dir, settings.onnx_threads)
    return _cached_encoder(str(settings.model_dir) if settings.model_dir else None)


def reset_caches() -> None:
    _cached_encoder.cache_clear()
    _cached_onnx_encoder.cache_clear()
    get_settings.cache_clear()
    from headlines.aws.clients import reset_clients

    reset_clients()


def build_summarizer(
    settings: Settings | None = None, name: str | None = None, *, encoder: SentenceEncoder | None = None
) -> Summarizer:
    """The configured summarizer; `encoder` (default: the process-wide one) is what the model summarizer embeds with."""
    settings = settings or get_settings()
    name = name or settings.summarizer
    if name == "lead":
        from headlines.summarize.lead import LeadSummarizer

        return LeadSummarizer()
    if name == "model":
        if settings.summarizer_model is not None:
            from headlines.summarize.abstractive import AbstractiveSummarizer

            return AbstractiveSummarizer(settings.summarizer_model)
        from headlines.summarize.embedding import EmbeddingSummarizer

        return EmbeddingSummarizer(encoder or get_encoder(settings))
    raise ValueError(f"unknown summarizer {name!r}; set HEADLINES_SUMMARIZER to one of: lead, model")


def build_tagger(settings: Settings | None = None, name: str | None = None) -> CountryTagger:
    settings = settings or get_settings()
    name = name or settings.tagger
    if name == "exact":
        from headlines.countries.exact import ExactNameTagger

        return ExactNameTagger()
    if name == "gazetteer":
        from headlines.countries.gazetteer import GazetteerTagger

        return GazetteerTagger()
    if name == "spacy":
        from headlines.countries.spacy_ner import SpacyNERTagger

        return SpacyNERTagger()
    raise ValueError(f"unknown tagger {name!r}; set HEADLINES_TAGGER to one of: gazetteer, exact, spacy")


def build_store(settings: Settings | None = None) -> Store:
    settings = settings or get_settings()
    if settings.store == "sqlite":
        from headlines.store.sqlite import SQLiteStore

        return SQLiteStore(settings.db_path())
    if settings.store == "dynamodb":
        from datetime import timedelta

        from headlines.store.dynamodb import DynamoDBStore

        return DynamoDBStore(
            settings.stories_table,
            settings.posts_table,
            settings.subscriptions_table,
            post_ttl=timedelta(days=settings.post_ttl_days),
            story_ttl=timedelta(days=settings.story_ttl_days) if settings.story_ttl_days else None,
        )
    raise ValueError(f"unknown store {settings.store!r}; set HEADLINES_STORE to sqlite or dynamodb")


def build_embedding_store(settings: Settings | None = None, store: Store | None = None) -> EmbeddingStore | None:
    """Story vectors next to the stories: the same SQLite file as a SQLite store, the vectors table
    (`HEADLINES_VECTORS_TABLE`) for DynamoDB; None for a private in-memory store."""
    settings = settings or get_settings()
    kind: str = settings.store
    if store is not None:
        from headlines.store.sqlite import SQLiteStore

        if isinstance(store, SQLiteStore):
            if store.path == ":memory:":
                return None
            from headlines.ask.embeddings import SQLiteEmbeddingStore

            return SQLiteEmbeddingStore(store.path)
        from headlines.store.dynamodb import DynamoDBStore  # botocore: only when the store is not SQLite

        kind = "dynamodb" if isinstance(store, DynamoDBStore) else "other"
    if kind == "sqlite":
        from headlines.ask.embeddings import SQLiteEmbeddingStore

        return SQLiteEmbeddingStore(settings.db_path())
    if kind == "dynamodb":
        from datetime import timedelta

        from headlines.ask.dynamodb import DynamoDBEmbeddingStore

        ttl = timedelta(days=settings.story_ttl_days) if settings.story_ttl_days else None
        return DynamoDBEmbeddingStore(settings.vectors_table, ttl=ttl)
    return None


def build_answer_engine(
    settings: Settings | None = None, *, store: Store | None = None, embeddings: EmbeddingStore | None = None
) -> AnswerEngine:
    """The `ask` engine over the configured store, its embeddings, the encoder and the country tagger."""
    from headlines.ask.engine import AnswerEngine

    settings = settings or get_settings()
    store = store or build_store(settings)
    embeddings = embeddings or build_embedding_store(settings, store)
    if embeddings is None:
        raise ValueError(
            f"asking needs an embedding store next to the {type(store).__name__}; use HEADLINES_STORE=sqlite (a file) or dynamodb"
        )
    from headlines.ask.snapshot import location

    snapshot = location(settings.index_snapshot) if settings.index_snapshot else None
    return AnswerEngine(store, embeddings, get_encoder(settings), tagger=build_tagger(settings), snapshot=snapshot)


def slack_retry_handlers(max_retries: int = 3) -> list[RetryHandler]:
    """429 waits for its `Retry-After` when it fits in the time left (else the job is re-queued); 500/503 and
    dropped connections back off, except for `chat.postMessage`, which the post ledger retries after
    looking for the message in the channel's history (`headlines.delivery.retry`)."""
    from headlines.delivery.retry import retry_handlers

    return retry_handlers(max_retries)


def build_slack_client(settings: Settings | None = None) -> WebClient:
    """The Slack Web API client: bot token, `SLACK_API_BASE_URL` when set, retries as above."""
    from slack_sdk import WebClient

    settings = settings or get_settings()
    if settings.slack_bot_token is None:
        raise SlackConfigError("no Slack bot token: set SLACK_BOT_TOKEN (xoxb-...) from the app's OAuth & Permissions page")
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_base_url or WebClient.BASE_URL,
        retry_handlers=slack_retry_handlers(settings.slack_max_retries),
        timeout=10,
    )


def build_queue(settings: Settings | None = None, *, run: Callable[[Job], object] | None = None) -> JobQueue:
    """SQS when `HEADLINES_QUEUE_URL` is set (AWS), else an in-process queue running `run` (local)."""
    settings = settings or get_settings()
    if settings.queue_url:
        from headlines.aws.sqs import SqsQueue

        return SqsQueue(settings.queue_url, bucket=settings.bucket)
    if run is None:
        raise ConfigurationError("no job queue: set HEADLINES_QUEUE_URL to an SQS queue (or pass `run` for an in-process one)")
    from headlines.job_queue import InProcessQueue

    return InProcessQueue(run)


def build_fetcher(settings: Settings | None = None) -> Fetcher:
    """The SSRF-guarded page fetcher used by feeds, the webhook and `summarize <url>`."""
    from headlines.fetch import Fetcher

    settings = settings or get_settings()
    allow = [n for n in settings.fetch_allow.replace(",", " ").split() if n]
    return Fetcher(timeout=settings.fetch_timeout, max_bytes=settings.max_fetch_bytes, allow=allow)


def build_delivery(settings: Settings | None = None, *, store: Store | None = None, client: WebClient | None = None) -> Delivery:
    """Slack channels (exactly once per channel, via the store) when `SLACK_BOT_TOKEN` is set, else the console."""
    settings = settings or get_settings()
    if settings.slack_bot_token is not None or client is not None:
        from datetime import timedelta

        from headlines.delivery.slack import SlackDelivery

        return SlackDelivery(
            client or build_slack_client(settings),
            store or build_store(settings),
            lease=timedelta(seconds=settings.post_lease_seconds),
            max_attempts=settings.slack_max_retries + 1,
            edit_interval=timedelta(seconds=settings.edit_interval_seconds),
            reply_after=timedelta(hours=settings.reply_after_hours),
        )
    from headlines.delivery.console import ConsoleDelivery

    return ConsoleDelivery()


def embeds(settings: Settings) -> bool:
    """Whether processing stores story vectors for `ask`: HEADLINES_EMBED when set, else only when the summarizer
    loads the sentence encoder anyway (`model`), so `lead` never loads a model for it; `headlines ask` embeds
    the stories it finds without vectors on first use."""
    if settings.embed is not None:
        return settings.embed
    return settings.summarizer == "model" and settings.summarizer_model is None


def build_pipeline(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    delivery: Delivery | None = None,
    sentences: int | None = None,
    max_words: int | None = None,
    embeddings: EmbeddingStore | None = None,
    encoder: SentenceEncoder | None = None,
) -> Pipeline:
    """The processing pipeline; `encoder` (default: the process-wide one, loaded only if a step needs it) is what
    the model summarizer and the embed step encode with. Tests not about the model pass a light one."""
    settings = settings or get_settings()
    if embeddings is None and store is not None and embeds(settings):
        embeddings = build_embedding_store(settings, store)
    embedder = None
    if embeddings is not None:
        from headlines.encoder import MemoizedEncoder
        from headlines.pipeline import StoryEmbedder

        # One encoder for the summarizer and the embed step: a story's sentences are encoded once.
        encoder = MemoizedEncoder(encoder or get_encoder(settings))
        embedder = StoryEmbedder(encoder, embeddings)
    events = None
    if embedder is not None and store is not None and settings.events:
        from headlines.events.clusterer import EventClusterer
        from headlines.events.rule import EventRule

        events = EventClusterer(store, embedder.embeddings, EventRule(window_days=settings.event_window_days))
    return Pipeline(
        build_summarizer(settings, encoder=encoder),
        build_tagger(settings),
        store=store,
        delivery=delivery,
        sentences=sentences or settings.sentences,
        max_words=max_words or settings.max_words,
        max_body_chars=settings.max_body_chars,
        embedder=embedder,
        events=events,
    )


def build_worker_deps(settings: Settings | None = None, *, store: Store | None = None, client: WebClient | None = None) -> Deps:
    """What the job use cases need: the configured store, the Slack client when a token is set, the SSRF-guarded
    fetcher, and the pipeline and ask engine built on first use (the model loads only when a job needs it)."""
    from headlines.fetch import fetch_article
    from headlines.models import Article
    from headlines.usecases.deps import Deps

    settings = settings or get_settings()
    store = store or build_store(settings)
    if client is None and settings.slack_bot_token is not None:
        client = build_slack_client(settings)

    def pipeline() -> Pipeline:
        return build_pipeline(settings, store=store, delivery=build_delivery(settings, store=store, client=client))

    def answers() -> AnswerEngine | None:
        embeddings = build_embedding_store(settings, store)
        if embeddings is None:
            return None
        return build_answer_engine(settings, store=store, embeddings=embeddings)

    fetcher = build_fetcher(settings)

    def fetch(url: str) -> Article:  # only ever called by the worker, never on the ack path
        return fetch_article(url, fetcher)

    return Deps(store=store, client=client, pipeline_factory=pipeline, settings=settings, fetch=fetch, answer_factory=answers)
