"""Slack delivery: each story to every channel whose subscriptions match it (`headlines.routing`), exactly once per channel.

The post record is written (conditionally) *before* sending, so a story processed twice, or by two
workers at once, is posted once; if the send fails the record is removed and the error raised, so
the queue retries the job (and finally dead-letters it) and only the channels that failed get it then.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from headlines.models import Story
from headlines.routing import ChannelMatch, KeywordCache, channel_matches
from headlines.slack.blocks import story_message
from headlines.store.base import Store

if TYPE_CHECKING:
    from slack_sdk import WebClient

logger = logging.getLogger(__name__)


class SlackDeliveryError(Exception):
    """Slack refused or never answered a post; the job is retried. The message names the channel and Slack's error."""


class SlackDelivery:
    """`deliver(story)` posts the story's Block Kit message to each subscribed channel once."""

    def __init__(self, client: WebClient, store: Store) -> None:
        self.client = client
        self.store = store
        self.keywords = KeywordCache()

    def matches(self, story: Story) -> list[ChannelMatch]:
        """The channels that get the story (countries about/mentions, keywords), each with why (`headlines.routing`)."""
        return channel_matches(self.store, story, keywords=self.keywords)

    def channels(self, story: Story) -> list[str]:
        return [m.channel for m in self.matches(story)]

    def deliver(self, story: Story) -> list[str]:
        """Post to every channel not yet holding the story; returns the channels posted to now."""
        posted: list[str] = []
        failures: list[SlackDeliveryError] = []
        for match in self.matches(story):
            channel = match.channel
            if not self.store.record_post(channel, story.id):
                continue  # already posted (or being posted) there
            message = story_message(story, match.explain)
            try:
                post(self.client, channel, message.post_args())
            except SlackDeliveryError as exc:
                self.store.forget_post(channel, story.id)
                logger.error("story %s not posted to %s: %s", story.id, channel, exc)
                failures.append(exc)
                continue
            posted.append(channel)
        if failures:
            # The other channels got their post; a retry posts only where it failed.
            raise failures[0]
        return posted


def post(client: WebClient, channel: str, args: dict[str, object]) -> str:
    """`chat.postMessage` with Slack errors translated to `SlackDeliveryError`; returns the message ts."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    try:
        response = client.chat_postMessage(channel=channel, **args)  # type: ignore[arg-type]
    except SlackApiError as exc:
        status = exc.response.status_code
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        hint = " (invite the app to the channel, or give it chat:write.public)" if error == "not_in_channel" else ""
        raise SlackDeliveryError(
            f"chat.postMessage to {channel} failed: HTTP {status}, {error or 'no error code'}{hint}"
        ) from exc
    except (SlackClientError, OSError) as exc:
        raise SlackDeliveryError(f"chat.postMessage to {channel} failed: {exc}") from exc
    return str(response.get("ts", ""))
