"""Which channels get a story and why: countries about/mentions, keywords with word boundaries and stemming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headlines.countries.data import country_tag
from headlines.models import Article, Story, Subscription
from headlines.routing import ChannelMatch, KeywordCache, channel_matches, contains_phrase, phrase_terms
from headlines.store.sqlite import SQLiteStore


def _story(title: str, body: str, summary: str = "", primary: tuple[str, ...] = (), mentioned: tuple[str, ...] = ()) -> Story:
    art = Article(id="s1", title=title, body=body)
    tags = [country_tag(c, 1.0, primary=True) for c in primary] + [country_tag(c, 0.2, primary=False) for c in mentioned]
    return Story(id="s1", article=art, headline=title, summary=summary, countries=tags, content_hash=art.content_hash)


@pytest.fixture
def subs(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "r.db")
    store.add_subscriptions("C_FR", [Subscription.country("FR")])
    store.add_subscriptions("C_DE_ANY", [Subscription.country("DE", "mentions")])
    store.add_subscriptions("C_WIND", [Subscription.keyword("wind power")])
    store.add_subscriptions("C_NUKE_HEAD", [Subscription.keyword("nuclear", "about")])
    store.add_subscriptions("C_ALL", [Subscription.country("*")])
    return store


def test_country_modes_keywords_and_reasons(subs: SQLiteStore) -> None:
    story = _story(
        "France opens a new wind farm",
        "The plant near Calais adds capacity. Germany's operators watched. Wind powers a tenth of the grid; "
        "nuclear plants the rest.",
        primary=("FR",),
        mentioned=("DE",),
    )
    got = {m.channel: m for m in channel_matches(subs, story)}
    assert set(got) == {"C_FR", "C_DE_ANY", "C_WIND", "C_ALL"}  # "nuclear" is only in the body: `about` keyword misses
    assert got["C_WIND"].explain == "matched: wind power"
    assert got["C_DE_ANY"].explain == "mentions: Germany"
    assert got["C_FR"].explain is None and got["C_FR"].reason == "about: France"
    assert got["C_ALL"].reason == "all stories"


def test_about_keyword_matches_headline_or_summary(subs: SQLiteStore) -> None:
    story = _story("Reactors restart", "Nothing here.", summary="Two Nuclear reactors restarted in Japan.", primary=("JP",))
    got = {m.channel for m in channel_matches(subs, story)}
    assert got == {"C_NUKE_HEAD", "C_ALL"}


@pytest.mark.parametrize(
    ("text", "phrase", "hit"),
    [
        ("Wind-powered turbines", "wind power", True),
        ("wind powers the town", "wind power", True),
        ("windpower is cheap", "wind power", False),
        ("power of the wind", "wind power", False),
        ("antinuclear protest", "nuclear", False),
        ("NUCLEAR talks", "nuclear", True),
        ("Bank of England rates", "bank of england", True),
        ("the the", "the", False),
    ],
)
def test_word_boundaries_and_stemming(text: str, phrase: str, hit: bool) -> None:
    from headlines.ask.lexical import tokenize

    assert contains_phrase(tokenize(text), phrase_terms(phrase)) is hit


def test_keyword_cache_rereads_after_its_ttl(subs: SQLiteStore) -> None:
    cache = KeywordCache(ttl=3600)
    story = _story("Solar power record", "Solar power hit a record.")
    assert "C_SOLAR" not in {m.channel for m in channel_matches(subs, story, keywords=cache)}
    subs.add_subscriptions("C_SOLAR", [Subscription.keyword("solar")])
    assert "C_SOLAR" not in {m.channel for m in channel_matches(subs, story, keywords=cache)}  # cached
    cache.ttl = 0
    assert "C_SOLAR" in {m.channel for m in channel_matches(subs, story, keywords=cache)}


def test_match_explain_lists_every_keyword() -> None:
    m = ChannelMatch("C", ("matched: wind power", "matched: nuclear", "about: France"))
    assert m.explain == "matched: wind power, nuclear"
    assert json.dumps(m.reasons)
