"""Digests: a channel's top stories not yet in one of its digests, one entry per event, grouped by country.

"Top" means carried by the most sources, then newest. Two stories are the same event when they share an
`event_id` (assigned at processing time, `headlines.events`) or the same content hash; stories stored before
events existed (no `event_id`) still fall back to near-identical headlines. Each entry names the other
sources: "also: Reuters, BBC". Which stories a channel's digests already carried is
claimed per story (`headlines.claims`, scope `digest_scope(channel)`), which makes a digest job safe to run
twice: the second run finds nothing new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from headlines import claims
from headlines.claims import digest_scope
from headlines.models import DigestSchedule, Story
from headlines.slack.blocks import Builder, Message, divider, escape, header, link, section
from headlines.slack.blocks import compact_story as _compact
from headlines.store.base import Store

if TYPE_CHECKING:
    from headlines.job_queue import JobQueue

DIGEST_MAX_STORIES = 20
CANDIDATES = 500
SAME_HEADLINE = 0.8
"""Jaccard overlap of headline words at or above which two stories are the same event."""

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = {"a", "an", "the", "of", "in", "on", "to", "for", "and", "at", "by", "with", "as", "is", "from"}


def lookback(schedule: DigestSchedule | None) -> timedelta:
    """How far back a digest looks: one period (a day, or a week), so a new channel is not flooded."""
    return timedelta(days=7) if schedule is not None and schedule.frequency == "weekly" else timedelta(days=1)


def headline_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def same_event(a: Story, b: Story) -> bool:
    if a.content_hash == b.content_hash:
        return True
    wa, wb = headline_words(a.headline), headline_words(b.headline)
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= SAME_HEADLINE


@dataclass
class Cluster:
    """One event: the story shown, and the others that carried it."""

    story: Story
    others: list[Story] = field(default_factory=list)

    @property
    def sources(self) -> int:
        return 1 + len(self.others)

    def members(self) -> list[Story]:
        return [self.story, *self.others]


def _joins(c: Cluster, story: Story) -> bool:
    if story.event_id is not None and any(m.event_key == story.event_id for m in c.members()):
        return True
    if any(m.content_hash == story.content_hash for m in c.members()):
        return True
    # Stories without an event id (stored before events, or with HEADLINES_EVENTS off): the headline rule.
    return story.event_id is None and c.story.event_id is None and same_event(c.story, story)


def cluster(stories: Sequence[Story]) -> list[Cluster]:
    """One cluster per event (newest first in, newest kept as the representative), ranked by sources then recency."""
    clusters: list[Cluster] = []
    by_event: dict[str, Cluster] = {}
    for story in sorted(stories, key=lambda s: s.sort_time, reverse=True):
        found = by_event.get(story.event_key) or next((c for c in clusters if _joins(c, story)), None)
        if found is not None:
            found.others.append(story)
        else:
            found = Cluster(story)
            clusters.append(found)
        by_event.setdefault(story.event_key, found)
    clusters.sort(key=lambda c: (-c.sources, -c.story.sort_time.timestamp()))
    return clusters


ALSO_MAX = 8
"""Other sources named on a digest line; more are counted."""


def also_line(c: Cluster) -> str:
    """`\n_also: <link|Reuters>, <link|BBC> and 2 more_` naming the other outlets of the event (escaped, linked)."""
    if not c.others:
        return ""
    own = (c.story.article.source or "").strip().lower()
    named: dict[str, str] = {}
    unnamed = 0
    for other in c.others:
        source = (other.article.source or "").strip()
        if not source or source.lower() == own or source.lower() in (k.lower() for k in named):
            unnamed += not source or source.lower() == own
            continue
        named[source] = link(str(other.article.url), source, 100) if other.article.url else escape(source[:100])
    shown = list(named.values())[:ALSO_MAX]
    more = len(named) - len(shown) + unnamed
    if not shown:
        return f"\n_also carried by {more} more source{'s' if more > 1 else ''}_"
    tail = f" and {more} more" if more else ""
    return f"\n_also: {', '.join(shown)}{tail}_"


def group_by_country(clusters: Sequence[Cluster]) -> list[tuple[str, list[Cluster]]]:
    """`[("🇫🇷 France", [...]), ...]`; each event under its first primary country only, "Elsewhere" last."""
    groups: dict[str, list[Cluster]] = {}
    for c in clusters:
        primary = c.story.primary_countries
        label = f"{primary[0].flag} {primary[0].name}" if primary else "Elsewhere"
        groups.setdefault(label, []).append(c)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "Elsewhere", -len(kv[1]), kv[0]))
    return ordered


@dataclass
class Digest:
    channel: str
    clusters: list[Cluster]
    message: Message
    included: list[str]
    """Ids of every story (representatives and duplicates) the digest accounts for."""


def compose(
    store: Store,
    channel: str,
    *,
    now: datetime | None = None,
    schedule: DigestSchedule | None = None,
    limit: int = DIGEST_MAX_STORIES,
) -> Digest | None:
    """The channel's next digest, or None when no story is new to it. Claims the stories it includes:
    call `release` if posting fails, so the next attempt includes them again."""
    now = now or datetime.now(UTC)
    since = now - lookback(schedule)
    subs = store.channel_subscriptions(channel)
    candidates = store.latest(limit=CANDIDATES, since=since)
    if subs:  # a channel without subscriptions gets every story in its digest, as before
        from headlines.routing import match_reasons

        candidates = [s for s in candidates if match_reasons(subs, s)]
    scope = digest_scope(channel)
    fresh = [s for s in candidates if claims.claim(store, scope, s.id)]
    if not fresh:
        return None
    clusters = cluster(fresh)
    shown = clusters[:limit]
    message, fitted = render(shown, len(clusters), now)
    # Only the events shown are consumed; the rest (over the limit, or cut to fit) stay for the next digest.
    included = [s.id for c in fitted for s in c.members()]
    release(store, channel, [s.id for s in fresh if s.id not in set(included)])
    return Digest(channel, fitted, message, included)


def release(store: Store, channel: str, story_ids: Sequence[str]) -> None:
    scope = digest_scope(channel)
    for story_id in story_ids:
        claims.release(store, scope, story_id)


def render(clusters: Sequence[Cluster], total: int, now: datetime) -> tuple[Message, list[Cluster]]:
    title = f"Headlines digest \u2014 {now:%a %d %b %Y}"
    builder = Builder(text=title)
    builder.add(header(title), item=False)
    fitted: list[Cluster] = []
    for label, members in group_by_country(clusters):
        if not builder.add(divider(), section(f"*{escape(label)}*"), item=False):
            break
        for c in members:
            text = _compact(c.story, summary_chars=300) + also_line(c)
            if not builder.add(section(text)):
                break
            fitted.append(c)
    builder.finish(total)
    return builder.message, fitted


def last_occurrence(schedule: DigestSchedule, now: datetime) -> datetime:
    """The most recent scheduled time at or before `now`, in the schedule's own time zone (DST-safe)."""
    local = now.astimezone(ZoneInfo(schedule.tz))
    hour, minute = (int(p) for p in schedule.time.split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if schedule.frequency == "daily":
        if candidate > local:
            candidate -= timedelta(days=1)
    else:
        candidate -= timedelta(days=(local.weekday() - (schedule.weekday or 0)) % 7)
        if candidate > local:
            candidate -= timedelta(days=7)
    return candidate.astimezone(UTC)


def due(schedule: DigestSchedule, now: datetime) -> datetime | None:
    """The occurrence to send now, or None when it was sent already (new schedules start with `last_sent` = now)."""
    occurrence = last_occurrence(schedule, now)
    if schedule.last_sent is not None and schedule.last_sent >= occurrence:
        return None
    return occurrence


def queue_due_digests(store: Store, queue: JobQueue, now: datetime | None = None) -> list[str]:
    """Queue a `digest` job for every channel whose digest time has come; returns those channels.

    The job id names the occurrence, so a repeated poll queues the same job and its stories post once.
    """
    from headlines.job_queue import Job

    now = now or datetime.now(UTC)
    queued = []
    for schedule in store.digest_schedules():
        occurrence = due(schedule, now)
        if occurrence is None:
            continue
        queue.enqueue(Job(kind="digest", id=f"digest:{schedule.channel}:{occurrence.isoformat()}", channel=schedule.channel))
        store.set_digest(schedule.model_copy(update={"last_sent": now}))
        queued.append(schedule.channel)
    return queued
