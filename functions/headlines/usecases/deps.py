"""What the job use cases receive: the collaborators an entry point built, and the error for a hopeless job."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from headlines.errors import BadInputError
from headlines.models import Article
from headlines.pipeline import Pipeline
from headlines.settings import Settings, SlackConfigError, get_settings
from headlines.store.base import Store

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from headlines.ask.engine import AnswerEngine


class JobError(BadInputError):
    """A job that can never succeed as queued (e.g. a `process_article` job without an article)."""


@dataclass
class Deps:
    """What jobs need, built once per process by an entry point (`headlines.container.build_worker_deps`).
    `pipeline` is built on first use, so the model loads only when a job needs it; `fetch` turns a URL into
    an Article (None: URL summaries unavailable)."""

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
            raise SlackConfigError("this job answers in Slack but no bot token is set: set SLACK_BOT_TOKEN")
        return self.client
