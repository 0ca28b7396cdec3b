"""Exact country-name match: the simplest real tagger, kept as a named baseline."""

from __future__ import annotations

import re
from functools import lru_cache

from headlines.countries.data import country_names, tags_from_counts
from headlines.models import Article, CountryTag


@lru_cache(maxsize=1)
def _name_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    import pycountry

    lookup: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(c, attr, None)
            if name:
                lookup[name.lower()] = c.alpha_2
    for code, name in country_names().items():
        lookup[name.lower()] = code
    alternation = "|".join(re.escape(n) for n in sorted(lookup, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.I), lookup


class ExactNameTagger:
    """Tags countries whose ISO English name appears verbatim; the most mentioned are primary."""

    name = "exact"

    def tag(self, article: Article) -> list[CountryTag]:
        pattern, lookup = _name_pattern()
        text = f"{article.title or ''}\n{article.body}"
        counts: dict[str, int] = {}
        for m in pattern.finditer(text):
            code = lookup[m.group(0).lower()]
            counts[code] = counts.get(code, 0) + 1
        return tags_from_counts(counts)
