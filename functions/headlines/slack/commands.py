"""Parsing `/headlines` text: which subcommand, and its argument checked (countries, digest schedule).

Pure functions, no Slack or store: the app turns a `CommandError` into an ephemeral reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import ValidationError

from headlines.errors import BadInputError
from headlines.models import ALL_COUNTRIES, MAX_KEYWORD_CHARS, DigestSchedule, Subscription, describe_validation_error

SUBCOMMANDS = ("help", "ask", "latest", "summarize", "subscribe", "unsubscribe", "subscriptions", "digest")
Subcommand = Literal["help", "ask", "latest", "summarize", "subscribe", "unsubscribe", "subscriptions", "digest"]

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_URL = re.compile(r"^<?(https?://[^\s|>]+)(?:\|[^>]*)?>?$", re.I)


class CommandError(BadInputError, ValueError):
    """The command text cannot be used; the message tells the user what to type instead."""


@dataclass(frozen=True)
class Command:
    name: Subcommand
    arg: str = ""
    note: str | None = None
    """For `help` shown because of an unknown subcommand: what was not understood."""


def parse_command(text: str | None) -> Command:
    """`ask what happened in Paris` -> Command("ask", "what happened in Paris"); unknown -> help with a note."""
    text = (text or "").strip()
    if not text:
        return Command("help")
    word, _, rest = text.partition(" ")
    name = word.lower()
    if name in SUBCOMMANDS:
        return Command(name, rest.strip())  # type: ignore[arg-type]
    return Command("help", text, note=f"I don't know `{word[:40]}`. These work:")


def parse_countries(arg: str) -> list[str]:
    """`FR, germany all` -> ["FR", "DE", "*"]; raises `CommandError` naming what is not a country."""
    from headlines.countries.data import parse_country

    phrases = _country_phrases(arg)
    if not phrases:
        raise CommandError("Name at least one country (code or name), or `all`, e.g. `/headlines subscribe FR, Germany`.")
    codes: list[str] = []
    unknown: list[str] = []
    for part in phrases:
        if part.lower() in {"all", "*", "everything"}:
            code: str | None = ALL_COUNTRIES
        else:
            code = parse_country(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise CommandError(
            f"Not a country I know: {', '.join(unknown)}. Use ISO codes (FR, US) or English names, separated by commas."
        )
    return codes


_QUOTED = re.compile(r'"([^"]*)"|\u201c([^\u201c\u201d]*)\u201d')
_MODES = {"about": "about", "mentions": "mentions", "mention": "mentions", "mentioning": "mentions"}
SUBSCRIBE_USAGE = (
    'e.g. `/headlines subscribe FR, Germany "wind power"` or `/headlines subscribe mentions JP`: countries (codes or '
    "names, or `all`) and quoted keywords; `about` (default for countries: stories about them) or `mentions` "
    "(any mention; the default for keywords)."
)


def parse_subscriptions(arg: str, *, removing: bool = False) -> list[Subscription]:
    """`about FR "wind power"` -> [country FR about, keyword "wind power" about].

    Without a mode word, countries are `about` and keywords `mentions`; when removing, a subscription named
    without a mode is removed in both modes. Raises `CommandError` naming what cannot be used."""
    text = slack_to_plain(arg)
    if text.count('"') % 2 or text.count("\u201c") != text.count("\u201d"):
        raise CommandError(f"A quote is not closed. {SUBSCRIBE_USAGE}")
    phrases = [(m.group(1) if m.group(1) is not None else m.group(2)).strip() for m in _QUOTED.finditer(text)]
    rest = _QUOTED.sub(" ", text)
    words = rest.replace(",", " , ").split()
    modes = {_MODES[w.lower()] for w in words if w.lower() in _MODES}
    if len(modes) > 1:
        raise CommandError(f"Choose one mode, `about` or `mentions`. {SUBSCRIBE_USAGE}")
    mode = modes.pop() if modes else None
    rest = " ".join(w for w in words if w.lower() not in _MODES).replace(" , ", ", ").strip(" ,")
    subs: list[Subscription] = []
    both = ("about", "mentions")
    if rest:
        for code in parse_countries(rest):
            if code == ALL_COUNTRIES and (removing or mode is None):
                subs.append(Subscription.country(code))
                continue
            for m in [mode] if mode else both if removing else ["about"]:
                subs.append(Subscription.country(code, m))  # type: ignore[arg-type]
    for phrase in phrases:
        if not phrase:
            raise CommandError(f"An empty keyword. {SUBSCRIBE_USAGE}")
        if len(phrase) > MAX_KEYWORD_CHARS:
            raise CommandError(f"Keywords are at most {MAX_KEYWORD_CHARS} characters: `{phrase[:40]}\u2026`.")
        if not re.search(r"[^\W_]", phrase):  # cheap here (the ack path); stop-word-only phrases simply never match
            raise CommandError(f"\u201c{phrase[:40]}\u201d has no word in it. {SUBSCRIBE_USAGE}")
        for m in [mode] if mode else both if removing else ["mentions"]:
            subs.append(Subscription.keyword(phrase, m))  # type: ignore[arg-type]
    if not subs:
        raise CommandError(f"Name at least one country or quoted keyword, {SUBSCRIBE_USAGE}")
    return list(dict.fromkeys(subs))


def describe_subscriptions(subs: list[Subscription]) -> str:
    """`🇫🇷 France, 🇩🇪 Germany (any mention), “wind power”` or `nothing`."""
    from headlines.countries.data import country_name, flag_emoji

    if not subs:
        return "nothing"
    parts = []
    for sub in subs:
        if sub.kind == "keyword":
            parts.append(sub.label())
        elif sub.value == ALL_COUNTRIES:
            parts.append("all stories")
        else:
            any_mention = " (any mention)" if sub.mode == "mentions" else ""
            parts.append(f"{flag_emoji(sub.value)} {country_name(sub.value)}{any_mention}")
    return ", ".join(parts)


def _country_phrases(arg: str) -> list[str]:
    """Split on commas, then on spaces unless the phrase is one multi-word name ("South Korea")."""
    from headlines.countries.data import parse_country

    phrases: list[str] = []
    for phrase in (p.strip() for p in re.split(r"[,;]", arg)):
        if not phrase:
            continue
        if " " in phrase and parse_country(phrase) is None:
            phrases.extend(phrase.split())  # "fr de" or "germany all"
        else:
            phrases.append(phrase)
    return phrases


DigestAction = Literal["show", "off", "now", "set"]


@dataclass(frozen=True)
class DigestRequest:
    action: DigestAction
    schedule: DigestSchedule | None = None


DIGEST_USAGE = "Use `/headlines digest daily 08:00 Europe/Paris`, `weekly monday 09:00 UTC`, `off` or `now`."


def parse_digest(arg: str, channel: str) -> DigestRequest:
    """`daily 08:00 Europe/Paris` | `weekly mon 09:00 UTC` | `off` | `now` | `` (show)."""
    words = arg.split()
    if not words:
        return DigestRequest("show")
    kind = words[0].lower()
    if kind in {"off", "stop", "none"} and len(words) == 1:
        return DigestRequest("off")
    if kind == "now" and len(words) == 1:
        return DigestRequest("now")
    weekday = None
    if kind == "daily":
        rest = words[1:]
    elif kind == "weekly":
        if len(words) < 2:
            raise CommandError(f"Which day? {DIGEST_USAGE}")
        weekday = _weekday(words[1])
        rest = words[2:]
    else:
        raise CommandError(f"I can't read `{arg[:60]}`. {DIGEST_USAGE}")
    if not rest or len(rest) > 2:
        raise CommandError(f"Give a time and a time zone. {DIGEST_USAGE}")
    time = _time(rest[0])
    tz = rest[1] if len(rest) == 2 else "UTC"
    try:
        schedule = DigestSchedule(channel=channel, frequency=kind, weekday=weekday, time=time, tz=tz)
    except ValidationError as exc:
        raise CommandError(f"{describe_validation_error(exc)}. {DIGEST_USAGE}") from exc
    return DigestRequest("set", schedule)


def _weekday(word: str) -> int:
    word = word.lower()
    for i, day in enumerate(_DAYS):
        if len(word) >= 3 and day.startswith(word):
            return i
    raise CommandError(f"`{word[:20]}` is not a day of the week. {DIGEST_USAGE}")


def _time(word: str) -> str:
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", word)
    if not m or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        raise CommandError(f"`{word[:20]}` is not a time (HH:MM, 24-hour). {DIGEST_USAGE}")
    return f"{int(m.group(1)):02d}:{int(m.group(2) or 0):02d}"


def describe_schedule(schedule: DigestSchedule) -> str:
    when = "daily" if schedule.frequency == "daily" else f"every {_DAYS[schedule.weekday or 0].capitalize()}"
    return f"{when} at {schedule.time} ({schedule.tz})"


def describe_codes(codes: set[str]) -> str:
    from headlines.countries.data import country_name, flag_emoji

    if not codes:
        return "nothing"
    if ALL_COUNTRIES in codes:
        return "all stories"
    return ", ".join(f"{flag_emoji(c)} {country_name(c)}" for c in sorted(codes))


def url_of(arg: str) -> str | None:
    """The URL when the argument is just a URL (Slack wraps pasted links as `<https://...>`)."""
    m = _URL.match(arg.strip())
    return m.group(1) if m else None


_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def slack_to_plain(text: str) -> str:
    """Text as the user typed it: Slack's `<url|label>`, `<@U1>`, `<#C1|name>` markup and its `&amp;` escapes undone."""

    def plain(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith(("@", "!")):
            return label or ""
        if target.startswith("#"):
            return f"#{label}" if label else ""
        return label if label and not target.startswith(("http://", "https://")) else target

    text = re.sub(r"[ \t]{2,}", " ", _MARKUP.sub(plain, text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
