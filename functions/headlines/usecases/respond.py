"""How an answer reaches Slack: the slash command's `response_url` (only the user sees it), else the channel
or thread (`chat.postMessage`). A Slack failure is raised, so the queue retries and finally dead-letters."""

from __future__ import annotations

from headlines.job_queue import Job
from headlines.settings import Settings
from headlines.slack.blocks import Message
from headlines.usecases.deps import Deps, JobError


def respond(job: Job, deps: Deps, message: Message) -> None:
    """To the slash command's `response_url` (only the user sees it), else in the channel or thread."""
    if job.response_url:
        send_response(job.response_url, message, deps.settings)
        return
    if not job.channel:
        raise JobError(f"job {job.id}: nowhere to answer (no response_url, no channel)")
    from headlines.delivery.slack import post

    args = message.post_args()
    if job.thread_ts:
        args["thread_ts"] = job.thread_ts
    post(deps.slack(), job.channel, args)


def send_response(url: str, message: Message, settings: Settings) -> None:
    from slack_sdk.webhook import WebhookClient

    from headlines.delivery.retry import retry_handlers
    from headlines.delivery.slack import SlackDeliveryError

    client = WebhookClient(url, timeout=10, retry_handlers=retry_handlers(settings.slack_max_retries))
    try:
        response = client.send_dict({**message.post_args(), "response_type": "ephemeral", "replace_original": False})
    except OSError as exc:
        raise SlackDeliveryError(f"response_url post failed: {exc}") from exc
    if response.status_code != 200:
        raise SlackDeliveryError(f"response_url post failed: HTTP {response.status_code}, {response.body[:200]}")
