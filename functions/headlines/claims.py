"""Claims: "this (scope, key) is taken", released when the work it guards fails, over the store's post records.

One concept, two strengths, one table (the store's post records, keyed (scope, key)):

- `claim` / `release`: taken once, for good unless released. The scopes in use: `EVENT_SCOPE` (Events API
  ids), `COMMAND_SCOPE` (signed slash commands), `digest_scope(channel)` (the stories a channel's digests carried).
- `PostLedger`: a claim with a lease and a compare-and-set revision, for a Slack post (scope = the channel,
  key = the story or event): which message holds it, and who is sending it. Every transition is a
  compare-and-set on the entry's `rev` (SQLite `UPDATE ... WHERE rev = ?`, a DynamoDB condition
  expression), so two workers, a redelivered job or a worker killed mid-send can never both own a post:

    (none) --claim--> claimed (token, lease) --sent--> sent (ts)
                        |  lease expired: another job takes it over, and first looks for the
                        |  message in the channel's history (the send may have happened)
                        +--release (Slack refused: nothing was posted)--> (none)

  A sent entry can be leased again for an edit (the post grows, `headlines.delivery.slack`).

Every de-duplication layer, outside in:

1. Slack Events API retries: `claim(EVENT_SCOPE, event_id)` on the ack path (`slack/app.py`); released if queuing fails.
2. A replayed signed slash command: `claim(COMMAND_SCOPE, sha256(timestamp, body))` (`slack/app.py`).
3. Feed entries already stored: skipped by their URL key (`models.url_key`, `feeds.py`); their job id is
   `feed:<dedup key>`.
4. Ingest job ids: `http:<story id>:<content hash>` (webhook), the S3 key and ETag (`aws/s3_articles.py`).
5. Job runs: Powertools Idempotency on `Job.id` in the worker (`handlers/worker.py`, DynamoDB), which also refuses
   a second worker while the first run is in progress (an SQS redelivery after the visibility timeout).
6. Stories: one per article dedup key (`Article.dedup_key`: `url_key` of its URL, else its content hash);
   storing again updates it (`Store.put`, `Pipeline.process`).
7. Posts: the `PostLedger` above, per channel and story (or event: one message grows, `delivery/slack.py`).
8. A `chat.postMessage` whose answer was lost: the channel's history is searched before posting again
   (`delivery/retry.py`, `delivery/slack.py`).
9. Digests: `claim(digest_scope(channel), story_id)` per story (`slack/digest.py`), released when the post fails.
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

EVENT_SCOPE = "~slack-event"
"""Events API ids already taken in: Slack's retries are dropped by it."""
COMMAND_SCOPE = "~slack-command"
"""Slash commands already taken in (a hash of the signed timestamp and body): a captured signed request
replayed inside Slack's five-minute window runs once."""


def digest_scope(channel: str) -> str:
    """The stories this channel's digests already carried."""
    return f"~digest:{channel}"


def claim(store: Store, scope: str, key: str) -> bool:
    """Take (scope, key) once: True for the first caller, False for every later one (until `release`)."""
    return store.record_post(scope, key)


def release(store: Store, scope: str, key: str) -> None:
    """Undo `claim` when the work it guarded failed, so a retry can take it again."""
    store.forget_post(scope, key)


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
