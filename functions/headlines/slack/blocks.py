"""Block Kit messages for stories, lists, digests and help, always inside Slack's limits.

Article text is untrusted: `&`, `<` and `>` are escaped *before* any truncation, so `<!channel>`,
`<@U123>` or `<https://evil|bank>` in an article is displayed, never acted on, and a cut never
leaves half an entity behind. Every builder returns a `Message` that `check_limits` accepts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from headlines.errors import UpstreamPermanentError
from headlines.models import CountryTag, Story
from headlines.sanitize import clean_unicode

if TYPE_CHECKING:
    from headlines.ask.engine import Answer

MAX_BLOCKS = 50
HEADER_MAX = 150
SECTION_MAX = 3000
CONTEXT_MAX = 2000
MESSAGE_MAX = 12_000
"""Whole message (blocks as JSON plus fallback text) stays under this many characters."""
FALLBACK_MAX = 2000
ELLIPSIS = "\u2026"

_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")
_WS = re.compile(r"\s+")


class BlockLimitError(UpstreamPermanentError, ValueError):
    """A message breaks a Block Kit limit; build it with the helpers in `headlines.slack.blocks`."""


def escape(text: str) -> str:
    """Slack's three control characters as entities: text shows as written, never as mentions or links.
    Bidi overrides, zero-width and control characters are removed first (`headlines.sanitize`)."""
    return clean_unicode(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut; never splits an `&amp;`-style entity."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    cut = _ENTITY_TAIL.sub("", cut)
    return cut.rstrip() + ELLIPSIS


def safe(text: str | None, limit: int, *, one_line: bool = False) -> str:
    """Untrusted text made displayable: escaped first, then cut to `limit`."""
    text = text or ""
    if one_line:
        text = _WS.sub(" ", text).strip()
    return truncate(escape(text), limit)


def link(url: str, label: str, limit: int = 500) -> str:
    """`<url|label>` for an http(s) URL from an article; anything else becomes plain escaped text."""
    if not re.match(r"^https?://", url, re.I):
        return safe(label, limit, one_line=True)
    # Characters that would end or split the link markup are percent-encoded, not trusted.
    clean = quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")
    clean = escape(clean)
    label = safe(label, limit, one_line=True).replace("|", "\u2758")
    return f"<{clean}|{label}>"


@dataclass
class Message:
    """What `chat.postMessage` and `response_url` receive: fallback text plus blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def size(self) -> int:
        return len(self.text) + len(json.dumps(self.blocks, ensure_ascii=False))

    def post_args(self) -> dict[str, Any]:
        """Keyword arguments for `chat_postMessage`: unfurling off, so article links never expand."""
        return {"text": self.text, "blocks": self.blocks, "unfurl_links": False, "unfurl_media": False}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": safe(text, HEADER_MAX, one_line=True) or "Untitled"}}


def section(mrkdwn: str) -> dict[str, Any]:
    """A section of already-escaped mrkdwn, cut to the section limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(mrkdwn, SECTION_MAX) or " "}}


def context(parts: Iterable[str]) -> dict[str, Any]:
    elements = [{"type": "mrkdwn", "text": truncate(p, CONTEXT_MAX)} for p in parts if p][:10]
    return {"type": "context", "elements": elements or [{"type": "mrkdwn", "text": " "}]}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def countries_line(tags: Sequence[CountryTag]) -> str:
    shown = []
    for tag in tags[:8]:
        name = escape(tag.name)
        shown.append(f"{tag.flag} *{name}*" if tag.primary else f"{tag.flag} {name}")
    return "  ".join(shown)


def time_markup(story: Story) -> str:
    """Slack renders `<!date^...>` in each reader's own time zone; the fallback is UTC."""
    when = story.sort_time
    fallback = when.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def meta_line(story: Story) -> str:
    parts = []
    if story.article.source:
        parts.append(safe(story.article.source, 200, one_line=True))
    parts.append(time_markup(story))
    if story.article.url:
        parts.append(link(str(story.article.url), "Read the article"))
    return " \u00b7 ".join(parts)


def story_blocks(story: Story, matched: str | None = None) -> list[dict[str, Any]]:
    """One story: headline header, summary, countries, then source · time · link, then why this channel got it
    (`matched`, e.g. "matched: wind power" from `headlines.routing`) when that is not a plain country match."""
    blocks = [header(story.headline), section(safe(story.summary or "(no summary)", SECTION_MAX))]
    ctx = [countries_line(story.countries), meta_line(story)]
    if matched:
        ctx.append(f"_{safe(matched, 300, one_line=True)}_")
    blocks.append(context(ctx))
    return blocks


def story_message(story: Story, matched: str | None = None) -> Message:
    return fit(Message(text=safe(story.headline, FALLBACK_MAX, one_line=True), blocks=story_blocks(story, matched)))


def compact_story(story: Story, summary_chars: int = 400) -> str:
    """A story as one mrkdwn paragraph, for lists and digests."""
    title = safe(story.headline, HEADER_MAX, one_line=True)
    title = f"*{link(str(story.article.url), story.headline, HEADER_MAX)}*" if story.article.url else f"*{title}*"
    lines = [title]
    if story.summary:
        lines.append(safe(story.summary, summary_chars))
    meta = [p for p in (countries_line(story.primary_countries), safe(story.article.source, 200, one_line=True)) if p]
    meta.append(time_markup(story))
    lines.append(" \u00b7 ".join(meta))
    return "\n".join(lines)


def stories_message(title: str, stories: Sequence[Story], *, empty: str) -> Message:
    """A titled list of stories (latest, ask), cut to fit with a note of how many were left out."""
    if not stories:
        return text_message(empty)
    builder = Builder(text=safe(title, FALLBACK_MAX, one_line=True))
    builder.add(header(title))
    for story in stories:
        if not builder.add(section(compact_story(story))):
            break
    builder.finish(len(stories))
    return builder.message


def answer_message(answer: Answer) -> Message:
    """An answer from the ask engine: the quoted answer, then a "Sources" context, best first."""
    builder = Builder(text=safe(answer.answer, FALLBACK_MAX, one_line=True) or "No answer")
    builder.add(section(safe(answer.answer, SECTION_MAX)), item=False)
    lines = []
    for n, src in enumerate(answer.sources, start=1):
        label = link(src.url, src.title, 200) if src.url else safe(src.title, 200, one_line=True)
        when = f" \u00b7 {src.published:%Y-%m-%d}" if src.published else ""
        lines.append(f"[{n}] {label}{when}")
    if lines:
        heading = "*Sources*" if answer.found else "*Closest stories*"
        builder.add(context([heading, *lines][:10]), item=False)
    builder.finish(0)
    return builder.message


def text_message(mrkdwn: str) -> Message:
    """A plain reply: `mrkdwn` must already be escaped where it carries user or article text."""
    return fit(Message(text=truncate(mrkdwn, FALLBACK_MAX), blocks=[section(mrkdwn)]))


class Builder:
    """Adds blocks while the message stays inside the limits, keeping room for a closing note."""

    RESERVE = 400

    def __init__(self, text: str) -> None:
        self.message = Message(text=text)
        self.items = 0

    def add(self, *blocks: dict[str, Any], item: bool = True) -> bool:
        candidate = Message(self.message.text, [*self.message.blocks, *blocks])
        if len(candidate.blocks) > MAX_BLOCKS - 1 or candidate.size() > MESSAGE_MAX - self.RESERVE:
            return False
        self.message = candidate
        self.items += int(item)
        return True

    def finish(self, total: int) -> None:
        if total > self.items:
            self.message.blocks.append(context([f"_\u2026and {total - self.items} more not shown_"]))
        check_limits(self.message)


def fit(message: Message) -> Message:
    """Drop trailing blocks until the message fits; a single block that cannot fit is an error."""
    while message.blocks and (len(message.blocks) > MAX_BLOCKS or message.size() >= MESSAGE_MAX):
        message.blocks.pop()
    check_limits(message)
    return message


def check_limits(message: Message) -> None:
    """Raise `BlockLimitError` naming the first Block Kit limit the message breaks."""
    if len(message.blocks) > MAX_BLOCKS:
        raise BlockLimitError(f"{len(message.blocks)} blocks; Slack allows at most {MAX_BLOCKS}")
    if message.size() >= MESSAGE_MAX:
        raise BlockLimitError(f"message is {message.size()} characters; keep it under {MESSAGE_MAX}")
    for block in message.blocks:
        text = block.get("text", {}).get("text", "")
        if block["type"] == "header" and len(text) > HEADER_MAX:
            raise BlockLimitError(f"header text is {len(text)} characters; at most {HEADER_MAX}")
        if block["type"] == "section" and len(text) > SECTION_MAX:
            raise BlockLimitError(f"section text is {len(text)} characters; at most {SECTION_MAX}")


HELP = """*Headlines* \u2014 news summaries tagged by country.
`/headlines ask <question>` \u2014 answer from the stories we have
`/headlines latest [country or keyword]` \u2014 the newest stories
`/headlines summarize <url or pasted text>` \u2014 summary and countries of one article
`/headlines subscribe [about|mentions] <countries or all> ["keyword" ...]` \u2014 post matching stories here as they arrive
`/headlines unsubscribe <countries, "keywords" or all>` \u2014 stop them
`/headlines subscriptions` \u2014 what this channel gets
`/headlines digest [daily HH:MM TZ | weekly DAY HH:MM TZ | off | now]` \u2014 this channel's digest
Mention me or send me a direct message to ask a question."""


def help_message(note: str | None = None) -> Message:
    blocks = []
    if note:
        blocks.append(section(note))
    blocks.append(section(escape(HELP)))  # `<question>` must show as written, not parse as markup
    return fit(Message(text="Headlines help", blocks=blocks))
