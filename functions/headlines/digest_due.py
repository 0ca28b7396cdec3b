"""When a channel's digest is due: the latest scheduled time not yet sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from headlines.models import DigestSchedule


def last_occurrence(schedule: DigestSchedule, now: datetime) -> datetime:
    """The most recent scheduled time at or before `now` (UTC), honouring the schedule's time zone."""
    tz = ZoneInfo(schedule.tz)
    local = now.astimezone(tz)
    hour, minute = (int(p) for p in schedule.time.split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if schedule.frequency == "daily":
        if candidate > local:
            candidate -= timedelta(days=1)
    else:
        weekday = schedule.weekday if schedule.weekday is not None else 0
        candidate -= timedelta(days=(local.weekday() - weekday) % 7)
        if candidate > local:
            candidate -= timedelta(days=7)
    return candidate.astimezone(UTC)


def due_at(schedule: DigestSchedule, now: datetime | None = None) -> datetime | None:
    """The occurrence to send now, or None when the last one was already sent."""
    now = now or datetime.now(UTC)
    occurrence = last_occurrence(schedule, now)
    if schedule.last_sent is not None and schedule.last_sent >= occurrence:
        return None
    return occurrence
