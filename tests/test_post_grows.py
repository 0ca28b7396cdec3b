"""Issue 19, the post grows: stories of one event edit the event's post instead of posting again, on the fake Slack.

Exactly-once holds for edits as for posts: jobs are redelivered, run while an edit window is open
(handed back to the queue), and still the channel shows one post whose "Also reported by" names each
later source once. A new development hours later goes as one threaded reply.
"""

from __future__ import annotations

import heapq
import itertools
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from headlines.countries.data import country_tag
from headlines.deferral import RetryLater, job_budget
from headlines.delivery.slack import SlackDelivery, grown_message
from headlines.models import Article, Story
from headlines.slack.blocks import check_limits
from headlines.store.base import Store
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_local import fake_slack_client

CHANNEL = "C0EVENTS"
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SOURCES = ["Reuters", "BBC", "Le Monde", "AP", "Der Spiegel <script>&"]


def event_story(n: int, event: str = "evt-strike", *, hours: float = 0.0, source: str | None = None) -> Story:
    art = Article(
        id=f"{event}-{n}",
        title=f"French rail strike, report {n}",
        source=source or SOURCES[n % len(SOURCES)],
        url=f"https://news{n}.example/strike?x=1&y={n}",
        published=T0 + timedelta(hours=hours, minutes=n),
        body="Rail workers in France went on strike on Monday.",
    )
    return Story(
        id=art.id or "",
        article=art,
        headline=art.title or "",
        summary="Rail workers in France went on strike.",
        countries=[country_tag("FR", 1.0, primary=True)],
        content_hash=art.content_hash,
        event_id=event,
    )


@pytest.fixture
def store(any_store: Store) -> Store:
    """Both stores (conftest's `any_store`), the channel subscribed to France."""
    any_store.subscribe(CHANNEL, ["FR"])
    return any_store


def delivery(slack: FakeSlackAPI, store: Store, interval: float = 0.0) -> SlackDelivery:
    client = fake_slack_client(slack, timeout=30)
    return SlackDelivery(client, store, lease=timedelta(seconds=2), edit_interval=timedelta(seconds=interval))


def context_text(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def run_queue(jobs: list[Story], deliver: SlackDelivery, *, redeliver: bool) -> int:
    """A small SQS: each job runs when due; `RetryLater` puts it back with its delay; with `redeliver`
    every job is also delivered a second time (at least once delivery). Returns how many hand-backs."""
    order = itertools.count()
    queue: list[tuple[float, int, Story]] = []
    for story in jobs:
        heapq.heappush(queue, (time.monotonic(), next(order), story))
        if redeliver:
            heapq.heappush(queue, (time.monotonic(), next(order), story))
    handed_back = 0
    deadline = time.monotonic() + 60
    while queue and time.monotonic() < deadline:
        due, _, story = heapq.heappop(queue)
        time.sleep(max(0.0, due - time.monotonic()))
        try:
            with job_budget(100, deferrable=True):
                deliver.deliver(story)
        except RetryLater as later:
            handed_back += 1
            heapq.heappush(queue, (time.monotonic() + later.delay_seconds, next(order), story))
    assert not queue, "the queue never drained"
    return handed_back


def test_five_sources_of_one_event_make_one_post_that_grows(slack: FakeSlackAPI, store: Store) -> None:
    stories = [event_story(n) for n in range(5)]
    deliver = delivery(slack, store)  # no queue to hand jobs back to (the CLI): every later story edits at once
    for story in stories:
        store.put(story)
        deliver.deliver(story)
    for story in stories:
        deliver.deliver(story)  # every job delivered again
    [post] = slack.messages(CHANNEL)
    text = context_text(post)
    assert "French rail strike, report 0" in text  # the first story is the post
    assert text.count("Also reported by") == 1
    for story in stories[1:]:
        assert text.count(f"https://news{story.article.id[-1]}.example/strike?x=1&amp;y=") == 1  # each source once
    assert "&lt;script&gt;&amp;" in text and "<script>" not in text  # sources are escaped
    record = store.get_post_record(CHANNEL, "evt-strike")
    assert record is not None and record.shows == [s.id for s in stories] and record.pending == []
    assert len(slack.edits(CHANNEL)) == 4
    assert post["metadata"]["event_payload"]["post_key"] == "evt-strike"


def test_edits_are_coalesced_and_exactly_once_with_redelivered_jobs(slack: FakeSlackAPI, store: Store) -> None:
    stories = [event_story(n) for n in range(5)]
    for story in stories:
        store.put(story)
    interval = 2.0  # longer than the first round of jobs takes, even on a loaded machine
    handed_back = run_queue(stories, delivery(slack, store, interval), redeliver=True)
    assert len(slack.messages(CHANNEL)) == 1  # never five posts
    [post] = slack.messages(CHANNEL)
    text = context_text(post)
    for story in stories[1:]:
        assert text.count(f"https://news{story.article.id[-1]}.example/strike") == 1
    edits = [r.at for r in slack.requests if r.method == "chat.update" and r.status == 200]
    assert 1 <= len(edits) < 4 and handed_back > 0  # coalesced: fewer edits than later stories
    post_time = next(r.at for r in slack.requests if r.method == "chat.postMessage")
    gaps = [b - a for a, b in itertools.pairwise([post_time, *edits])]
    assert all(gap >= interval - 0.05 for gap in gaps), gaps  # at most one edit per interval


def test_a_development_hours_later_is_a_threaded_reply_once(slack: FakeSlackAPI, store: Store) -> None:
    first, later = event_story(0), event_story(1, hours=8)
    deliver = delivery(slack, store)
    for story in (first, later, later):
        store.put(story)
        deliver.deliver(story)
    [post] = slack.messages(CHANNEL)
    [reply] = slack.messages(CHANNEL, thread_ts=post["ts"])
    assert "report 1" in context_text(reply) and "Also reported by" not in context_text(post)


def test_two_events_on_one_subject_stay_two_posts(slack: FakeSlackAPI, store: Store) -> None:
    deliver = delivery(slack, store)
    for story in (event_story(0, "evt-a"), event_story(1, "evt-b"), event_story(2, "evt-a")):
        store.put(story)
        deliver.deliver(story)
    assert len(slack.messages(CHANNEL)) == 2


def test_an_edit_answer_lost_is_simply_redone(slack: FakeSlackAPI, store: Store) -> None:
    stories = [event_story(n) for n in range(3)]
    deliver = delivery(slack, store)
    for story in stories:
        store.put(story)
    deliver.deliver(stories[0])
    slack.drop_after_next("chat.update", times=3)  # carried out, answer lost (and the client's retry too)
    with pytest.raises(Exception):  # noqa: B017 - the job fails and is retried by the queue
        deliver.deliver(stories[1])
    deliver.deliver(stories[1])
    deliver.deliver(stories[2])
    [post] = slack.messages(CHANNEL)
    assert context_text(post).count("news1.example") == 1 and context_text(post).count("news2.example") == 1


def test_a_grown_post_stays_within_block_kit_limits_with_many_sources() -> None:
    first = event_story(0)
    others = [event_story(n, source="S" * 300 + "<!channel>") for n in range(1, 200)]
    message = grown_message(first, others)
    check_limits(message)
    line = message.blocks[-1]["elements"][0]["text"]
    assert line.startswith("Also reported by: ") and "more" in line and "<!channel>" not in line
