"""Which channels get a story as it arrives, and why: country subscriptions (about / mentions) and keywords.

`channel_matches(store, story)` is what delivery calls: one `ChannelMatch` per channel, with the reason shown in
the post's context line ("matched: wind power"). Keywords match whole words after stemming (the tokenizer `ask`
uses), as a contiguous phrase with stop words skipped: "wind power" matches "wind powers" and "Wind-powered", not
"windpower"; "nuclear" matches "Nuclear", not "antinuclear".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from headlines.ask.lexical import tokenize
from headlines.models import ALL_COUNTRIES, Story, Subscription
from headlines.store.base import Store

KEYWORD_CACHE_SECONDS = 60.0
"""How long a process reuses the list of keyword subscriptions (DynamoDB: one Scan) before reading it again."""


@dataclass(frozen=True)
class ChannelMatch:
    channel: str
    reasons: tuple[str, ...]
    """Why, most specific first: `matched: wind power`, `mentions: Germany`, `about: France`, `all stories`."""

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else ""

    @property
    def explain(self) -> str | None:
        """What the post's context line shows: keyword and mention matches; None for the classic country match."""
        shown = [r for r in self.reasons if r.startswith(("matched:", "mentions:"))]
        if not shown:
            return None
        keywords = [r.removeprefix("matched: ") for r in shown if r.startswith("matched:")]
        return "matched: " + ", ".join(keywords) if keywords else shown[0]


def phrase_terms(phrase: str) -> tuple[str, ...]:
    """The stemmed terms a keyword must match in order; empty when it has only stop words."""
    return tuple(tokenize(phrase))


def contains_phrase(terms: Sequence[str], phrase: Sequence[str]) -> bool:
    if not phrase or len(phrase) > len(terms):
        return False
    first, n = phrase[0], len(phrase)
    return any(terms[i] == first and tuple(terms[i : i + n]) == tuple(phrase) for i in range(len(terms) - n + 1))


class StoryText:
    """A story's terms, computed once for every keyword: headline+summary, and body."""

    def __init__(self, story: Story) -> None:
        self.lead = tokenize(f"{story.headline}\n{story.summary}")
        self._story = story
        self._body: list[str] | None = None

    @property
    def body(self) -> list[str]:
        if self._body is None:
            self._body = tokenize(self._story.article.body)
        return self._body

    def matches(self, sub: Subscription) -> bool:
        terms = phrase_terms(sub.value)
        return contains_phrase(self.lead, terms) or (sub.mode == "mentions" and contains_phrase(self.body, terms))


class KeywordCache:
    """The store's keyword subscriptions, re-read at most every `ttl` seconds (subscribing takes effect within it)."""

    def __init__(self, ttl: float = KEYWORD_CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._at = -1e18
        self._value: dict[str, list[Subscription]] = {}

    def get(self, store: Store) -> dict[str, list[Subscription]]:
        with self._lock:
            now = time.monotonic()
            if now - self._at > self.ttl:
                tokens = store.keyword_tokens()
                self._value = {c: [Subscription.from_token(t) for t in sorted(ts)] for c, ts in tokens.items()}
                self._at = now
            return self._value


def match_reasons(subs: Sequence[Subscription], story: Story, text: StoryText | None = None) -> tuple[str, ...]:
    """Why one channel's own subscriptions take `story` (most specific first); empty when they do not.
    What digests use: no store query per story."""
    from headlines.countries.data import country_name

    primary = {c.code for c in story.primary_countries}
    tagged = {c.code for c in story.countries}
    found: list[str] = []
    for sub in subs:
        if sub.kind == "keyword":
            text = text or StoryText(story)
            if text.matches(sub):
                found.append(f"matched: {sub.value}")
        elif sub.value == ALL_COUNTRIES:
            found.append("all stories")
        elif sub.mode == "about" and sub.value in primary:
            found.append(f"about: {country_name(sub.value)}")
        elif sub.mode == "mentions" and sub.value in tagged:
            found.append(f"mentions: {country_name(sub.value)}")
    return _ordered(found)


_ORDER = ("matched:", "mentions:", "about:", "all")


def _ordered(reasons: Sequence[str]) -> tuple[str, ...]:
    unique = list(dict.fromkeys(reasons))
    return tuple(sorted(unique, key=lambda r: next(i for i, p in enumerate(_ORDER) if r.startswith(p))))


def channel_matches(store: Store, story: Story, *, keywords: KeywordCache | None = None) -> list[ChannelMatch]:
    """Every channel that gets `story`, sorted, each with why."""
    from headlines.countries.data import country_name

    reasons: dict[str, list[str]] = {}

    def add(channel: str, reason: str) -> None:
        reasons.setdefault(channel, [])
        if reason not in reasons[channel]:
            reasons[channel].append(reason)

    every = store.channels_for_tokens([ALL_COUNTRIES])
    for code in [c.code for c in story.primary_countries]:
        for channel in store.channels_for_tokens([code]):
            add(channel, f"about: {country_name(code)}")
    for code in [c.code for c in story.countries]:
        for channel in store.channels_for_tokens([Subscription.country(code, "mentions").token()]):
            add(channel, f"mentions: {country_name(code)}")
    subs = keywords.get(store) if keywords is not None else KeywordCache(0).get(store)
    if subs:
        text = StoryText(story)
        for channel, items in subs.items():
            for sub in items:
                if text.matches(sub):
                    add(channel, f"matched: {sub.value}")
    for channel in every:
        add(channel, "all stories")
    return [ChannelMatch(channel, _ordered(rs)) for channel, rs in sorted(reasons.items())]
