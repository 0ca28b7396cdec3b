"""Settings read from the environment (`HEADLINES_*`), validated once at the edge.

Precedence: explicit argument > environment variable > default.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from headlines.errors import ConfigurationError


class SlackConfigError(ConfigurationError):
    """Slack is not configured well enough for what was asked; the message names the variable to set."""


def split_s3_url(value: str) -> tuple[str, str] | None:
    """`s3://bucket/key` -> (bucket, key); None for anything not an s3:// URL; ValueError for one without a key."""
    if not value.startswith("s3://"):
        return None
    bucket, _, key = value.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise ValueError(f"{value!r} names no object: write s3://BUCKET/KEY, e.g. s3://my-bucket/index/ask.npz")
    return bucket, key


def default_db_path() -> Path:
    """The embedded store lives in the user's data directory unless `HEADLINES_DB` says otherwise."""
    from platformdirs import user_data_path

    return user_data_path("headlines", appauthor=False) / "headlines.db"


class Settings(BaseSettings):
    """Every knob Headlines reads; each is documented in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="HEADLINES_", extra="ignore")

    db: Path | None = Field(default=None, description="Path of the embedded SQLite store")
    store: Literal["sqlite", "dynamodb"] = "sqlite"
    sentences: int = Field(default=2, ge=1, le=20, description="Summary length in sentences")
    max_words: int = Field(default=60, ge=5, le=1000, description="Summary length cap in words")
    summarizer: Literal["model", "lead"] = "model"
    tagger: Literal["gazetteer", "exact", "spacy"] = "gazetteer"
    model_dir: Path | None = Field(default=None, description="Local sentence-encoder directory")
    encoder: Literal["auto", "onnx", "transformers"] = Field(
        default="auto", description="auto: ONNX when HEADLINES_ONNX_DIR is set or /opt/model-onnx exists, else transformers"
    )
    onnx_dir: Path | None = Field(default=None, description="Exported ONNX encoder directory (`headlines model export`)")
    onnx_threads: int | None = Field(default=None, ge=1, le=64, description="Parallel ONNX inference calls (default: CPUs)")
    summarizer_model: Path | None = Field(default=None, description="Local seq2seq directory")
    max_body_chars: int = Field(default=200_000, ge=1_000, description="Body is truncated here before NLP")
    embed: bool | None = Field(
        default=None,
        description="Store story embeddings at processing time (for `ask`); unset: only when the summarizer loads the "
        "sentence encoder anyway (`model`), so `lead` stays model-free",
    )
    events: bool = Field(default=True, description="Group stories of one event at processing time (needs HEADLINES_EMBED)")
    event_window_days: float = Field(
        default=6.0, gt=0, le=30, description="Stories at most this many days apart can be one event (docs/events.md)"
    )
    log_level: str = "INFO"

    # AWS deployment (template.yaml sets these on each function).
    stories_table: str = Field(default="headlines-stories", description="DynamoDB stories table")
    posts_table: str = Field(default="headlines-posts", description="DynamoDB post records (exactly-once)")
    subscriptions_table: str = Field(default="headlines-subscriptions", description="DynamoDB subscriptions + digests")
    vectors_table: str = Field(default="headlines-story-vectors", description="DynamoDB story vectors (for `ask`)")
    index_snapshot: str | None = Field(
        default=None,
        description="Where `ask` keeps a snapshot of its search index so a cold process loads it instead of "
        "rebuilding it: a file path or s3://BUCKET/KEY (unset: no snapshot)",
    )

    @field_validator("index_snapshot")
    @classmethod
    def _snapshot_location(cls, value: str | None) -> str | None:
        if value:
            split_s3_url(value)
        return value or None

    idempotency_table: str | None = Field(default=None, description="DynamoDB table for Powertools idempotency")
    queue_url: str | None = Field(default=None, description="SQS work queue; unset runs jobs in-process")
    dead_letter_queue_url: str | None = Field(default=None, description="SQS queue for jobs that failed every attempt")
    max_receives: int = Field(default=5, ge=1, description="Attempts per job; must match the queue's maxReceiveCount")
    bucket: str | None = Field(default=None, description="S3 bucket whose incoming/ prefix is ingested")
    feeds: str = Field(default="", description="RSS/Atom feed URLs, comma or whitespace separated")
    webhook_secret_param: str | None = Field(default=None, description="SSM parameter holding the /articles secret")
    slack_bot_token_param: str | None = Field(default=None, description="SSM parameter holding the Slack bot token")
    slack_signing_secret_param: str | None = Field(default=None, description="SSM parameter holding the Slack signing secret")
    fetch_timeout: float = Field(default=10.0, gt=0, le=60, description="Seconds per HTTP connect/read")
    fetch_allow: str = Field(
        default="", description="Networks exempt from the SSRF guard (CIDRs, comma separated), e.g. an internal feed server"
    )
    max_fetch_bytes: int = Field(default=5 * 1024 * 1024, ge=1024, description="Largest page or object read")
    post_ttl_days: int = Field(default=30, ge=1, description="How long post records block a re-post")
    post_lease_seconds: float = Field(
        default=120, gt=0, le=900, description="How long a worker owns a post it is sending (then another may take over)"
    )
    edit_interval_seconds: float = Field(
        default=180, ge=0, le=3600, description="Least time between two edits of an event's post (edits are coalesced)"
    )
    reply_after_hours: float = Field(
        default=6, gt=0, description="A later story of an event this long after its first goes as a threaded reply"
    )
    story_ttl_days: int | None = Field(default=None, ge=1, description="Stories expire after this; unset keeps them")

    # Slack settings keep Slack's own names.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_base_url: str | None = Field(default=None, validation_alias="SLACK_API_BASE_URL")
    slack_max_retries: int = Field(default=3, ge=0, le=10, description="Retries of a Slack call on 429/5xx/connection errors")

    def feed_urls(self) -> list[str]:
        return [u for u in self.feeds.replace(",", " ").split() if u]

    def db_path(self) -> Path:
        return self.db if self.db is not None else default_db_path()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process, read once; tests call `get_settings.cache_clear()`."""
    return Settings()
