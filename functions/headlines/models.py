"""Pydantic models at every boundary: what comes in (Article), what we tag (CountryTag), what we keep (Story)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

MAX_BODY_CHARS = 1_000_000
"""Largest article body accepted (characters). Larger bodies are rejected at the boundary, not truncated silently."""

MAX_TITLE_CHARS = 1_000

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


def _now() -> datetime:
    return datetime.now(UTC)


class CountryTag(BaseModel):
    """A country a story is about (`primary`) or only mentions."""

    model_config = ConfigDict(frozen=True)

    code: CountryCode = Field(description="ISO 3166-1 alpha-2 code, upper case")
    name: str = Field(min_length=1, description="English short name")
    flag: str = Field(min_length=1, description="Flag emoji")
    score: float = Field(ge=0.0, le=1.0)
    primary: bool = False


class Article(BaseModel):
    """An article as it arrives from any source (file, S3, webhook, feed, Slack)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str | None = Field(default=None, max_length=512)
    url: AnyHttpUrl | None = None
    title: str | None = Field(default=None, max_length=MAX_TITLE_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    source: str | None = Field(default=None, max_length=512)
    source_country: CountryCode | None = None
    dateline: str | None = Field(default=None, max_length=512)
    published: datetime | None = None
    language: str | None = Field(default=None, max_length=16)

    @field_validator("id", mode="before")
    @classmethod
    def _id_to_str(cls, value: Any) -> Any:
        # Reuters and other feeds use numeric ids; keep them, as text.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("source_country", mode="before")
    @classmethod
    def _upper_country(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("body")
    @classmethod
    def _body_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("body is empty")
        return value

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.body)

    @property
    def dedup_key(self) -> str:
        """What makes two deliveries the same article: its URL, else its content."""
        if self.url is not None:
            return "url:" + normalize_url(str(self.url))
        return "hash:" + self.content_hash

    def story_id(self) -> str:
        """Input ids are kept; otherwise an id derived from the dedup key."""
        if self.id:
            return self.id
        return hashlib.sha256(self.dedup_key.encode()).hexdigest()[:16]


class Story(BaseModel):
    """A processed article: what is stored and delivered."""

    id: str
    article: Article
    headline: str
    summary: str
    countries: list[CountryTag] = Field(default_factory=list)
    content_hash: str
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    event_id: str | None = None

    @property
    def primary_countries(self) -> list[CountryTag]:
        return [c for c in self.countries if c.primary]

    @property
    def sort_time(self) -> datetime:
        """When the story happened, for recency ordering: published time, else ingestion time."""
        return self.article.published or self.created_at


_WS = re.compile(r"\s+")


def content_hash(title: str | None, body: str) -> str:
    """Stable hash of an article's text, insensitive to whitespace and case."""
    text = _WS.sub(" ", f"{title or ''}\n{body}").strip().lower()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_url(url: str) -> str:
    """Drop fragments and trailing slashes so trivially different URLs dedup together."""
    url = url.split("#", 1)[0]
    return url.rstrip("/")


def describe_validation_error(exc: ValidationError) -> str:
    """One line naming each failing field and its problem, e.g. `body: Field required`."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(input)"
        msg = err.get("msg", "invalid")
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)


ALL_COUNTRIES = "*"
"""Subscription wildcard: the channel gets every story."""


class DigestSchedule(BaseModel):
    """When a channel gets its digest: daily at HH:MM, or weekly on a day, in an IANA time zone."""

    channel: str = Field(min_length=1)
    frequency: Annotated[str, StringConstraints(pattern=r"^(daily|weekly)$")]
    weekday: int | None = Field(default=None, ge=0, le=6, description="0 = Monday; weekly only")
    time: Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    tz: str = "UTC"
    last_sent: datetime | None = None

    @field_validator("tz")
    @classmethod
    def _known_tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Europe/Paris") from exc
        return value
