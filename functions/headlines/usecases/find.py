"""`ask` and `latest`: a question answered by the answer engine (keyword lookup where the store keeps no
vectors), or the latest stored stories matching a few words."""

from __future__ import annotations

from typing import Any

from headlines.job_queue import Job
from headlines.slack import blocks
from headlines.slack.blocks import escape
from headlines.usecases.deps import Deps
from headlines.usecases.respond import respond


def run(job: Job, deps: Deps) -> Any:
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
