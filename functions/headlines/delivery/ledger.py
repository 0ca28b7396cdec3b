"""The post ledger: which Slack message holds which story (or event) in which channel, and who is sending it.

Every transition is a compare-and-set on the entry's `rev` (SQLite `UPDATE ... WHERE rev = ?`, a
DynamoDB condition expression), so two workers, a redelivered job or a worker killed mid-send can
never both believe they own a post:

    (none) --claim--> claimed (token, lease) --sent--> sent (ts)
                        |  lease expired: another job takes it over, and first looks for the
                        |  message in the channel's history (the send may have happened)
                        +--release (Slack refused: nothing was posted)--> (none)

A sent entry can be leased again for an edit (the post grows, `headlines.delivery.slack`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from headlines.store.base import PostRecord, Store, StoreError

Clock = Callable[[], datetime]
MAX_RACES = 20


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Claim:
    """What `claim` found: `sent` (nothing to post), `busy` (another worker's live lease until
    `record.lease_until`) or `claimed` (ours; `recheck_since` set when an earlier attempt may have posted)."""

    kind: Literal["sent", "busy", "claimed"]
    record: PostRecord
    recheck_since: datetime | None = None


class PostLedger:
    def __init__(self, store: Store, *, lease: timedelta = timedelta(seconds=120), clock: Clock = utcnow) -> None:
        self.store = store
        self.lease = lease
        self.clock = clock

    def get(self, channel: str, key: str) -> PostRecord | None:
        return self.store.get_post_record(channel, key)

    def claim(self, channel: str, key: str) -> Claim:
        for _ in range(MAX_RACES):
            record = self.store.get_post_record(channel, key)
            now = self.clock()
            token = uuid.uuid4().hex
            if record is None:
                mine = PostRecord(
                    channel=channel, key=key, rev=1, state="claimed", token=token, leased_at=now, lease_until=now + self.lease
                )
                if self.store.put_post_record(mine, expected_rev=None):
                    return Claim("claimed", mine)
                continue
            if record.state == "sent":
                return Claim("sent", record)
            if record.lease_until is not None and record.lease_until > now:
                return Claim("busy", record)
            # An expired claim: its worker died, timed out, or lost Slack's answer. It may have posted.
            mine = record.model_copy(
                update={
                    "rev": record.rev + 1,
                    "token": token,
                    "lease_until": now + self.lease,
                    "leased_at": record.leased_at or now,
                }
            )
            if self.store.put_post_record(mine, expected_rev=record.rev):
                return Claim("claimed", mine, recheck_since=record.leased_at or (now - self.lease))
        raise StoreError(f"the post of {key} to {channel} kept changing under concurrent writers; retry")

    def lease_edit(self, record: PostRecord, **changes: object) -> Claim:
        """Lease a sent entry for an edit (and apply `changes`, e.g. merged `pending`); `busy` while another
        worker's edit lease is live."""
        now = self.clock()
        if record.token and record.lease_until is not None and record.lease_until > now:
            return Claim("busy", record)
        mine = record.model_copy(
            update={"rev": record.rev + 1, "token": uuid.uuid4().hex, "lease_until": now + self.lease, **changes}
        )
        if self.store.put_post_record(mine, expected_rev=record.rev):
            return Claim("claimed", mine)
        fresh = self.store.get_post_record(record.channel, record.key)
        return Claim("busy", fresh or record)

    def update(self, record: PostRecord, **changes: object) -> PostRecord | None:
        """Compare-and-set `changes` (also: drop the lease); None when another writer changed the entry first."""
        new = record.model_copy(update={"rev": record.rev + 1, "token": None, "lease_until": None, **changes})
        return new if self.store.put_post_record(new, expected_rev=record.rev) else None

    def amend(self, record: PostRecord, **changes: object) -> PostRecord | None:
        """Compare-and-set `changes`, keeping whoever holds the lease; None when another writer got there first."""
        new = record.model_copy(update={"rev": record.rev + 1, **changes})
        return new if self.store.put_post_record(new, expected_rev=record.rev) else None

    def sent(self, record: PostRecord, ts: str, shows: list[str]) -> PostRecord:
        """Our claim became a message: record its ts (whoever wins a race here, the message exists)."""
        done = self.update(record, state="sent", ts=ts, posted_at=self.clock(), shows=shows)
        if done is not None:
            return done
        return self.store.get_post_record(record.channel, record.key) or record

    def release(self, record: PostRecord) -> None:
        """Slack refused the post (nothing was posted): drop our claim so a retry claims afresh."""
        self.store.delete_post_record(record.channel, record.key, expected_rev=record.rev)

    def abandon(self, record: PostRecord) -> None:
        """We cannot tell whether Slack posted: end our lease now; the next attempt checks the history first."""
        self.update(record, state="claimed", lease_until=self.clock() - timedelta(microseconds=1))
