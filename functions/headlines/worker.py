"""The worker's use case: run one queued `Job` (article processing, or a Slack request's slow part).

Called by the SQS worker Lambda and by the in-process queue of `headlines serve`. Answers go to the
request's `response_url` (slash commands) or to its channel/thread (`chat.postMessage`). A user's bad
input is answered, not raised; a Slack failure is raised, so the queue retries and finally dead-letters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from headlines.jobs import Job
from headlines.models import Article
from headlines.pipeline import Pipeline
from headlines.settings import Settings, get_settings
from headlines.slack import blocks
from headlines.slack.blocks import Message, escape
from headlines.store.base import Store

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from headlines.ask.engine import AnswerEngine

logger = logging.getLogger(__name__)

MIN_SUMMARIZE_WORDS = 20


class JobError(Exception):
    """A job that can never succeed as queued (e.g. a `process_article` job without an article)."""


@dataclass
class Deps:
    """What jobs need, built once per process. `pipeline` is built on first use, so the model loads
    only when a job needs it; `fetch` turns a URL into an Article (None: URL summaries unavailable)."""

    store: Store
    client: WebClient | None
    pipeline_factory: Callable[[], Pipeline]
    settings: Settings = field(default_factory=get_settings)
    fetch: Callable[[str], Article] | None = None
    answer_factory: Callable[[], AnswerEngine | None] | None = None
    _pipeline: Pipeline | None = field(default=None, init=False, repr=False)
    _answers: AnswerEngine | None = field(default=None, init=False, repr=False)
    _answers_built: bool = field(default=False, init=False, repr=False)

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = self.pipeline_factory()
        return self._pipeline

    @property
    def answers(self) -> AnswerEngine | None:
        """The ask engine (hybrid retrieval over the stored vectors: SQLite file or DynamoDB table), built
        on first use; None where the store keeps no vectors (an in-memory SQLite store): keyword lookup then."""
        if not self._answers_built and self.answer_factory is not None:
            self._answers = self.answer_factory()
            self._answers_built = True
        return self._answers

    def slack(self) -> WebClient:
        if self.client is None:
            from headlines.container import SlackConfigError

            raise SlackConfigError("this job answers in Slack but no bot token is set: set SLACK_BOT_TOKEN")
        return self.client


def build_deps(settings: Settings | None = None, *, store: Store | None = None, client: WebClient | None = None) -> Deps:
    """Deps from settings: the configured store, the Slack client when a token is set, the pipeline lazily."""
    from headlines import container

    settings = settings or get_settings()
    store = store or container.build_store(settings)
    if client is None and settings.slack_bot_token is not None:
        client = container.build_slack_client(settings)

    def pipeline() -> Pipeline:
        delivery = container.build_delivery(settings, store=store, client=client)
        return container.build_pipeline(settings, store=store, delivery=delivery)

    def answers() -> AnswerEngine | None:
        embeddings = container.build_embedding_store(settings, store)
        if embeddings is None:
            return None
        return container.build_answer_engine(settings, store=store, embeddings=embeddings)

    fetcher = container.build_fetcher(settings)

    def fetch(url: str) -> Article:  # SSRF-guarded; only ever called by the worker, never on the ack path
        from headlines.fetch import fetch_article

        return fetch_article(url, fetcher)

    return Deps(
        store=store,
        client=client,
        pipeline_factory=pipeline,
        settings=settings,
        fetch=fetch,
        answer_factory=answers,
    )


def run_job(job: Job, deps: Deps) -> Any:
    """Run one job; returns what it produced (a Story, a list of stories, a Digest or None)."""
    logger.info("job %s: %s", job.id, job.kind)
    if job.kind == "process_article":
        if job.article is None:
            raise JobError(f"job {job.id}: process_article needs an article")
        return deps.pipeline.process(job.article)
    if job.kind == "summarize":
        return _summarize(job, deps)
    if job.kind in ("ask", "latest"):
        return _find(job, deps)
    if job.kind == "digest":
        return _digest(job, deps)
    raise JobError(f"job {job.id}: unknown kind {job.kind!r}")


def _summarize(job: Job, deps: Deps) -> Any:
    from headlines.slack.commands import slack_to_plain, url_of

    text = (job.text or "").strip()
    url = url_of(text)
    if url:
        if deps.fetch is None:
            return respond(
                job,
                deps,
                blocks.text_message(
                    "URL fetching is not available in this deployment yet. Paste the article's text instead: "
                    "`/headlines summarize <text>`."
                ),
            )
        try:
            article = deps.fetch(url)
        except Exception as exc:  # the page, not our code, failed: tell the user
            return respond(job, deps, blocks.text_message(f"I could not read {escape(url)}: {escape(str(exc))[:500]}"))
    else:
        if len(text.split()) < MIN_SUMMARIZE_WORDS:
            return respond(
                job,
                deps,
                blocks.text_message(
                    f"Paste a whole article (at least {MIN_SUMMARIZE_WORDS} words) or a link: "
                    "`/headlines summarize <text or url>`."
                ),
            )
        article = Article(body=slack_to_plain(text))
    story = deps.pipeline.analyze(article)
    respond(job, deps, blocks.story_message(story))
    return story


def _find(job: Job, deps: Deps) -> Any:
    from headlines.slack.commands import slack_to_plain
    from headlines.slack.lookup import find_stories

    text = slack_to_plain(job.text or "").strip()
    if job.kind == "ask" and not text:
        return respond(job, deps, blocks.text_message("Ask me about the news, e.g. _what is happening in France?_"))
    if job.kind == "ask" and deps.answers is not None:
        answer = deps.answers.ask(text, top_k=5)
        respond(job, deps, blocks.answer_message(answer))
        deps.answers.save_snapshot_if_due()  # after answering: the user never waits for it
        return answer
    _, stories = find_stories(deps.store, text, limit=5)
    title = (f"Latest: {text}" if text else "Latest stories") if job.kind == "latest" else f"Stories for: {text}"
    empty = f"No stored stories match _{escape(text)}_ yet." if text else "No stories stored yet."
    respond(job, deps, blocks.stories_message(title, stories, empty=empty))
    return stories


def _digest(job: Job, deps: Deps) -> Any:
    from headlines.slack.digest import compose, release

    if not job.channel:
        raise JobError(f"job {job.id}: a digest job needs a channel")
    schedule = deps.store.get_digest(job.channel)
    digest = compose(deps.store, job.channel, schedule=schedule)
    if digest is None:
        if job.response_url:
            respond(job, deps, blocks.text_message("No new stories for this channel since its last digest."))
        return None
    try:
        from headlines.delivery.slack import post

        post(deps.slack(), job.channel, digest.message.post_args())
    except Exception:
        release(deps.store, job.channel, digest.included)  # the next attempt includes them again
        raise
    return digest


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

    from headlines.container import slack_retry_handlers
    from headlines.delivery.slack import SlackDeliveryError

    client = WebhookClient(url, timeout=10, retry_handlers=slack_retry_handlers(settings.slack_max_retries))
    try:
        response = client.send_dict({**message.post_args(), "response_type": "ephemeral", "replace_original": False})
    except OSError as exc:
        raise SlackDeliveryError(f"response_url post failed: {exc}") from exc
    if response.status_code != 200:
        raise SlackDeliveryError(f"response_url post failed: HTTP {response.status_code}, {response.body[:200]}")
