"""The store interface every backend implements; behavioural tests run against each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime

from headlines.models import ALL_COUNTRIES, DigestSchedule, Story, Subscription


class StoreError(Exception):
    """The store could not be read or written; the message says which and why."""


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
    def latest(
        self, *, country: str | None = None, limit: int = 10, since: datetime | None = None
    ) -> list[Story]:
        """Newest first (published time, else ingestion time); `country` keeps stories tagged with it."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def record_post(self, channel: str, story_id: str) -> bool:
        """Record that a story is being posted to a channel. True the first time only:
        the conditional write that makes posting exactly-once."""

    @abstractmethod
    def forget_post(self, channel: str, story_id: str) -> None:
        """Undo `record_post` when the post itself failed, so a retry can post."""

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
