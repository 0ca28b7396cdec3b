"""Scheduled functions on a local AWS: feed polling (a broken feed waits for the next poll) and due digests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from headlines.aws.events import UnknownEventError
from headlines.feeds import FeedPoller
from headlines.fetch import Fetcher
from headlines.handlers import digest, feeds
from headlines.models import DigestSchedule
from headlines.slack.digest import due
from tests.aws_local import LambdaContext, LocalStack, load_event, receive_jobs
from tests.conftest import FIXTURES
from tests.fakes.encoders import HashingEncoder
from tests.web_local import Route, WebServer, serve

LONG = " ".join(["Japan and South Korea agreed on Tuesday to expand their trade talks in Tokyo."] * 8)


def rss(base: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test wire</title><link>{base}/</link><description>d</description>
<item><title>Trade talks widen</title><link>{base}/full</link><pubDate>Tue, 02 Dec 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;{LONG}&lt;/p&gt;</description></item>
<item><title>France Eyes Potential Talks with Russia</title><link>{base}/article</link>
<pubDate>Sun, 21 Dec 2025 11:09:00 GMT</pubDate><description>Paris is open to talks.</description></item>
</channel></rss>""".encode()


@pytest.fixture
def web() -> Iterator[WebServer]:
    state = {"broken": True}

    def flaky() -> Route:
        if state["broken"]:
            return Route(body=b"<html><body>Maintenance</body></html>")
        return Route(body=rss(web.url("")), content_type="application/rss+xml")

    routes: dict = {"/article": Route(body=(FIXTURES / "news-page.html").read_bytes()), "/flaky.xml": flaky}
    with serve(routes) as web:
        routes["/feed.xml"] = Route(body=rss(web.url("")), content_type="application/rss+xml")
        web.state = state  # type: ignore[attr-defined]
        yield web


def test_poll_queues_entries_and_fetches_teasers(aws: LocalStack, web: WebServer) -> None:
    from headlines.container import build_queue

    report = FeedPoller([web.url("/feed.xml")], build_queue(), fetcher=Fetcher(allow=["127.0.0.1/32"])).poll()
    assert report.queued == 2 and not report.failed_feeds
    jobs = {str(j.article.url).rsplit("/", 1)[-1]: j for j in receive_jobs(aws.queue_url)}  # type: ignore[union-attr]
    full, teaser = jobs["full"].article, jobs["article"].article
    assert full.title == "Trade talks widen" and full.body.startswith("Japan and South Korea")
    assert full.published == datetime(2025, 12, 2, 10, tzinfo=UTC)
    # the teaser's page was fetched and its main text extracted
    assert teaser.body.startswith("France is contemplating") and "TRENDING" not in teaser.body
    assert teaser.title == "France Eyes Potential Talks with Russia"


def test_entries_already_stored_are_not_fetched_or_queued_again(aws: LocalStack, web: WebServer) -> None:
    from headlines.container import build_pipeline, build_queue, build_store

    store = build_store()
    poller = FeedPoller([web.url("/feed.xml")], build_queue(), fetcher=Fetcher(allow=["127.0.0.1/32"]), store=store)
    first = poller.poll()
    assert first.queued == 2 and first.known == 0
    pipeline = build_pipeline(store=store, encoder=HashingEncoder())  # the worker's pipeline, a light encoder
    for job in receive_jobs(aws.queue_url):  # what the worker does with them
        pipeline.process(job.article)  # type: ignore[arg-type]
    fetched_before = len(web.requests)
    second = poller.poll()
    assert second.queued == 0 and second.known == 2
    assert receive_jobs(aws.queue_url) == []
    assert [path for path, _ in web.requests[fetched_before:]] == ["/feed.xml"]  # no page fetched again


def test_a_broken_feed_is_skipped_with_a_warning_and_retried_next_poll(
    aws: LocalStack, web: WebServer, caplog: pytest.LogCaptureFixture
) -> None:
    from headlines.container import build_queue

    urls = [web.url("/flaky.xml"), web.url("/missing.xml"), web.url("/feed.xml")]
    poller = FeedPoller(urls, build_queue(), fetcher=Fetcher(allow=["127.0.0.1/32"]))
    with caplog.at_level(logging.WARNING, logger="headlines.feeds"):
        first = poller.poll()
    assert first.queued == 2  # the good feed still went through
    assert set(first.failed_feeds) == {web.url("/flaky.xml"), web.url("/missing.xml")}
    assert "not a readable RSS/Atom feed" in first.failed_feeds[web.url("/flaky.xml")]
    assert "HTTP 404" in first.failed_feeds[web.url("/missing.xml")]
    assert sum("skipping feed" in r.getMessage() for r in caplog.records) == 2
    receive_jobs(aws.queue_url)
    web.state["broken"] = False  # type: ignore[attr-defined]
    second = poller.poll()
    assert web.url("/flaky.xml") not in second.failed_feeds and second.queued == 4


def test_feeds_handler_reads_its_feed_list_from_settings(
    aws: LocalStack, web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEADLINES_FEEDS", f"{web.url('/feed.xml')}, {web.url('/missing.xml')}")
    monkeypatch.setenv("HEADLINES_FETCH_ALLOW", "127.0.0.1/32")
    from headlines.settings import get_settings

    get_settings.cache_clear()
    result = feeds.handler(load_event("scheduled_event.json"), LambdaContext())
    assert result["queued"] == 2 and list(result["failed_feeds"]) == [web.url("/missing.xml")]
    assert len(receive_jobs(aws.queue_url)) == 2


def test_feeds_handler_guards_against_internal_feed_urls(
    aws: LocalStack, web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEADLINES_FEEDS", web.url("/feed.xml"))
    from headlines.settings import get_settings

    get_settings.cache_clear()
    result = feeds.handler(load_event("scheduled_event.json"), LambdaContext())
    assert result["queued"] == 0 and "loopback" in result["failed_feeds"][web.url("/feed.xml")]
    assert web.requests == []


def test_scheduled_handlers_refuse_other_events(aws: LocalStack) -> None:
    for handler in (feeds.handler, digest.handler):
        with pytest.raises(UnknownEventError, match="handles only schedule"):
            handler(load_event("sqs_batch.json"), LambdaContext())


def test_due_honours_time_zone_weekday_and_last_sent() -> None:
    now = datetime(2025, 12, 22, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Paris
    paris = DigestSchedule(channel="C1", frequency="daily", time="08:30", tz="Europe/Paris")
    assert due(paris, now) == datetime(2025, 12, 22, 7, 30, tzinfo=UTC)
    assert due(paris.model_copy(update={"last_sent": datetime(2025, 12, 22, 7, 31, tzinfo=UTC)}), now) is None
    later = DigestSchedule(channel="C1", frequency="daily", time="10:00", tz="Europe/Paris")
    assert due(later, now) == datetime(2025, 12, 21, 9, 0, tzinfo=UTC)  # yesterday's, never sent
    friday = DigestSchedule(channel="C1", frequency="weekly", weekday=4, time="17:00", tz="UTC")
    assert due(friday, now) == datetime(2025, 12, 19, 17, 0, tzinfo=UTC)


def test_digest_handler_queues_due_digests_once(aws: LocalStack) -> None:
    from headlines.container import build_store

    store = build_store()
    store.set_digest(DigestSchedule(channel="CDUE", frequency="daily", time="00:00", tz="UTC"))
    store.set_digest(DigestSchedule(channel="CSENT", frequency="daily", time="00:00", tz="UTC", last_sent=datetime.now(UTC)))
    assert digest.handler(load_event("scheduled_event.json"), LambdaContext()) == {"queued": ["CDUE"]}
    (job,) = receive_jobs(aws.queue_url)
    assert job.kind == "digest" and job.channel == "CDUE" and job.id.startswith("digest:CDUE:")
    sent = store.get_digest("CDUE")
    assert sent is not None and sent.last_sent is not None
    assert digest.handler(load_event("scheduled_event.json"), LambdaContext()) == {"queued": []}
    assert receive_jobs(aws.queue_url) == []
