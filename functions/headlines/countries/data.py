"""ISO 3166-1 data from pycountry, shaped into CountryTags."""

from __future__ import annotations

from functools import lru_cache

from headlines.models import CountryTag


def flag_emoji(code: str) -> str:
    """The flag emoji of an alpha-2 code: two regional indicator symbols."""
    return "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in code.upper())


# Everyday English short names where pycountry only has the formal one ("Russian Federation").
# Source: the short forms used by the UN M49 list and the CIA World Factbook; XK is the user-assigned
# code for Kosovo that CLDR and most feeds use.
_SHORT_NAMES = {
    "RU": "Russia",
    "IR": "Iran",
    "SY": "Syria",
    "VE": "Venezuela",
    "BO": "Bolivia",
    "TZ": "Tanzania",
    "VN": "Vietnam",
    "LA": "Laos",
    "MD": "Moldova",
    "KR": "South Korea",
    "KP": "North Korea",
    "TW": "Taiwan",
    "CZ": "Czechia",
    "FM": "Micronesia",
    "PS": "Palestine",
    "VA": "Vatican City",
    "BN": "Brunei",
    "CD": "DR Congo",
    "CG": "Congo",
    "CI": "Côte d'Ivoire",
    "GB": "United Kingdom",
    "US": "United States",
    "MK": "North Macedonia",
    "TR": "Türkiye",
    "XK": "Kosovo",
}


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """alpha-2 code -> English short name (common name where pycountry has one: 'Russia', not 'Russian Federation')."""
    import pycountry

    names = {}
    for c in pycountry.countries:
        names[c.alpha_2] = getattr(c, "common_name", None) or c.name
    names.update(_SHORT_NAMES)
    return names


def country_name(code: str) -> str:
    return country_names().get(code.upper(), code.upper())


def country_tag(code: str, score: float, *, primary: bool) -> CountryTag:
    code = code.upper()
    return CountryTag(
        code=code,
        name=country_name(code),
        flag=flag_emoji(code),
        score=round(max(0.0, min(1.0, score)), 4),
        primary=primary,
    )


def parse_country(value: str) -> str | None:
    """A code or a name a user typed ('fr', 'France', 'Russia') -> alpha-2 code, or None."""
    import pycountry

    value = value.strip()
    if not value:
        return None
    if len(value) == 2 and value.upper() in country_names():
        return value.upper()
    lowered = value.lower()
    for code, name in country_names().items():
        if name.lower() == lowered:
            return code
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return None


def tags_from_counts(counts: dict[str, int]) -> list[CountryTag]:
    """The baselines' rule: score = mentions / top mentions; primary when at least half the top count."""
    if not counts:
        return []
    top = max(counts.values())
    return [
        country_tag(code, n / top, primary=n * 2 >= top) for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
