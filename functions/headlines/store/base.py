"""The store interface every backend implements; behavioural tests run against each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from headlines.errors import UpstreamTransientError
from headlines.models import ALL_COUNTRIES, Article, DigestSchedule, Story, Subscription


class StoreError(UpstreamTransientError):
    """The store could not be read or written; the message says which and why."""


class PostRecord(BaseModel):
    """One entry of the post ledger: the Slack message of a story (or of an event) in one channel.

    `claimed` (a worker holds `token` until `lease_until`) -> `sent` (Slack's message `ts` known).
    `rev` is the compare-and-set version every write is conditioned on; 0 is a legacy `record_post`
    row, read as sent. `shows` lists the story ids the message shows (first: the story posted),
    `pending` those waiting for the next edit; an edit holds the lease the same way a post does.
    """

    channel: str
    key: str
    rev: int = 0
    state: Literal["claimed", "sent"] = "sent"
    token: str | None = None
    leased_at: datetime | None = None
    lease_until: datetime | None = None
    ts: str | None = None
    posted_at: datetime | None = None
    edited_at: datetime | None = None
    shows: list[str] = Field(default_factory=list)
    pending: list[str] = Field(default_factory=list)
    replies: dict[str, str] = Field(default_factory=dict, description="story id -> ts of its threaded reply")

    def ledger_json(self) -> str:
        return self.model_dump_json(exclude={"channel", "key", "rev"})

    @classmethod
    def from_ledger(cls, channel: str, key: str, rev: int, data: str) -> PostRecord:
        import json

        return cls.model_validate({**json.loads(data), "channel": channel, "key": key, "rev": rev})


class Store(ABC):
    """Stories keyed by id, deduplicated by the article's URL or content hash, plus post records."""

    @abstractmethod
    def put(self, story: Story) -> Story:
        """Insert or update. A story whose article has the same dedup key as a stored one
        updates that one (its id kept); returns the story as stored."""

    @abstractmethod
    def get(self, story_id: str) -> Story | None: ...

    @abstractmethod
    def find(self, dedup_key: str) -> Story | None:
        """The stored story with this dedup key (`url:...` or `hash:...`), if any."""

    @abstractmethod
    def latest(self, *, country: str | None = None, limit: int = 10, since: datetime | None = None) -> list[Story]:
        """Newest first (published time, else ingestion time); `country` keeps stories tagged with it."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def record_post(self, channel: str, story_id: str) -> bool:
        """Take (scope, key) once: True the first time only (a conditional write). Call it through
        `headlines.claims.claim`, which lists every scope and de-duplication layer."""

    @abstractmethod
    def forget_post(self, channel: str, story_id: str) -> None:
        """Undo `record_post` when the work it guarded failed, so a retry can take it (`headlines.claims.release`)."""

    # The post ledger (headlines.claims): rows shared with record_post, keyed (channel, key).
    def get_post_record(self, channel: str, key: str) -> PostRecord | None:
        """The ledger entry, read consistently (a `record_post` row reads as a sent record, rev 0)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no post ledger")

    def put_post_record(self, record: PostRecord, *, expected_rev: int | None) -> bool:
        """Write `record` only if the stored entry is still at `expected_rev` (None: only if absent).
        False when another writer got there first: the caller reads again and decides again."""
        raise NotImplementedError(f"{type(self).__name__} keeps no post ledger")

    def delete_post_record(self, channel: str, key: str, *, expected_rev: int) -> bool:
        """Remove the entry if still at `expected_rev` (a post Slack refused: a retry may post)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no post ledger")

    def exists(self, article: Article) -> bool:
        """Whether storing this article updates a stored story (same dedup key, or the same id)."""
        return self.find(article.dedup_key) is not None or self.get(article.story_id()) is not None

    # Subscriptions: which channels get which stories as they arrive. Codes are ISO alpha-2 or "*" (all).
    @abstractmethod
    def subscribe(self, channel: str, codes: Iterable[str]) -> set[str]:
        """Add codes to the channel's subscriptions; returns the channel's subscriptions now."""

    @abstractmethod
    def unsubscribe(self, channel: str, codes: Iterable[str]) -> set[str]:
        """Remove codes ("*" removes everything); returns what is left."""

    @abstractmethod
    def subscriptions(self, channel: str) -> set[str]:
        """The channel's country codes in `about` mode (and "*"): what every version so far stored."""

    @abstractmethod
    def channels_for(self, codes: Iterable[str]) -> set[str]:
        """Channels subscribed to any of these codes, or to "*"."""

    # Every kind of subscription (countries in either mode, keywords) is kept as a token, `Subscription.token()`;
    # plain country codes are tokens too, so the code-based methods above see the same rows.
    @abstractmethod
    def add_tokens(self, channel: str, tokens: Iterable[str]) -> None: ...

    @abstractmethod
    def remove_tokens(self, channel: str, tokens: Iterable[str]) -> None: ...

    @abstractmethod
    def tokens(self, channel: str) -> set[str]: ...

    @abstractmethod
    def channels_for_tokens(self, tokens: Iterable[str]) -> set[str]:
        """Channels holding any of these exact tokens."""

    @abstractmethod
    def keyword_tokens(self) -> dict[str, set[str]]:
        """Every channel's keyword tokens (`kw:...`): what keyword matching compares each story with."""

    def add_subscriptions(self, channel: str, subs: Iterable[Subscription]) -> list[Subscription]:
        self.add_tokens(channel, [s.token() for s in subs])
        return self.channel_subscriptions(channel)

    def remove_subscriptions(self, channel: str, subs: Iterable[Subscription]) -> list[Subscription]:
        """Remove these; a country "*" subscription in the list removes everything the channel has."""
        subs = list(subs)
        if any(s.kind == "country" and s.value == ALL_COUNTRIES for s in subs):
            self.remove_tokens(channel, self.tokens(channel))
        else:
            self.remove_tokens(channel, [s.token() for s in subs])
        return self.channel_subscriptions(channel)

    def channel_subscriptions(self, channel: str) -> list[Subscription]:
        """Countries first, then keywords, each sorted."""
        subs = [Subscription.from_token(t) for t in self.tokens(channel)]
        return sorted(subs, key=lambda s: (s.kind != "country", s.value, s.mode))

    # Digest schedules, one per channel.
    @abstractmethod
    def set_digest(self, schedule: DigestSchedule) -> None: ...

    @abstractmethod
    def get_digest(self, channel: str) -> DigestSchedule | None: ...

    @abstractmethod
    def delete_digest(self, channel: str) -> None: ...

    @abstractmethod
    def digest_schedules(self) -> list[DigestSchedule]: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""
