"""What a question says besides its topic: a time window ("this week") and a country ("in France")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from headlines.ask.extract import focus_of
from headlines.countries.base import CountryTagger
from headlines.errors import BadInputError
from headlines.models import Article


class QueryError(BadInputError, ValueError):
    """A filter value could not be understood; the message shows the accepted forms."""


_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.I)

_WINDOWS: list[tuple[re.Pattern[str], timedelta]] = [
    (re.compile(r"\b(today|tonight|this morning|this afternoon|this evening)\b", re.I), timedelta(days=1)),
    (re.compile(r"\byesterday\b", re.I), timedelta(days=2)),
    (re.compile(r"\b(this|last|past) (week|7 days)\b|\bthis weekend\b", re.I), timedelta(days=7)),
    (re.compile(r"\b(this|last|past) (month|30 days)\b", re.I), timedelta(days=31)),
    (re.compile(r"\b(this|last|past) year\b", re.I), timedelta(days=366)),
]
_LAST_N = re.compile(r"\b(?:last|past)\s+(\d{1,4})\s+(hour|day|week|month)s?\b", re.I)


def parse_since(value: str, *, now: datetime | None = None) -> datetime:
    """`--since`: a duration back from now (`36h`, `7d`, `2w`) or an ISO date/time (`2025-12-01`)."""
    now = now or datetime.now(UTC)
    m = _DURATION.match(value)
    if m:
        return now - timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise QueryError(
            f"cannot read --since {value!r}; use a duration such as 24h, 7d, 2w or a date such as 2025-12-01"
        ) from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def since_in_question(question: str, *, now: datetime | None = None) -> datetime | None:
    """The start of the time window a question names ("this week", "past 3 days"), if any."""
    now = now or datetime.now(UTC)
    m = _LAST_N.search(question)
    if m:
        n, unit = int(m.group(1)), m.group(2).lower()
        days = {"hour": n / 24, "day": n, "week": 7 * n, "month": 31 * n}[unit]
        return now - timedelta(days=days)
    for pattern, window in _WINDOWS:
        if pattern.search(question):
            return now - window
    return None


def countries_in_question(question: str, tagger: CountryTagger | None) -> list[str]:
    """Country codes a question names, found by the same tagger that tags stories.

    A tagger that can tell a country named outright from weaker evidence (the gazetteer's `named`:
    not a currency such as "Canadian dlrs") is asked for that; any other tagger for its tags.
    """
    if tagger is None or not question.strip():
        return []
    named = getattr(tagger, "named", None)
    if callable(named):
        return list(named(question))
    return [tag.code for tag in tagger.tag(Article(body=question))]


_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_EVENT_YEAR = re.compile(rf"\b(?:in|the)\s+(?:{_MONTHS}\s+)?((?:19|20)\d\d)\b(?!\s*(?:-|\u2013|to)\s*\d)", re.I)
"""A year that dates the event asked about: "in 2024", "in May 2025", "the 2024 election", "the July 2024
election". Not a year that qualifies a plan ("announced a 2024 bid", "his 2024 campaign")."""
_PLANNED = re.compile(r"\b(?:to\s+\w+|for|ahead\s+of|before|until|towards?|into)\s+$", re.I)
"""Words before such a year that make it the date of something planned, not done: "chosen to host the 2028
Olympics", "a bid for the 2024 nomination", "said ahead of the 2024 election"."""

_PAST = """did was were had won became began beat bought brought built came caught chose drew fell felt fled flew forgot
    fought found gave got grew held hit hung knew led left lent lost made meant met paid put quit ran rang rose said sang
    sank saw sent set shot shut slid sold sought spent split spoke spun stood stole struck swore swept swam took taught
    tore told thought threw understood went withdrew woke wore wrote"""
_NOT_PAST = """is are am be do does will would can could shall should may might must has have need needs going expect
    expects plan plans"""
_NOT_PAST_ED_WORDS = "need bleed breed feed freed seed speed bed red shed sled hundred sacred naked wicked"
_PAST_WORDS = frozenset(_PAST.split())
_NOT_PAST_WORDS = frozenset(_NOT_PAST.split())
_NOT_PAST_ED = frozenset(_NOT_PAST_ED_WORDS.split())
_WORD = re.compile(r"[A-Za-z']+")


def _decides(word: str) -> bool | None:
    """True for a past-tense verb, False for a present or future one, None for any other word. Lower-case words
    only, so "United" or "Ted" are no verbs."""
    if not word.islower():
        return None
    if word in _NOT_PAST_WORDS:
        return False
    if word in _PAST_WORDS or (word.endswith("ed") and len(word) > 4 and word not in _NOT_PAST_ED):
        return True
    return None


def _done_at(sentence: str, at: int) -> bool:
    """Whether the verb that governs the phrase at `at` is in the past tense: the nearest deciding word before it
    ("Who won the 2024 election", "Which chatbot did Google launch in March 2023", but not "Which Republican
    said he will run in the 2024 election"), else the first after it ("In 2024, who won ...")."""
    before = [m.group(0) for m in _WORD.finditer(sentence, 0, at)][1:]  # not the question word
    after = [m.group(0) for m in _WORD.finditer(sentence, at)]
    for word in [*reversed(before), *after]:
        decided = _decides(word)
        if decided is not None:
            return decided
    return False


def completed_after(question: str, now: datetime) -> str | None:
    """The year of a completed event the question asks about, when it lies after `now`'s year; else None.

    "Who won the 2024 US presidential election?" asked in 2022 asks how an event of 2024 ended: only news
    published after it could say, and nothing stored up to `now` is. Stories of 2022 about the coming
    election hold every key term, so the coverage test cannot refuse it; this can. Questions about plans
    stay answerable ("Which Republican announced a 2024 White House bid?", "Which city was chosen to host
    the 2028 Olympics?"), as do questions in the present or future tense ("Which supermarkets plan to merge
    in 2024?")."""
    asking = focus_of(question)
    for m in _EVENT_YEAR.finditer(asking):
        if int(m.group(1)) > now.year and not _PLANNED.search(asking[: m.start()]) and _done_at(asking, m.start()):
            return m.group(1)
    return None
