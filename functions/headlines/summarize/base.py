"""The summarizer interface, and the length budget every summarizer honours."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from headlines.models import Article
from headlines.text import truncate_words, word_count


@runtime_checkable
class Summarizer(Protocol):
    """Turns an article into a short summary: a list of sentences, in reading order."""

    name: str

    def summarize(self, article: Article, *, sentences: int, max_words: int) -> list[str]: ...


def fit_to_budget(candidates: list[str], *, sentences: int, max_words: int) -> list[str]:
    """Take candidates in order while they fit both limits; the first is cut to fit if it alone is too long."""
    chosen: list[str] = []
    used = 0
    for sentence in candidates:
        if len(chosen) >= sentences:
            break
        n = word_count(sentence)
        if used + n <= max_words:
            chosen.append(sentence)
            used += n
        elif not chosen:
            chosen.append(truncate_words(sentence, max_words))
            break
    return chosen
