"""Pydantic models at every boundary: what comes in (Article), what we tag (CountryTag), what we keep (Story)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from headlines.sanitize import clean_line, clean_unicode

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

    @field_validator("title", "source", "dateline", mode="after")
    @classmethod
    def _clean_line(cls, value: str | None) -> str | None:
        # Bidi overrides, zero-width characters and terminal controls go at the door (headlines.sanitize).
        return clean_line(value) if value is not None else None

    @field_validator("body", mode="after")
    @classmethod
    def _clean_body(cls, value: str) -> str:
        return clean_unicode(value)

    @field_validator("published")
    @classmethod
    def _published_in_range(cls, value: datetime | None) -> datetime | None:
        # Stores and Slack work in UTC: a time that does not exist there (year 1 at +01:00) is refused here,
        # not an OverflowError later. A time without an offset is taken as UTC.
        if value is None:
            return None
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        try:
            aware.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise ValueError(f"{value.isoformat()} is out of range in UTC") from exc
        return aware

    @field_validator("source_country", mode="before")
    @classmethod
    def _upper_country(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("body", mode="after")
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
            return url_key(str(self.url))
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
    event_id: str | None = Field(
        default=None,
        max_length=512,
        description="The event this story reports (the id of its first story); None: not clustered. "
        "`story.event_id or story.id` names the event either way.",
    )
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)

    @property
    def primary_countries(self) -> list[CountryTag]:
        return [c for c in self.countries if c.primary]

    @property
    def event_key(self) -> str:
        """The event this story belongs to, for posts and digests: its event id, else the story itself."""
        return self.event_id or self.id

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


def url_key(url: str) -> str:
    """The dedup key of an article at this URL (`Article.dedup_key`, `Store.find`): the one place it is built."""
    return "url:" + normalize_url(url)


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


SubscriptionKind = Literal["country", "keyword"]
SubscriptionMode = Literal["about", "mentions"]
MAX_KEYWORD_CHARS = 100


class Subscription(BaseModel):
    """What a channel follows: a country (ISO code or "*") or a keyword phrase, in a mode.

    Countries: `about` = the story is about it (a primary tag, the original behaviour); `mentions` = any tag.
    Keywords (matched with word boundaries and stemming): `about` = in the headline or summary; `mentions` = there or
    in the body. Stored as one text token per subscription (`token()`), so both stores keep their schema."""

    model_config = ConfigDict(frozen=True)

    kind: SubscriptionKind
    value: str = Field(min_length=1, max_length=MAX_KEYWORD_CHARS)
    mode: SubscriptionMode = "about"

    @field_validator("value")
    @classmethod
    def _normal(cls, value: str) -> str:
        value = _WS.sub(" ", value).strip()
        if not value:
            raise ValueError("empty subscription")
        return value

    @classmethod
    def country(cls, code: str, mode: SubscriptionMode = "about") -> Subscription:
        return cls(kind="country", value=code.upper(), mode=mode)

    @classmethod
    def keyword(cls, phrase: str, mode: SubscriptionMode = "mentions") -> Subscription:
        return cls(kind="keyword", value=phrase.lower(), mode=mode)

    def token(self) -> str:
        """`FR` (country, about: what older versions stored), `FR@mentions`, `kw:mentions:wind power`."""
        if self.kind == "country":
            return self.value if self.mode == "about" else f"{self.value}@{self.mode}"
        return f"kw:{self.mode}:{self.value}"

    @classmethod
    def from_token(cls, token: str) -> Subscription:
        if token.startswith("kw:"):
            _, mode, phrase = token.split(":", 2)
            return cls(kind="keyword", value=phrase, mode=mode)  # type: ignore[arg-type]
        code, _, mode = token.partition("@")
        return cls(kind="country", value=code, mode=mode or "about")  # type: ignore[arg-type]

    def label(self) -> str:
        """How a user sees it: `wind power` (quoted), `FR`, with the mode when not the default."""
        if self.kind == "keyword":
            return f"\u201c{self.value}\u201d" + (" (headline or summary)" if self.mode == "about" else "")
        return self.value + (" (any mention)" if self.mode == "mentions" else "")
