"""Settings read from the environment (`HEADLINES_*`), validated once at the edge.

Precedence: explicit argument > environment variable > default.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    onnx_threads: int | None = Field(default=None, ge=1, le=64, description="ONNX Runtime intra-op threads (default: all cores)")
    summarizer_model: Path | None = Field(default=None, description="Local seq2seq directory")
    max_body_chars: int = Field(default=200_000, ge=1_000, description="Body is truncated here before NLP")
    embed: bool = Field(default=True, description="Store story embeddings at processing time (for `ask`)")
    log_level: str = "INFO"

    # Slack settings keep Slack's own names.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_base_url: str | None = Field(default=None, validation_alias="SLACK_API_BASE_URL")
    slack_max_retries: int = Field(default=3, ge=0, le=10, description="Retries of a Slack call on 429/5xx/connection errors")

    def db_path(self) -> Path:
        return self.db if self.db is not None else default_db_path()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process, read once; tests call `get_settings.cache_clear()`."""
    return Settings()
