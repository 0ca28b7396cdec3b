"""What a question says besides its topic: a time window ("this week") and a country ("in France")."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

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
