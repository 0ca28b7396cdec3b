"""End to end on a local AWS with the real model: S3 object -> ingest -> SQS -> worker -> DynamoDB -> Slack post.

Every piece is real except AWS (a moto server on 127.0.0.1) and Slack (a local HTTP server speaking the
Slack Web API and recording requests). The worker runs the production `runner()`:
`headlines.container.build_worker_deps()` + `run_job(job, deps)`. The summarizer and tagger are the model-backed
ones (`model`, `gazetteer`) whenever the container can build them, else the configured defaults.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from headlines.handlers import ingest, worker
from tests.aws_local import LambdaContext, LocalStack, forget_built_handlers, poll_once, s3_event
from tests.fakes.slack_api import FakeSlackAPI

pytestmark = pytest.mark.model

ARTICLE = {
    "id": "e2e-france-russia",
    "title": "France Eyes Potential Talks with Russia: Macron's Diplomatic Move",
    "url": "https://www.example.com/news/france-russia-talks",
    "source": "Example News",
    "published": "2025-12-21T11:09:00Z",
    "body": (
        "France is contemplating initiating diplomatic discussions with Russia, following an expression of "
        "openness by Russian President Vladimir Putin for talks with French President Emmanuel Macron. This "
        "development was confirmed by the presidential office in Paris on Sunday. Dmitry Peskov, spokesperson "
        "for the Kremlin, stated that Putin is ready to engage in talks if both countries demonstrate a mutual "
        "political will. These remarks were reported by the RIA news agency earlier that day."
    ),
}
CHANNEL = "C0E2ETEST"


def _posts(slack: FakeSlackAPI, channel: str) -> list[Any]:
    """chat.postMessage requests the fake Slack server received for this channel."""
    return list(slack.posts(channel))


@pytest.fixture
def deployed(aws: LocalStack, slack: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalStack]:
    """The worker's environment as template.yaml sets it, Slack pointed at the fake server."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-e2e-test")
    monkeypatch.setenv("SLACK_API_BASE_URL", slack.base_url)
    from headlines.container import build_summarizer, build_tagger, reset_caches

    model_backed = (("HEADLINES_SUMMARIZER", build_summarizer, "model"), ("HEADLINES_TAGGER", build_tagger, "gazetteer"))
    for var, build, name in model_backed:
        try:
            build(name=name)  # the model-backed components, when their issues have landed
            monkeypatch.setenv(var, name)
        except ValueError:
            pass
    reset_caches()
    forget_built_handlers()
    yield aws
    forget_built_handlers()


def _drain(stack: LocalStack) -> list[dict[str, Any]]:
    results = []
    for _ in range(10):
        result = poll_once(stack, worker.handler)
        if result is None:
            return results
        results.append(result)
    raise AssertionError("the work queue never drained")


def test_s3_article_to_story_to_slack_post_exactly_once(deployed: LocalStack, slack: FakeSlackAPI) -> None:
    from headlines.container import build_store

    store = build_store()
    store.subscribe(CHANNEL, ["FR"])
    key = "incoming/e2e/france-russia.json"
    deployed.client("s3").put_object(Bucket=deployed.bucket, Key=key, Body=json.dumps(ARTICLE).encode())

    result = ingest.handler(s3_event(deployed.bucket, key), LambdaContext())
    assert [o["status"] for o in result["outcomes"]] == ["queued"]
    message = deployed.client("sqs").receive_message(QueueUrl=deployed.queue_url)["Messages"][0]
    body = message["Body"]
    deployed.client("sqs").change_message_visibility(
        QueueUrl=deployed.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )

    assert _drain(deployed) == [{"batchItemFailures": []}]
    story = store.get(ARTICLE["id"])
    assert story is not None and story.summary
    assert {"FR", "RU"} <= {c.code for c in story.countries}
    assert [s.id for s in store.latest(country="FR")] == [ARTICLE["id"]]
    assert len(_posts(slack, CHANNEL)) == 1

    # SQS delivers the same message again: nothing new is posted.
    deployed.client("sqs").send_message(QueueUrl=deployed.queue_url, MessageBody=body)
    assert _drain(deployed) == [{"batchItemFailures": []}]
    assert len(_posts(slack, CHANNEL)) == 1


def test_poison_message_reaches_the_dlq_at_once(deployed: LocalStack) -> None:
    sqs = deployed.client("sqs")
    sqs.send_message(QueueUrl=deployed.queue_url, MessageBody='{"kind": "process_article", "article": {"title": "no body"}}')
    results = _drain(deployed)
    assert results == [{"batchItemFailures": []}]  # not an article: no retry can fix it, parked on the first attempt
    dead = sqs.receive_message(QueueUrl=deployed.dlq_url, MessageAttributeNames=["All"])["Messages"]
    assert len(dead) == 1 and "body: Field required" in dead[0]["MessageAttributes"]["reason"]["StringValue"]
