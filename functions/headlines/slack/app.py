"""The Bolt app: one factory for the Lambda handler, `headlines serve` (HTTP) and Socket Mode.

The ack path only parses, reads or writes a small store record, and queues: answering `help`,
subscriptions and digest settings straight in the ack, and queuing `ask`, `latest`, `summarize`,
`digest now`, @mentions and DMs as `Job`s whose answers go through `response_url` or
`chat.postMessage`. Nothing here imports the model, fetches a URL or calls a slow service.

    app = create_app(settings, store, client=WebClient(token=..., base_url=...), queue=queue)
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltRequest

from headlines.claims import COMMAND_SCOPE, EVENT_SCOPE, claim, release
from headlines.errors import GENERIC_SLACK, slack_text
from headlines.job_queue import Job, JobQueue
from headlines.settings import Settings, SlackConfigError
from headlines.slack import blocks
from headlines.slack.blocks import escape
from headlines.slack.commands import (
    CommandError,
    describe_schedule,
    describe_subscriptions,
    parse_command,
    parse_digest,
    parse_subscriptions,
)
from headlines.store.base import Store

if TYPE_CHECKING:
    from slack_sdk import WebClient

logger = logging.getLogger(__name__)

COMMAND = "/headlines"
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

UNAVAILABLE = GENERIC_SLACK
QUEUED = {
    "ask": "Looking that up\u2026",
    "latest": "Fetching the latest stories\u2026",
    "summarize": "Summarizing\u2026 the summary will appear here shortly.",
    "digest": "Composing this channel's digest\u2026",
}


def create_app(
    settings: Settings,
    store: Store,
    client: WebClient,
    queue: JobQueue,
    *,
    process_before_response: bool = False,
    socket_mode: bool = False,
) -> App:
    """The Headlines Bolt app over the collaborators its entry point built: the Slack `client` and the `queue`
    slow work goes to (SQS on Lambda, `handlers/slack.py`; an in-process pool for `headlines serve`).

    Lambda passes `process_before_response=True` (the function may freeze once it has answered); Socket Mode
    needs no signing secret.
    """
    if settings.slack_signing_secret is None and not socket_mode:
        raise SlackConfigError("no signing secret: set SLACK_SIGNING_SECRET from the app's Basic Information page")
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None,
        process_before_response=process_before_response,
        request_verification_enabled=not socket_mode,
        # No `auth.test`, at start-up or on the first request: the ack path never waits on Slack (a slow or
        # rate-limited Slack would otherwise hold the first ack of every cold start). The token is used as
        # is; our own messages are told apart by `bot_id` in the listeners, not by Bolt's self-event filter.
        authorize=_static_authorize(client),
        ignoring_self_events_enabled=False,
        logger=logging.getLogger("headlines.slack.bolt"),
    )
    register(app, store, queue)
    return app


def _static_authorize(client: WebClient) -> Any:
    from slack_bolt.authorization import AuthorizeResult

    token = client.token

    def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token)

    return authorize


def register(app: App, store: Store, queue: JobQueue) -> None:
    """Attach the listeners: the `/headlines` command, @mentions and direct messages."""

    @app.command(COMMAND)
    def on_command(ack: Ack, body: dict[str, Any], request: BoltRequest) -> None:
        key = _command_key(request)
        try:
            first = claim(store, COMMAND_SCOPE, key)
        except Exception as exc:  # the store is down or throttled: say so in the ack rather than time out
            ack(text=slack_text(exc, logger), response_type="ephemeral")
            return
        if not first:
            logger.warning("slash command %s already taken in; replay dropped", key[:16])
            ack()
            return
        try:
            reply = _command_reply(body, store, queue)
        except BaseException:
            release(store, COMMAND_SCOPE, key)
            raise
        ack(**reply)

    @app.event("app_mention")
    def on_mention(ack: Ack, body: dict[str, Any], event: dict[str, Any]) -> None:
        ack()
        _queue_question(body, event, store, queue)

    @app.event("message")
    def on_message(ack: Ack, body: dict[str, Any], event: dict[str, Any]) -> None:
        ack()
        # Only people's own messages in a DM with the app: never edits, joins or bots (our own replies included).
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        _queue_question(body, event, store, queue)


def _command_key(request: BoltRequest) -> str:
    """What makes a slash command this one: its signed timestamp and exact body (trigger_id included)."""
    timestamp = (request.headers.get("x-slack-request-timestamp") or [""])[0]
    return hashlib.sha256(f"{timestamp}:{request.raw_body}".encode("utf-8", "surrogatepass")).hexdigest()


def _command_reply(body: dict[str, Any], store: Store, queue: JobQueue) -> dict[str, Any]:
    """What the ack carries: an ephemeral answer now, or a note that the answer is on its way."""
    command = parse_command(body.get("text"))
    channel = body.get("channel_id", "")
    try:
        if command.name == "help":
            message = blocks.help_message(escape(command.note) if command.note else None)
        elif command.name in ("subscribe", "unsubscribe"):
            subs = parse_subscriptions(command.arg, removing=command.name == "unsubscribe")
            change = store.add_subscriptions if command.name == "subscribe" else store.remove_subscriptions
            now = change(channel, subs)
            message = blocks.text_message(f"This channel now gets: {escape(describe_subscriptions(now))}.")
        elif command.name == "subscriptions":
            message = blocks.text_message(
                f"This channel gets: {escape(describe_subscriptions(store.channel_subscriptions(channel)))}."
            )
        elif command.name == "digest":
            message = _digest_reply(command.arg, channel, body, store, queue)
        else:
            if not command.arg and command.name != "latest":
                raise CommandError(f"Add what to {command.name}: `/headlines {command.name} <...>`.")
            queue.enqueue(_job(command.name, command.arg, body))
            message = blocks.text_message(QUEUED[command.name])
    except Exception as exc:  # a bad command is answered; a failed queue or store is said in the ack, not timed out
        message = blocks.text_message(escape(slack_text(exc, logger)))
    return {"text": message.text, "blocks": message.blocks, "response_type": "ephemeral"}


def _digest_reply(arg: str, channel: str, body: dict[str, Any], store: Store, queue: JobQueue) -> blocks.Message:
    request = parse_digest(arg, channel)
    if request.action == "show":
        current = store.get_digest(channel)
        if current is None:
            return blocks.text_message("This channel has no digest. Set one: `/headlines digest daily 08:00 Europe/Paris`.")
        return blocks.text_message(f"This channel's digest: {describe_schedule(current)}.")
    if request.action == "off":
        store.delete_digest(channel)
        return blocks.text_message("Digest turned off for this channel.")
    if request.action == "now":
        queue.enqueue(_job("digest", "", body))
        return blocks.text_message(QUEUED["digest"])
    assert request.schedule is not None
    # last_sent = now: the first digest goes out at the next scheduled time, not straight away.
    store.set_digest(request.schedule.model_copy(update={"last_sent": datetime.now(UTC)}))
    return blocks.text_message(f"Digest set: {describe_schedule(request.schedule)}.")


def _job(kind: str, text: str, body: dict[str, Any]) -> Job:
    return Job(
        kind=kind,  # type: ignore[arg-type]
        text=text[:40_000],
        channel=body.get("channel_id"),
        user=body.get("user_id"),
        response_url=body.get("response_url"),
    )


def _queue_question(body: dict[str, Any], event: dict[str, Any], store: Store, queue: JobQueue) -> None:
    """@mention or DM -> an `ask` job answering in the thread; a retried delivery of the same event is dropped."""
    event_id = body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"
    if not claim(store, EVENT_SCOPE, event_id):
        logger.info("event %s already taken in; Slack retry dropped", event_id)
        return
    question = _MENTION.sub(" ", event.get("text") or "").strip()
    job = Job(
        kind="ask",
        id=event_id,
        text=question[:40_000],
        channel=event.get("channel"),
        user=event.get("user"),
        thread_ts=event.get("thread_ts") or event.get("ts"),
    )
    try:
        queue.enqueue(job)
    except Exception:
        release(store, EVENT_SCOPE, event_id)  # not queued: let Slack's retry try again
        raise
