"""Lead-N baseline: the article's first sentences. Kept as a named baseline for evaluation."""

from __future__ import annotations

from headlines.models import Article
from headlines.summarize.base import fit_to_budget
from headlines.text import split_sentences


class LeadSummarizer:
    """The first sentences of the article, within the length budget."""

    name = "lead"

    def summarize(self, article: Article, *, sentences: int, max_words: int) -> list[str]:
        return fit_to_budget(split_sentences(article.body), sentences=sentences, max_words=max_words)
