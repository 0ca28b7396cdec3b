"""Find the sentence that answers, not merely the most similar one; and tell when the question's key terms
are not in the news at all.

Cheap features, no model beyond the vectors already stored: what the question asks for (who / which /
what year / how many / where / when), whether a candidate sentence holds something of that kind that the
question does not already say (a name, a number, a year, a date), how many of the question's key terms
(IDF-weighted) it holds, its cosine with the question, where it sits in the story (title, lede), and
whether other top stories agree on the same new name or number. Subheadings, captions, bylines and
photo credits are never candidates.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from headlines.ask.lexical import STOPWORDS, tokenize
from headlines.furniture import LINK_BULLETS, is_agency_caption

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|dozen|dozens|half)\b",
    re.I,
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b{_MONTH}\.? \d{{1,2}}\b|\b\d{{1,2}} {_MONTH}\b|"
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'\u2019&.-]*[a-zA-Z]\b")
_TITLE_IN_QUOTES = re.compile(r"[\"\u201c'\u2018]([A-Z0-9][^\"\u201d\u2019]{1,60}?)[\"\u201d'\u2019](?!\w)")
_FIRST_WORD = re.compile(r"[A-Z][\w'\u2019&.-]*[a-zA-Z]\b")
_TRUNCATED = re.compile(r"(?:\.\.\.|\u2026)\s*$")

ANSWER_TYPES = ("year", "number", "date", "place", "name", "other")
_TYPE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("year", re.compile(r"\b(?:what|which|in what|in which) year\b|\byear did\b", re.I)),
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|old|long|far|tall|high|big|large|fast)\b|\bwhat (?:percent|percentage|number|"
            r"share|age|amount|price|rate)\b|\bby how\b",
            re.I,
        ),
    ),
    ("date", re.compile(r"^\s*when\b|\bwhat (?:date|day|month)\b|\bon which (?:date|day)\b", re.I)),
    (
        "place",
        re.compile(
            r"^\s*where\b|\b(?:which|what) (?:\w+ )?(?:country|countries|city|cities|state|states|nation|"
            r"island|region|"
            r"province|town|county|capital|continent|park|sea|ocean|river|airport)\b|\bin which\b",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"^\s*(?:who|whom|whose)\b|\b(?:who|whom|whose)\b|\bwhich (?:member|one|of)\b|"
            r"\b(?:which|what) (?:\w+ ){0,2}(?:company|team|person|man|"
            r"woman|actor|actress|singer|player|group|brand|organization|organisation|firm|band|film|movie|show|"
            r"book|app|network|party|official|leader|president|celebrity|star|rapper|musician|artist|athlete|"
            r"coach|senator|governor|retailer|airline|automaker|carrier|agency|court|university|school|league|"
            r"magazine|newspaper|song|album|series|character|name)\b",
            re.I,
        ),
    ),
]

_CAPTION = re.compile(
    rf"^[{LINK_BULLETS}\s]*(?:"  # a bullet or arrow before a link: "\u25baRelated: ..."
    # a picture label needs its colon or credit: "Video of the crash spread" and "Credit Suisse said" are sentences
    r"(?:photos?|images?|pictures?|videos?|file photo|credits?|captions?)\s*(?::|by\b|courtesy of\b)"
    r"|getty images|ap photo|reuters/|source:|advertisement|copyright|all rights reserved"
    r"|related(?=\s*:|\s+(?:stories|articles|coverage|content|links?|videos?|reading)\b)"
    r"|(?:read more|watch|listen|sign up|subscribe|follow|click|contact|email)\b"
    r")|"
    r"\((?:ap|reuters|getty|afp)[^)]*photo|\bphoto(?:graph)?:|/ ?(?:getty|ap|afp|reuters)\b|\bgetty images\b|\bimage caption\b|"
    r"\bhide caption\b|\bcaption \d+ of \d+\b|^\d+ of \d+\b|\bphotos?: |"
    r"\bcontributed to this report\b|\bis a (?:reporter|correspondent|writer|editor)\b|^by [A-Z]",
    re.I,
)
_ENDS_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")


def answer_type(question: str) -> str:
    """What kind of thing the question asks for: year, number, date, place, name or other. The asking part
    decides ("... isn't made in Texas. Where is it actually made?" asks for a place), else the whole question."""
    for text in dict.fromkeys((focus_of(question), question)):
        for kind, pattern in _TYPE_PATTERNS:
            if pattern.search(text):
                return kind
    return "other"


def is_furniture(text: str) -> bool:
    """A subheading, caption, byline or credit rather than a sentence: never quoted as one.

    A sentence ends with terminal punctuation; a subheading ("Soaring prices", "What happens next") does
    not. Captions and credits name a photo agency, bylines a reporter."""
    words = text.split()
    if len(words) < 4 or _CAPTION.search(text) or is_agency_caption(text):
        return True
    if not _ENDS_SENTENCE.search(text.strip()) and len(words) < 25:
        return True
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _spans(kind: str, text: str, *, headline: bool = False) -> list[tuple[str, int]]:
    """Things of the asked kind in `text`, with where they start."""
    if kind == "year":
        return [(m.group(0), m.start()) for m in _YEAR.finditer(text)]
    if kind == "number":
        return [(m.group(0), m.start()) for m in _NUMBER.finditer(text)]
    if kind == "date":
        return [(m.group(0), m.start()) for m in _DATE.finditer(text)] + [(m.group(0), m.start()) for m in _YEAR.finditer(text)]
    found = [(m.group(0), m.start()) for m in _CAPITALISED.finditer(text)]
    found += [(m.group(1), m.start(1)) for m in _TITLE_IN_QUOTES.finditer(text)]
    first = _FIRST_WORD.match(text)
    if headline and first and first.group(0).lower() not in STOPWORDS:
        found.insert(0, (first.group(0), 0))
    return found


_POSSESSIVE = re.compile(r"['\u2019]s$")


def _plain(word: str) -> str:
    """A word as compared with the question's: lower case, straight apostrophe, no possessive, no end dots."""
    return _POSSESSIVE.sub("", word.lower().replace("\u2019", "'").strip(".,"))


def _new_spans(kind: str, text: str, question_words: set[str], *, headline: bool = False) -> list[tuple[str, int]]:
    """Things of the asked kind that `text` holds and the question does not already say ("Lanka's" is not new
    after "Sri Lanka"), with where they start. A headline's first word counts as a name when it is not a
    function word ("Nike cuts ties with ..."); a sentence's does not ("Officials said ...")."""
    return [(f, at) for f, at in _spans(kind, text, headline=headline) if _plain(f) not in question_words]


@dataclass(frozen=True)
class NumberUnit:
    """What must come with the number a question asks for: the words after it, or a currency sign before it."""

    after: re.Pattern[str]
    currency: bool = False

    def held_by(self, text: str, spans: Sequence[tuple[str, int]]) -> bool:
        """Whether one of the numbers found in `text` (with where they start) carries this unit."""
        for thing, at in spans:
            if self.after.match(text, at + len(thing)) or (self.currency and _CURRENCY_BEFORE.search(text, 0, at)):
                return True
        return False


_CURRENCY_BEFORE = re.compile(r"[$\u00a3\u20ac]\s?$")
_UNITS: list[tuple[re.Pattern[str], NumberUnit]] = [
    (
        re.compile(r"\bwhat (?:percent|percentage|proportion|share)\b", re.I),
        NumberUnit(re.compile(r"\s*(?:%|percent\b|per cent\b|percentage points?\b)", re.I)),
    ),
    (
        re.compile(r"\bhow long\b", re.I),
        NumberUnit(re.compile(r"[\s-]*(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)\b", re.I)),
    ),
    (
        re.compile(r"\bhow much\b|\bwhat (?:amount|price|sum)\b|\bhow expensive\b", re.I),
        NumberUnit(re.compile(r"\s*(?:[mb]n\b|million|billion|trillion|dollars?|pounds?|euros?|cents?)", re.I), currency=True),
    ),
]


def number_unit(question: str) -> NumberUnit | None:
    """For a number question, what the number in the answer comes with: "%" for "what percentage" ("51.3% of
    the total", not "624,828 live births"), a unit of time for "how long", money for "how much"; None when
    any number will do ("how many")."""
    focus = focus_of(question)
    return next((unit for asks, unit in _UNITS if asks.search(focus)), None)


@dataclass
class Candidate:
    """One quotable unit of a retrieved story."""

    story: int
    """Position of the story in the ranking (0 = best)."""
    unit: int
    """0 = the headline, 1.. = body sentences."""
    text: str
    cosine: float
    score: float = 0.0
    things: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ExtractWeights:
    """Weights of the sentence score (tuned on the tuning half of the 2022 quiz questions, docs/ask.md)."""

    cosine: float = 1.0
    coverage: float = 0.3
    focus: float = 0.5
    kind: float = 1.0
    specific_kind: float = 1.0
    agreement: float = 0.1
    story: float = 1.0
    lede: float = 0.05
    headline: float = -1.0
    """Headlines rarely hold the answer sentence; with -0.05 they led answers they did not answer (tuning half)."""
    headline_answer: float = 0.4
    """A headline holding something of the asked kind the question does not say ("Nike cuts ties with Kyrie
    Irving" for "Which company cut ties with Kyrie Irving?"): often the answer in fewest words."""
    truncated: float = -1.0
    """A headline cut short by its source ("... as ..."): never worth leading with."""
    unit: float = 1.0
    """A number with the unit the question asks for ("51.3%" for "what percentage", "20 years" for "how long")."""
    vague: float = 0.5
    """For "how many"/"how much", a figure in words only ("millions", "one of these") counts this much of a
    figure in digits ("2 million")."""
    follow_same: float = 0.35
    """The lead's story's next best sentence follows it when it scores within this of the lead."""
    follow_other: float = 0.25
    """Another story's best sentence follows when it scores within this of the lead."""


_QUESTION_SENTENCE = re.compile(r"[^.?!]+[.?!]*")


def focus_of(question: str) -> str:
    """The part of a question that asks ("What year did it debut?"), without the context sentences before it
    ("Microsoft retired Internet Explorer this week."): the answer sentence holds the first, not always the second."""
    parts = [p.strip() for p in _QUESTION_SENTENCE.findall(question) if p.strip()]
    asking = [p for p in parts if p.endswith("?")]
    return (asking or parts or [question])[-1]


def key_terms(question: str, idf: Callable[[str], float]) -> dict[str, float]:
    """The question's content terms with their weights (IDF in the archive; unseen terms weigh most)."""
    terms = {}
    top = 0.0
    for tok in set(tokenize(question)):
        weight = idf(tok)
        terms[tok] = weight
        top = max(top, weight)
    unseen = max(top, 1.0) * 1.5
    return {tok: (w if w > 0 else unseen) for tok, w in terms.items()}


def coverage(terms: dict[str, float], text_tokens: set[str]) -> float:
    """IDF-weighted share of the key terms that `text_tokens` hold (1.0: all of them)."""
    total = sum(terms.values())
    return sum(w for tok, w in terms.items() if tok in text_tokens) / total if total else 0.0


def missing_key_terms(
    terms: dict[str, float], text_tokens: set[str], df: Callable[[str], int], stories: int, rare_share: float = 0.02
) -> tuple[list[str], list[str]]:
    """The question's figures ("2024", "31st") and its rare terms (in at most `rare_share` of the stories, or
    none) that `text_tokens` lack, heaviest first: a missing figure is reason enough to refuse; missing rare
    words say what the refusal is about."""
    rare = max(1, int(rare_share * stories))
    absent = sorted((tok for tok in terms if tok not in text_tokens), key=lambda tok: -terms[tok])
    return [tok for tok in absent if tok[:1].isdigit()], [tok for tok in absent if not tok[:1].isdigit() and df(tok) <= rare]


def score_candidates(
    question: str,
    candidates: Sequence[Candidate],
    story_scores: Sequence[float],
    idf: Callable[[str], float],
    weights: ExtractWeights | None = None,
) -> list[Candidate]:
    """Score each candidate as the answer sentence; best first. Furniture is dropped."""
    w = weights or ExtractWeights()
    kind = answer_type(question)
    terms = key_terms(question, idf)
    focus = key_terms(focus_of(question), idf)
    qwords = {_plain(word) for word in re.findall(r"[\w'\u2019.-]+", question)}
    kept = [c for c in candidates if c.unit == 0 or not is_furniture(c.text)]
    top_story = max(story_scores) if story_scores else 1.0
    unit = number_unit(question) if kind == "number" else None
    spans: dict[int, list[tuple[str, int]]] = {}
    for c in kept:
        spans[id(c)] = _new_spans(kind, c.text, qwords, headline=c.unit == 0)
        c.things = [f for f, _ in spans[id(c)]]
    # Agreement: the same new name or number in the candidates of several stories.
    seen_in = Counter(thing for _, thing in {(c.story, t.lower()) for c in kept for t in c.things})
    for c in kept:
        tokens = set(tokenize(c.text))
        agree = max((seen_in[t.lower()] for t in c.things), default=0)
        c.score = (
            w.cosine * c.cosine
            + w.coverage * coverage(terms, tokens)
            + w.focus * coverage(focus, tokens)
            + (w.specific_kind if kind in ("year", "number", "date") else w.kind)
            * (1.0 if c.things else 0.0)
            * (w.vague if kind == "number" and not any(ch.isdigit() for t in c.things for ch in t) else 1.0)
            * (1.0 if kind != "other" else 0.5)
            + w.agreement * math.log1p(max(agree - 1, 0))
            + w.story * (story_scores[c.story] / top_story if top_story > 0 else 0.0)
            + (w.lede if c.unit == 1 else 0.0)
            + ((w.headline_answer if c.things and kind != "other" else w.headline) if c.unit == 0 else 0.0)
            + (w.truncated if _TRUNCATED.search(c.text) else 0.0)
            + (w.unit if unit is not None and unit.held_by(c.text, spans[id(c)]) else 0.0)
        )
    return sorted(kept, key=lambda c: -c.score)


def choose_quotes(question: str, scored: Sequence[Candidate], weights: ExtractWeights | None = None) -> list[Candidate]:
    """What to quote, from candidates best first: the best leads; its story's next best sentence follows when
    it scores close (always after a headline, which is short on context); then another story's best when it
    scores close. That one may be a headline naming something of the asked kind ("Meghan Markle, Serena
    Williams on 'ambition' in 'Archetypes' podcast"): often the answer in fewest words."""
    if not scored:
        return []
    w = weights or ExtractWeights()
    asks = answer_type(question) != "other"
    lead = scored[0]
    chosen = [lead]
    same_story = [c for c in scored[1:] if c.story == lead.story and c.unit != 0]
    if same_story and (lead.unit == 0 or same_story[0].score >= lead.score - w.follow_same):
        chosen.append(same_story[0])
    other = [c for c in scored[1:] if c.story != lead.story and (c.unit != 0 or (asks and c.things))]
    if other and other[0].score >= lead.score - w.follow_other:
        chosen.append(other[0])
    return chosen
