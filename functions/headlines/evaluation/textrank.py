"""TextRank (sumy's implementation) as a classic unsupervised baseline for `headlines eval summaries --textrank`.

Sentences come from the product's own splitter and the same length budget applies, so the row differs
from the system only in which sentences it ranks first. sumy is a dev/eval dependency, imported on use;
words are split with a regular expression so no NLTK data download is needed.
"""

from __future__ import annotations

import re
from typing import Any

from headlines.models import Article
from headlines.summarize.base import fit_to_budget
from headlines.text import split_sentences

_WORDS = re.compile(r"[A-Za-z0-9]+(?:'[a-z]+)?")


class _RegexTokenizer:
    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORDS.findall(sentence))


class TextRankSummarizer:
    """Sentences ranked by sumy's TextRank, taken best first within the budget, returned in reading order."""

    name = "TextRank (sumy)"

    def __init__(self) -> None:
        try:
            from sumy.nlp.stemmers import Stemmer
            from sumy.summarizers.text_rank import TextRankSummarizer as SumyTextRank
            from sumy.utils import get_stop_words
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ValueError("the TextRank baseline needs sumy: pip install -e '.[dev]'") from exc
        self._ranker: Any = SumyTextRank(Stemmer("english"))
        self._ranker.stop_words = get_stop_words("english")
        self._tokenizer = _RegexTokenizer()

    def summarize(self, article: Article, *, sentences: int, max_words: int) -> list[str]:
        from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

        doc = split_sentences(article.body)
        if not doc:
            return []
        model = ObjectDocumentModel([Paragraph([Sentence(s, self._tokenizer) for s in doc])])
        ratings = self._ranker.rate_sentences(model)
        order = sorted(range(len(doc)), key=lambda i: -ratings.get(model.sentences[i], 0.0))
        picked: list[int] = []
        used = 0
        for i in order:
            if len(picked) >= sentences:
                break
            n = len(doc[i].split())
            if used + n <= max_words:
                picked.append(i)
                used += n
        if not picked:
            return fit_to_budget([doc[order[0]]], sentences=1, max_words=max_words)
        return [doc[i] for i in sorted(picked)]
