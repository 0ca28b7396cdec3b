"""Finding country evidence in text: datelines and gazetteer mentions (names, demonyms, places, metonyms).

Matching is token based: every run of up to `max_tokens` words that starts with a capital is looked up in the
lexicon, longest first, so 'New Mexico' wins over 'Mexico' and 'Papua New Guinea' over 'Guinea'. Case carries
meaning: 'turkey' the bird and 'us' the pronoun never match; in all-capitals text (wire titles) any casing does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from headlines.countries.context import GIVEN_NAME_COUNTRIES
from headlines.countries.lexicon import KIND_WEIGHT, Entry, Lexicon, fold

_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+(?:['’](?![sS]\b)[^\W\d_]+)*")
_JOIN_GAP = re.compile(r"^[ \t\r\n.\-]{0,4}$")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_WIRE_DATELINE = re.compile(
    rf"^\s*([A-Z][A-Za-z .'-]{{1,40}}?)(?:\s*,\s*[A-Z][A-Za-z. ]{{1,14}})?\s*,\s*{_MONTH}\s+\d{{1,2}}\s*[-–—(]"
)
_DESK_DATELINE = re.compile(r"^[^\n|]{2,80}\|\s*([^\n|]{2,60}?)\s*$", re.M)
_CURRENCY = re.compile(
    r"\s+(?:dlrs?|dollars?|yen|marks?|francs?|crowns?|kronor|kroner|stg|sterling|pounds?|lire|lira|guilders?|pesos?|rand)\b",
    re.I,
)
CURRENCY_FACTOR = 0.3
CAPS_MIN_PRIOR = 1_000_000
"""In all-capitals text case says nothing, so only big cities and major regions (US states) count there."""
_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "sir", "miss", "madame", "herr"})
_FIRM_WORDS = frozenset(
    [
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "co",
        "cos",
        "ltd",
        "plc",
        "llc",
        "bank",
        "bancorp",
        "bancshares",
        "savings",
        "financial",
        "group",
        "holdings",
        "industries",
        "ag",
        "sa",
        "nv",
        "bv",
        "gmbh",
        "trust",
        "fund",
    ]
)
"""Words that end a company's name: 'ESSEX CORP', 'SOMERSET SAVINGS BANK' in a capitals headline are firms."""
NAME_PART_FACTOR = 0.3
"""Weight of a place that leads a longer name ('Chad Smith', 'France Telecom', 'ESSEX CORP')."""
_STREET_WORDS = frozenset(
    {
        "st",
        "street",
        "ave",
        "avenue",
        "rd",
        "road",
        "blvd",
        "boulevard",
        "dr",
        "drive",
        "ln",
        "lane",
        "way",
        "pkwy",
        "parkway",
        "hwy",
        "highway",
        "pike",
        "court",
        "ct",
        "place",
        "pl",
        "terrace",
        "trail",
        "circle",
        "square",
    }
)
"""A place name before one of these is a street ('Memphis St.', 'Queens Ave.'), not evidence for a country."""
_CULTURAL_NOUNS = frozenset(
    {
        "pub",
        "pubs",
        "bar",
        "restaurant",
        "restaurants",
        "cuisine",
        "food",
        "foods",
        "fries",
        "toast",
        "dressing",
        "bread",
        "cheese",
        "coffee",
        "whiskey",
        "whisky",
        "music",
        "dance",
        "dancing",
        "setter",
        "terrier",
        "wolfhound",
        "language",
        "languages",
        "speaking",
        "speaker",
        "speakers",
        "class",
        "classes",
        "teacher",
        "teachers",
        "lessons",
        "literature",
        "translation",
        "subtitles",
        "version",
        "muffin",
        "muffins",
        "breakfast",
        "horn",
        "tribe",
        "tribes",
        "reservation",
        "reservations",
        "ocean",
    }
)
"""A demonym before one of these is a cultural adjective or a language ('Irish pub', 'English teacher', 'Indian
reservation', 'Indian Ocean'), not a country in the story."""
_PLACE_KINDS = frozenset({"city", "region", "place"})
_AREA_WORDS = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "northeastern",
        "northwestern",
        "southeastern",
        "southwestern",
        "upper",
        "lower",
        "greater",
        "downtown",
        "rural",
        "coastal",
        "inner",
        "outer",
        "upstate",
        "downstate",
    }
)
"""Words that qualify a place ('Western Pennsylvania', 'Upstate New York', 'Greater Manchester'): never a first name."""
_CIVIC_WORDS = frozenset(
    {
        "police",
        "city",
        "county",
        "council",
        "hall",
        "school",
        "schools",
        "high",
        "elementary",
        "university",
        "college",
        "hospital",
        "airport",
        "fire",
        "department",
        "park",
        "parks",
        "regional",
        "public",
        "library",
        "township",
        "area",
        "mayor",
        "sheriff",
        "board",
        "court",
        "district",
        "town",
        "village",
        "chamber",
        "housing",
        "municipal",
        "community",
        "memorial",
        "metropolitan",
        "historical",
        "zoo",
        "harbour",
        "harbor",
        "port",
        "state",
        "national",
        "assembly",
        "legislature",
        "senate",
        "government",
        "governor",
        "commission",
        "lottery",
        "democratic",
        "republican",
        "party",
        "supreme",
        "circuit",
        "superior",
        "river",
        "lake",
        "valley",
        "bay",
    }
)
"""A place before one of these is the place's own institution ('Alexandria Police', 'Dublin City Council'): full
evidence for the place, not a person's or firm's name."""


@dataclass(frozen=True)
class Mention:
    """One piece of evidence: candidate countries (best first) and its weight before position is applied."""

    candidates: tuple[str, ...]
    weight: float
    kind: str
    start: int
    key: str = ""
    """The folded name that matched ('paris'): what namesake resolution and `--explain` look up."""
    surface: str = ""
    caps: bool = False
    """Read in capitals text (a wire title), where case says nothing."""


_DATE_PART = re.compile(rf"^{_MONTH}\s+\d{{1,2}}\b|^\d{{1,2}}\s+{_MONTH}")


def dateline_parts(text: str | None) -> tuple[str | None, str | None]:
    """Place and optional region of a dateline field: 'JACKSON, Miss., March 3 -' -> ('JACKSON', 'Miss.').

    'SALVADOR, Feb 26 -' -> ('SALVADOR', None); 'Devdiscourse News Desk | Paris' -> ('Paris', None).
    """
    if not text:
        return None, None
    text = text.strip()
    if "|" in text:
        text = text.rsplit("|", 1)[1]
    text = re.split(r"\s[-–—]\s|\s[-–—]$", text, maxsplit=1)[0]
    parts = []
    for part in text.split(","):
        part = part.strip(" -–—")
        if not part or _DATE_PART.match(part):
            break
        parts.append(part)
    if not parts:
        return None, None
    return parts[0], (parts[1] if len(parts) > 1 else None)


def body_dateline(body: str) -> tuple[str | None, str | None, int]:
    """A dateline opening the body ('PARIS, Feb 26 -', or a 'News Desk | Paris' line): place, region, where text resumes."""
    m = _WIRE_DATELINE.match(body)
    if m:
        place, region = dateline_parts(m.group(0))
        return place, region, m.end()
    first_line_end = body.find("\n")
    first_line = body if first_line_end < 0 else body[:first_line_end]
    m = _DESK_DATELINE.match(first_line)
    if m and len(first_line) <= 120:
        return m.group(1).strip(), None, len(first_line)
    return None, None, 0


def lookup_dateline(lexicon: Lexicon, place: str | None, region: str | None = None) -> tuple[str, ...]:
    """Countries a dateline names. A region ('Ala.', 'Texas', 'West Germany') decides over the place; the dateline
    table also knows small towns, since the position already says the word is a place."""
    if region:
        key = fold(region)
        if key in lexicon.dateline_regions:
            return (lexicon.dateline_regions[key],)
        entry = lexicon.entries.get(key)
        if entry is not None:
            return tuple(entry.candidates)
    if not place:
        return ()
    key = fold(place)
    entry = lexicon.entries.get(key)
    if entry is not None:
        return tuple(entry.candidates)
    code = lexicon.dateline_places.get(key)
    return (code,) if code else ()


def find_mentions(
    lexicon: Lexicon,
    text: str,
    *,
    all_caps: bool | None = None,
    guards: bool = True,
    small_places: bool = True,
    persons: set[str] | None = None,
) -> list[Mention]:
    """Every gazetteer mention in `text`, longest match first, with person-name and compound-name guards.

    `guards`: the local-shape guards (streets, 'the Metro', acronyms, cultural adjectives, languages, a town before
    a surname); `small_places`: towns and counties from the namesake table. Both on in production. `persons`, when
    given, collects the one-word place names the guards read as part of a person's name ('Jeff Hamilton'), so the
    caller can drop the same word standing alone elsewhere in the story ('Hamilton will appear'): see `person_names`.
    """
    if all_caps is None:
        letters = [ch for ch in text if ch.isalpha()]
        all_caps = bool(letters) and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters)
    tokens = list(_TOKEN.finditer(text))
    entries, combining = lexicon.entries, lexicon.combining
    out: list[Mention] = []
    n_tokens = len(tokens)
    i = 0
    while i < n_tokens:
        tok = tokens[i]
        word = tok.group(0)
        if not (all_caps or word[0].isupper()):
            i += 1
            continue
        matched = 0
        limit = min(lexicon.max_tokens, n_tokens - i)
        for n in range(limit, 0, -1):
            j = i + n - 1
            if n > 1 and any(not _JOIN_GAP.match(text[tokens[k].end() : tokens[k + 1].start()]) for k in range(i, j)):
                continue
            surface = text[tok.start() : tokens[j].end()]
            key = fold(surface)
            entry = entries.get(key)
            if entry is None:
                entry = _small_place(lexicon, key) if small_places and not all_caps else None
                if entry is None:
                    continue
            if entry.acronym and not surface.replace(".", "").replace(" ", "").isupper():
                continue
            if not guards:
                pass
            elif entry.kind in _PLACE_KINDS and not all_caps and surface.isupper() and len(surface) <= 4:
                continue  # 'CHU' (a hospital), 'MET' in mixed-case text: an acronym, not the town
            elif entry.kind in _PLACE_KINDS and n == 1 and not all_caps and _head_noun_after_the(lexicon, text, tokens, i):
                continue  # 'rode the Metro to work', 'the Commonwealth, which': a noun, not the city
            elif entry.kind not in ("name", "demonym") and _word_follows(text, tokens, j, _STREET_WORDS):
                continue  # 'Memphis St.', 'Toronto Street', 'Queens Ave.'
            elif entry.kind == "demonym" and (
                _word_follows(text, tokens, j, _CULTURAL_NOUNS) or _language(lexicon, text, tokens, i, j)
            ):
                continue  # 'Irish pub', 'Chinese restaurant', 'speaks in Spanish'

            if all_caps and entry.kind in ("city", "region") and entry.prior < CAPS_MIN_PRIOR:
                continue  # 'SOUTHLAND' in a capitals headline is a company, not the New Zealand region
            weight = entry.weight
            if _CURRENCY.match(text, tokens[j].end()):
                weight *= CURRENCY_FACTOR  # 'U.S. dlrs', 'Danish crown bond': a currency, not a place in the story
            if n == 1 and not entry.acronym:
                if _firm_word_follows(text, tokens, j):
                    weight *= NAME_PART_FACTOR  # 'ESSEX CORP': says so in capitals too, where case cannot
                elif not all_caps:
                    guard = _name_guard(lexicon, text, tokens, i)
                    if guard == 0.0 or (guards and guard < 1.0 and (entry.kind in _PLACE_KINDS or key in GIVEN_NAME_COUNTRIES)):
                        if persons is not None and guards and (guard == 0.0 or key in GIVEN_NAME_COUNTRIES):
                            persons.add(key)
                        continue  # a town, region or name leading a person's name ('Kati Mather', 'Jordan Dyer')
                    weight *= guard
            out.append(Mention(tuple(entry.candidates), weight, entry.kind, tok.start(), key, surface, all_caps))
            matched = n
            break
        if not matched:
            code = combining.get(fold(word))
            if code and text[tok.end() : tok.end() + 1] == "-":
                out.append(Mention((code,), KIND_WEIGHT["demonym"], "demonym", tok.start(), fold(word), word + "-"))
            i += 1
        else:
            i += matched
    return out


_NAMEABLE_KINDS = frozenset({"city", "region", "place", "capital"})
_LOCAL_SHAPE = re.compile(
    r"\b[A-Z][a-z]+\.? (?:St|Street|Ave|Avenue|Road|Rd|Lane|Ln|Blvd|Boulevard|Highway|Hwy|Pike|Parkway)\b"
    r"|\b[A-Z][a-z]+ (?:County|Parish|Township|Borough)\b"
    r"|\bblock of\b"
    r"|\b(?:[Aa]n?|[Tt]he) [A-Z][a-z]+(?: [A-Z][a-z]+)? (?:man|woman|teen|teenager|boy|girl|resident|residents|couple|family)\b"
    r"|\b[A-Z][a-z]+ native\b"
)


def local_shape(text: str) -> bool:
    """The story reads like local news: a street address ('Memphis St.', 'Lone Oak Road'), a county, parish or
    township, 'the 1600 block of', 'a Paris man', 'Richmond native'. In such a story a place name with a big
    namesake abroad and nothing else around it is as likely the local town as the famous city."""
    return _LOCAL_SHAPE.search(text) is not None


def person_names(mentions: list[Mention], persons: set[str]) -> list[Mention]:
    """Drop one-word place mentions of a word the story uses as a person's name elsewhere: after 'Jeff Hamilton',
    a bare 'Hamilton' is the drummer, not the Canadian city (one sense per discourse, as NER coreference has it)."""
    if not persons:
        return mentions
    return [m for m in mentions if not (m.key in persons and (m.kind in _NAMEABLE_KINDS or m.key in GIVEN_NAME_COUNTRIES))]


_LANGUAGE_CUES = frozenset(
    {
        "in",
        "into",
        "speak",
        "speaks",
        "spoke",
        "speaking",
        "learn",
        "learns",
        "learning",
        "learned",
        "teach",
        "teaches",
        "taught",
        "fluent",
    }
)
_LOWER_WORD_NEXT = re.compile(r"[ \t]+[a-z]")


def _language(lexicon: Lexicon, text: str, tokens: list[re.Match[str]], i: int, j: int) -> bool:
    """'in Spanish', 'speaks English after', 'taught French': a language; 'in French politics' is an adjective
    (a lower-case word follows that is not one of the most common English words)."""
    if i == 0 or tokens[i - 1].group(0).lower() not in _LANGUAGE_CUES:
        return False
    if j + 1 < len(tokens) and _LOWER_WORD_NEXT.match(text, tokens[j].end()):
        return lexicon.is_common_word(tokens[j + 1].group(0))
    return True


def _head_noun_after_the(lexicon: Lexicon, text: str, tokens: list[re.Match[str]], i: int) -> bool:
    """'the Metro to work': after 'the', a word that is not followed by the noun it would modify ('the Boston area')
    is itself the noun. Cities are not written with 'the' (those that are, 'The Hague', match as one name)."""
    if i == 0 or tokens[i - 1].group(0) != "the" or text[tokens[i - 1].end() : tokens[i].start()] != " ":
        return False
    if i + 1 >= len(tokens):
        return True
    gap = text[tokens[i].end() : tokens[i + 1].start()]
    nxt = tokens[i + 1].group(0)
    return gap.strip() != "" or (nxt.islower() and lexicon.is_common_word(nxt))


def _small_place(lexicon: Lexicon, key: str) -> Entry | None:
    """A town or county the lexicon lacks but the namesake table has: a weak entry for its countries."""
    found = lexicon.namesakes(key)
    if not found:
        return None
    codes = tuple(dict.fromkeys(c for c, _, _ in found))
    return Entry("place", codes, False, float(found[0][2]))


def _word_follows(text: str, tokens: list[re.Match[str]], j: int, words: frozenset[str]) -> bool:
    """The next word is one of `words` ('Memphis St.', 'Irish pub', 'Spanish-speaking')."""
    if j + 1 >= len(tokens) or text[tokens[j].end() : tokens[j + 1].start()].strip(" -") != "":
        return False
    return tokens[j + 1].group(0).lower() in words


def _firm_word_follows(text: str, tokens: list[re.Match[str]], j: int) -> bool:
    if j + 1 >= len(tokens) or text[tokens[j].end() : tokens[j + 1].start()].strip(" ") != "":
        return False
    return tokens[j + 1].group(0).lower() in _FIRM_WORDS


def _capitalised_name_part(lexicon: Lexicon, word: str) -> bool:
    """A capitalised word that is neither a place nor a common English word: likely part of a person's or firm's name."""
    if word.lower() in _HONORIFICS:
        return True
    if word.lower() in _AREA_WORDS:
        return False
    return (
        word[:1].isupper()
        and not word.isupper()
        and fold(word) not in lexicon.entries
        and fold(word) not in lexicon.combining
        and not lexicon.is_common_word(word)  # 'The', 'In', 'But': a sentence start, not a first name
    )


def _name_guard(lexicon: Lexicon, text: str, tokens: list[re.Match[str]], i: int) -> float:
    """0 when a one-word place is the surname in 'Michael Jordan'; 0.3 when it leads a longer name ('Chad Smith').

    A following capitalised word ('France Telecom', 'Texas Commerce Bank') still says something about the country,
    so that case only loses weight.
    """
    if i > 0:
        prev = tokens[i - 1]
        gap = text[prev.end() : tokens[i].start()]
        if gap.strip(" ") == "" and _capitalised_name_part(lexicon, prev.group(0)):
            return 0.0
    if i + 1 < len(tokens):
        nxt = tokens[i + 1]
        gap = text[tokens[i].end() : nxt.start()]
        if gap.strip(" ") == "" and nxt.group(0).lower() in _CIVIC_WORDS:
            return 1.0
        if gap.strip(" ") == "" and _capitalised_name_part(lexicon, nxt.group(0)):
            return NAME_PART_FACTOR
    return 1.0
