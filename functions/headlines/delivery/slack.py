"""Slack delivery: each story to every channel whose subscriptions match it (`headlines.routing`), exactly once per channel.

Exactly once, under crashes and lost answers, through the post ledger (`headlines.claims`):

1. claim (channel, event key) with a lease; a live claim held by another worker hands the job back
   to the queue (`RetryLater`) rather than skip it, so a worker killed mid-send loses nothing;
2. post with Slack message `metadata` (`headlines_story`, the story id and the ledger key);
3. record the message `ts`: sent.

When Slack's answer is lost (dropped connection, 5xx) or a claim expired, the channel's history
(`conversations.history`, `include_all_metadata`, from the claim's start) is searched for our own
message before posting again. A refused post (4xx, Slack `ok: false`) releases the claim; a 429 whose
`Retry-After` does not fit in the time left re-queues the job with that delay (`headlines.deferral`).

The post grows (issue 19): the ledger is keyed by `story.event_id or story.id`, so a later story of an
event finds the event's post already sent and edits it (`chat.update`) to add "Also reported by" with
its source, at most once per `edit_interval` per post; `shows` lists the stories the message shows,
so a redelivered job never adds a source twice. A story published `reply_after` (6 h) or more after
the post's first story is a new development: it goes as a threaded reply under the post instead
(an edit would reach nobody who already read it), exactly once through its own ledger entry.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from headlines.claims import Claim, Clock, PostLedger, utcnow
from headlines.deferral import RetryLater, deferrable
from headlines.errors import UpstreamTransientError
from headlines.models import Story
from headlines.routing import ChannelMatch, KeywordCache, channel_matches
from headlines.slack.blocks import CONTEXT_MAX, Message, context, fit, link, safe, story_message
from headlines.store.base import PostRecord, Store

if TYPE_CHECKING:
    from slack_sdk import WebClient

logger = logging.getLogger(__name__)

METADATA_EVENT = "headlines_story"
"""Slack message metadata `event_type` on every story post: how a job recognises its own message."""
HISTORY_PAGES = 10
HISTORY_SKEW = timedelta(minutes=2)
"""Searched before the claim's start too: clocks of Slack and the worker differ a little."""
MAX_SOURCES_SHOWN = 25


class SlackDeliveryError(UpstreamTransientError):
    """Slack refused or never answered a post; the job is retried. The message names the channel and Slack's error."""


class SlackAnswerLost(SlackDeliveryError):
    """The request may have been carried out (connection dropped, 5xx): look before doing it again."""


class SlackRateLimited(SlackDeliveryError):
    """429 not waited out here (it did not fit in the time left)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def event_key(story: Story) -> str:
    """The ledger key of a story's post: its event's (issue 19), else its own id."""
    return story.event_id or story.id


def story_metadata(key: str, story_id: str) -> dict[str, Any]:
    return {"event_type": METADATA_EVENT, "event_payload": {"story_id": story_id, "post_key": key}}


class SlackDelivery:
    """`deliver(story)` posts the story's Block Kit message to each subscribed channel once (or grows the event's post)."""

    def __init__(
        self,
        client: WebClient,
        store: Store,
        *,
        lease: timedelta = timedelta(seconds=120),
        clock: Clock = utcnow,
        max_attempts: int = 3,
        edit_interval: timedelta = timedelta(minutes=3),
        reply_after: timedelta = timedelta(hours=6),
    ) -> None:
        self.client = client
        self.store = store
        self.ledger = PostLedger(store, lease=lease, clock=clock)
        self.clock = clock
        self.max_attempts = max(1, max_attempts)
        self.edit_interval = edit_interval
        self.reply_after = reply_after
        self.keywords = KeywordCache()

    def matches(self, story: Story) -> list[ChannelMatch]:
        """The channels that get the story (countries about/mentions, keywords), each with why (`headlines.routing`)."""
        return channel_matches(self.store, story, keywords=self.keywords)

    def channels(self, story: Story) -> list[str]:
        return [m.channel for m in self.matches(story)]

    def deliver(self, story: Story) -> list[str]:
        """Post (or edit) in every channel not yet showing the story; returns the channels changed now.
        Raises the first `SlackDeliveryError` after trying every channel, else the longest `RetryLater`."""
        changed: list[str] = []
        failures: list[SlackDeliveryError] = []
        later: list[RetryLater] = []
        for match in self.matches(story):
            channel = match.channel
            try:
                if self._deliver_to(channel, story, match.explain):
                    changed.append(channel)
            except SlackDeliveryError as exc:
                logger.error("story %s not delivered to %s: %s", story.id, channel, exc)
                failures.append(exc)
            except RetryLater as exc:
                later.append(exc)
        if failures:
            raise failures[0]  # the other channels got theirs; a retry only finishes what is missing
        if later:
            raise max(later, key=lambda e: e.delay_seconds)
        return changed

    # -- first post -------------------------------------------------------------------------------------
    def _deliver_to(self, channel: str, story: Story, matched: str | None = None) -> bool:
        key = event_key(story)
        claim = self.ledger.claim(channel, key)
        if claim.kind == "sent":
            return self._grow(channel, story, claim.record)
        if claim.kind == "busy":
            self._wait(claim.record, f"the post of {key} to {channel} is being sent by another worker")
        return self._post(channel, story, claim, story_message(story, matched))

    def _wait(self, record: PostRecord, reason: str) -> None:
        left = ((record.lease_until or self.clock()) - self.clock()).total_seconds()
        if deferrable():
            raise RetryLater(max(1.0, left), reason)
        raise SlackDeliveryError(f"{reason} (lease ends in {max(0, int(left))} s); retry")

    def _post(self, channel: str, story: Story, claim: Claim, message: Message, thread_ts: str | None = None) -> bool:
        """Send our claimed post; True when it was posted now, False when an earlier attempt had posted it."""
        record = claim.record
        args = {**message.post_args(), "metadata": story_metadata(record.key, story.id)}
        if thread_ts:
            args["thread_ts"] = thread_ts
        if claim.recheck_since is not None:
            found = self._find_or_abandon(record, claim.recheck_since, thread_ts)
            if found:
                self.ledger.sent(record, found, [story.id])
                logger.info("story %s was already in %s (message %s); not posted again", story.id, channel, found)
                return False
        lost: SlackDeliveryError | None = None
        for _attempt in range(self.max_attempts):
            try:
                ts = post(self.client, channel, args)
            except SlackRateLimited as exc:
                self.ledger.release(record)  # a 429 posted nothing
                if deferrable():
                    raise RetryLater(exc.retry_after, f"Slack rate-limited the post to {channel}") from exc
                raise
            except SlackAnswerLost as exc:
                lost = exc
                found = self._find_or_abandon(record, record.leased_at or self.clock(), thread_ts)
                if found:
                    self.ledger.sent(record, found, [story.id])
                    return True
                continue  # not posted: try again
            except SlackDeliveryError:
                self.ledger.release(record)  # refused: nothing was posted
                raise
            self.ledger.sent(record, ts, [story.id])
            return True
        self.ledger.abandon(record)
        assert lost is not None
        raise lost

    def _find_or_abandon(self, record: PostRecord, since: datetime, thread_ts: str | None) -> str | None:
        try:
            return find_own_message(self.client, record.channel, record.key, since - HISTORY_SKEW, thread_ts=thread_ts)
        except SlackDeliveryError:
            self.ledger.abandon(record)  # still unknown whether it posted: the next attempt looks again
            raise

    # -- the post grows ----------------------------------------------------------------------------------
    def _grow(self, channel: str, story: Story, record: PostRecord) -> bool:
        if not record.shows or record.ts is None or story.id in record.shows or story.id in record.replies:
            return False  # shown already (or a post from before the ledger kept its message)
        first = self.store.get(record.shows[0])
        if first is not None and story.sort_time - first.sort_time >= self.reply_after:
            return self._reply(channel, story, record)
        for _ in range(20):
            if story.id in record.shows:
                return False
            if story.id not in record.pending:
                amended = self.ledger.amend(record, pending=[*record.pending, story.id])
                record = amended or self._reload(record)
                continue
            due = (record.edited_at or record.posted_at or self.clock()) + self.edit_interval
            wait = (due - self.clock()).total_seconds()
            if wait > 0 and deferrable():
                raise RetryLater(wait, f"coalescing edits of the post of {record.key} in {channel}")
            claim = self.ledger.lease_edit(record)
            if claim.kind == "busy":
                if claim.record.rev != record.rev:
                    record = claim.record
                    continue
                self._wait(claim.record, f"the post of {record.key} in {channel} is being edited by another worker")
            return self._edit(channel, claim.record)
        raise SlackDeliveryError(f"the post of {record.key} in {channel} kept changing; retry")

    def _reload(self, record: PostRecord) -> PostRecord:
        fresh = self.ledger.get(record.channel, record.key)
        if fresh is None:
            raise SlackDeliveryError(f"the post of {record.key} in {record.channel} disappeared from the ledger; retry")
        return fresh

    def _edit(self, channel: str, leased: PostRecord) -> bool:
        target = [*leased.shows, *(p for p in leased.pending if p not in leased.shows)]
        stories = [s for s in (self.store.get(i) for i in target) if s is not None]
        if not stories:
            self.ledger.update(leased)
            return False
        message = grown_message(stories[0], stories[1:])
        try:
            update(
                self.client,
                channel,
                str(leased.ts),
                {**message.post_args(), "metadata": story_metadata(leased.key, stories[0].id)},
            )
        except SlackDeliveryError:
            self.ledger.update(leased)  # drop our edit lease; the pending stories' jobs retry
            raise
        record = leased
        for _ in range(20):  # others may have added to `pending` meanwhile (they keep our lease)
            done = self.ledger.update(
                record, shows=target, pending=[p for p in record.pending if p not in target], edited_at=self.clock()
            )
            if done is not None:
                return True
            record = self._reload(record)
            if record.token != leased.token:
                return True  # our lease was taken over: the taker redoes the (idempotent) edit
        return True

    def _reply(self, channel: str, story: Story, parent: PostRecord) -> bool:
        key = f"{parent.key}#reply#{story.id}"
        claim = self.ledger.claim(channel, key)
        if claim.kind == "sent":
            return False
        if claim.kind == "busy":
            self._wait(claim.record, f"the reply of {story.id} in {channel} is being sent by another worker")
        return self._post(channel, story, claim, story_message(story), thread_ts=parent.ts)


def source_label(story: Story) -> str:
    if story.article.source:
        return story.article.source
    if story.article.url:
        return urlparse(str(story.article.url)).hostname or story.headline
    return story.headline


def grown_message(first: Story, others: list[Story]) -> Message:
    """The first story's post plus one context line, "Also reported by: <link|Source>, ...", escaped
    and cut to fit (the count of the rest is kept)."""
    message = story_message(first)
    if not others:
        return message
    labels: list[str] = []
    used = len("Also reported by: ") + 40
    for story in others[:MAX_SOURCES_SHOWN]:
        label = safe(source_label(story), 80, one_line=True)
        piece = link(str(story.article.url), source_label(story), 80) if story.article.url else label
        if used + len(piece) + 2 > CONTEXT_MAX:
            break
        labels.append(piece)
        used += len(piece) + 2
    rest = len(others) - len(labels)
    line = "Also reported by: " + ", ".join(labels) + (f" and {rest} more" if rest else "")
    message.blocks.append(context([line]))
    return fit(message)


def _api_error(method: str, channel: str, exc: Exception) -> SlackDeliveryError:
    from slack_sdk.errors import SlackApiError

    from headlines.delivery.retry import retry_after

    if not isinstance(exc, SlackApiError):
        return SlackAnswerLost(f"{method} to {channel} failed: {exc}")
    status = exc.response.status_code
    error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
    hint = " (invite the app to the channel, or give it chat:write.public)" if error == "not_in_channel" else ""
    if error == "missing_scope":
        hint = " (add channels:history and groups:history to the app's scopes: infra/slack-manifest.yaml)"
    text = f"{method} to {channel} failed: HTTP {status}, {error or 'no error code'}{hint}"
    if status == 429:
        return SlackRateLimited(text, retry_after(dict(exc.response.headers or {})))
    if status >= 500:
        return SlackAnswerLost(text)
    return SlackDeliveryError(text)


def post(client: WebClient, channel: str, args: dict[str, object]) -> str:
    """`chat.postMessage` with Slack errors translated to `SlackDeliveryError`; returns the message ts.
    `SlackAnswerLost`: Slack may have posted (never retried blindly); `SlackRateLimited`: a 429 not waited out."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    try:
        response = client.chat_postMessage(channel=channel, **args)  # type: ignore[arg-type]
    except (SlackApiError, SlackClientError, OSError) as exc:
        raise _api_error("chat.postMessage", channel, exc) from exc
    return str(response.get("ts", ""))


def update(client: WebClient, channel: str, ts: str, args: dict[str, Any]) -> None:
    """`chat.update` of our message (idempotent: it sets the whole message)."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    args = {k: v for k, v in args.items() if k not in ("unfurl_links", "unfurl_media")}
    try:
        client.chat_update(channel=channel, ts=ts, **args)
    except (SlackApiError, SlackClientError, OSError) as exc:
        raise _api_error("chat.update", channel, exc) from exc


def find_own_message(client: WebClient, channel: str, key: str, since: datetime, *, thread_ts: str | None = None) -> str | None:
    """The ts of our message for `key` posted since `since` (by its metadata), or None. Reads the channel's
    history (`conversations.history`, or the thread's replies), newest first, a few pages at most."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    method = "conversations.replies" if thread_ts else "conversations.history"
    kwargs: dict[str, Any] = {
        "channel": channel,
        "oldest": f"{since.timestamp():.6f}",
        "limit": 200,
        "include_all_metadata": True,
    }
    for _ in range(HISTORY_PAGES):
        try:
            page = client.conversations_replies(ts=thread_ts, **kwargs) if thread_ts else client.conversations_history(**kwargs)
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise _api_error(method, channel, exc) from exc
        for message in page.get("messages") or []:
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == METADATA_EVENT and payload.get("post_key") == key:
                return str(message.get("ts"))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
        kwargs["cursor"] = cursor
    return None
