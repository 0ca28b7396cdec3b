"""`/headlines summarize <text or url>`: a summary answered to the user; nothing is stored or posted.

A URL is fetched here (SSRF-guarded, `Deps.fetch`), never on the ack path. A page that cannot be read is
answered with the reason (`headlines.errors.slack_text`: ours is shown, anything unexpected is logged)."""

from __future__ import annotations

import logging
from typing import Any

from headlines.errors import slack_text
from headlines.job_queue import Job
from headlines.models import Article
from headlines.slack import blocks
from headlines.slack.blocks import escape
from headlines.usecases.deps import Deps
from headlines.usecases.respond import respond

logger = logging.getLogger(__name__)

MIN_SUMMARIZE_WORDS = 20


def run(job: Job, deps: Deps) -> Any:
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
        except Exception as exc:  # the page's reason is shown (FetchError); anything else is logged, not shown
            reason = escape(slack_text(exc, logger))[:500]
            return respond(job, deps, blocks.text_message(f"I could not read {escape(url)}: {reason}"))
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
