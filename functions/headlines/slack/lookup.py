"""Keyword lookup over stored stories: what `latest` lists, and what `ask` falls back to without vectors.

`ask` goes to the answer engine (`headlines.ask`: hybrid retrieval over the stored story vectors) wherever the store
keeps vectors; a store that keeps none (an in-memory SQLite store) answers `ask` here, as it answers `latest`. This
needs no model and no vectors, so it works on any store. Countries named in the query (a code such as "FR", a name,
or a name the exact-name tagger finds) filter to their latest stories; the other words, less stop words and the
countries' own names, rank stories by how many of them the headline, summary or title contain (a word of five or
more letters also matches as a prefix: "farmer" finds "farmers"), newest first among equals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from headlines.models import Article, Story
from headlines.store.base import Store

SCAN = 500
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = (
    "a an the of in on to for and or at by with as is are was were be been from about what whats what's who "
    "why how when where which any anything news latest happened happening going there new tell me us give show "
    "stories story today this that these those it its do does did i you we"
)
_STOP = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class Query:
    countries: tuple[str, ...]
    keywords: tuple[str, ...]


def parse_query(text: str) -> Query:
    """`what is happening in France with farmers` -> countries ("FR",), keywords ("farmers",)."""
    from headlines.countries.data import parse_country
    from headlines.countries.exact import ExactNameTagger

    text = text.strip()
    codes: list[str] = []
    whole = parse_country(text) if text else None
    if whole:
        return Query((whole,), ())
    if text:
        codes = [t.code for t in ExactNameTagger().tag(Article(body=text))]
        for token in text.split():
            if len(token) == 2 and token.isupper() and (code := parse_country(token)) and code not in codes:
                codes.append(code)
    names = set()
    if codes:
        from headlines.countries.data import country_name

        names = {w for c in codes for w in _WORD.findall(country_name(c).lower())}
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP and w not in names and len(w) > 1]
    words = [w for w in words if not (len(w) == 2 and w.upper() in codes)]
    return Query(tuple(codes), tuple(dict.fromkeys(words)))


def find_stories(store: Store, text: str, *, limit: int = 5) -> tuple[Query, list[Story]]:
    """The parsed query and up to `limit` stories matching it, best first; without keywords the newest stories (of
    the named countries, if any). Ranks among the latest `SCAN` stories per country, not the whole store."""
    query = parse_query(text)
    if query.countries:
        candidates: list[Story] = []
        seen: set[str] = set()
        for code in query.countries:
            for story in store.latest(country=code, limit=SCAN):
                if story.id not in seen:
                    seen.add(story.id)
                    candidates.append(story)
    else:
        candidates = store.latest(limit=SCAN if query.keywords else limit)
    if not query.keywords:
        return query, sorted(candidates, key=lambda s: s.sort_time, reverse=True)[:limit]
    scored = []
    for story in candidates:
        haystack = set(_WORD.findall(f"{story.headline} {story.summary} {story.article.title or ''}".lower()))
        hits = sum(1 for w in query.keywords if w in haystack or (len(w) > 4 and any(h.startswith(w) for h in haystack)))
        if hits:
            scored.append((hits, story.sort_time, story))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return query, [s for _, _, s in scored[:limit]]
