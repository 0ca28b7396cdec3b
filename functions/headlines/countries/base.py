"""The country tagger interface."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from headlines.models import Article, CountryTag


@runtime_checkable
class CountryTagger(Protocol):
    """Returns the countries an article is about (`primary`) or mentions, best first."""

    name: str

    def tag(self, article: Article) -> list[CountryTag]: ...
