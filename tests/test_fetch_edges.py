"""Hostile pages and feeds: every way a fetch can go wrong ends as a `FetchError`, within the deadline,
and one bad feed or entry never stops a poll."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from headlines.fetch import BlockedAddressError, Fetcher, FetchError, fetch_article, refusal_reason
from headlines.job_queue import Job
from tests.conftest import FIXTURES
from tests.web_local import Route, WebServer, serve

PAGE = (FIXTURES / "news-page.html").read_bytes()
LOCAL = ["127.0.0.1/32"]


@pytest.fixture
def web() -> Iterator[WebServer]:
    routes = {
        "/article": Route(body=PAGE),
        "/trickle": Route(body=b"x" * 20, trickle=0.5),
        "/truncated": Route(body=PAGE[:500], length=len(PAGE)),
        "/idna": Route(body=PAGE, content_type="text/html; charset=idna"),
        "/bogus-charset": Route(body=PAGE, content_type="text/html; charset=zlib_codec"),
        "/huge-text": Route(body=b"word " * 420_000, content_type="text/plain"),
    }
    with serve(routes) as server:
        yield server


def test_a_byte_trickling_page_cannot_stretch_the_download_deadline(web: WebServer) -> None:
    """One byte every 0.5 s keeps every read inside its timeout; the overall deadline (2 x timeout) still holds."""
    fetcher = Fetcher(allow=LOCAL, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match="longer than"):
        fetcher.fetch(web.url("/trickle"))
    assert time.monotonic() - started < 3.5


def test_a_truncated_body_is_a_fetch_error(web: WebServer) -> None:
    with pytest.raises(FetchError, match="cannot read"):
        Fetcher(allow=LOCAL).fetch(web.url("/truncated"))


@pytest.mark.parametrize("path", ["/idna", "/bogus-charset"])
def test_a_lying_charset_falls_back_to_utf8(web: WebServer, path: str) -> None:
    article = fetch_article(web.url(path), Fetcher(allow=LOCAL))
    assert "France" in article.body


def test_an_oversized_text_page_is_a_fetch_error_not_a_validation_error(web: WebServer) -> None:
    with pytest.raises(FetchError, match="not a usable article: body"):
        fetch_article(web.url("/huge-text"), Fetcher(allow=LOCAL))


@pytest.mark.parametrize(
    "address",
    [
        "2002:c0a8:0101::1",  # 6to4 wrapping 192.168.1.1
        "2002:7f00:0001::1",  # 6to4 wrapping 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 wrapping 169.254.169.254
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "2001::1",  # Teredo prefix
        "fec0::1",  # site-local (deprecated, still routed inside some networks)
        "feff:ffff::1",
    ],
)
def test_tunnel_and_site_local_ipv6_are_refused(address: str) -> None:
    import ipaddress

    assert refusal_reason(ipaddress.ip_address(address)) is not None
    with pytest.raises(BlockedAddressError):
        Fetcher(resolver=lambda host, port: [address]).check_url("http://news.example/")


def test_6to4_of_a_public_address_is_still_allowed() -> None:
    import ipaddress

    assert refusal_reason(ipaddress.ip_address("2002:0808:0808::1")) is None


class ListQueue:
    """A real in-memory JobQueue: keeps what was queued."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def enqueue(self, job: Job) -> None:
        self.jobs.append(job)


def _rss(base: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{base}{link}</link><description>teaser</description></item>"
        for i, link in enumerate(links)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_one_bad_teaser_entry_does_not_stop_the_poll() -> None:
    from headlines.feeds import FeedPoller

    routes: dict = {
        "/article": Route(body=PAGE),
        "/truncated": Route(body=PAGE[:500], length=len(PAGE)),
        "/huge-text": Route(body=b"word " * 420_000, content_type="text/plain"),
        "/idna": Route(body=PAGE, content_type="text/html; charset=idna"),
    }
    with serve(routes) as web:
        routes["/feed.xml"] = Route(
            body=_rss(web.url(""), ["/truncated", "/huge-text", "/article"]), content_type="application/rss+xml"
        )
        queue = ListQueue()
        report = FeedPoller([web.url("/feed.xml")], queue, fetcher=Fetcher(allow=LOCAL)).poll()
    assert report.queued == 1 and len(queue.jobs) == 1
    assert set(report.failed_entries) == {web.url("/truncated"), web.url("/huge-text")}


def test_an_unexpected_error_in_one_feed_or_entry_is_isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inject a failure no one foresaw (a parser bug): it is reported for that feed/entry, the rest goes on."""
    from headlines import feeds
    from headlines.feeds import FeedPoller

    routes: dict = {"/article": Route(body=PAGE), "/other": Route(body=PAGE)}
    with serve(routes) as web:
        routes["/a.xml"] = Route(body=_rss(web.url(""), ["/article", "/other"]), content_type="application/rss+xml")
        routes["/b.xml"] = Route(body=_rss(web.url(""), ["/other"]), content_type="application/rss+xml")
        real = feeds.fetch_article

        def flaky(url: str, fetcher: Fetcher | None = None, **kw: object) -> object:
            if url.endswith("/article"):
                raise RuntimeError("parser bug")
            return real(url, fetcher, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(feeds, "fetch_article", flaky)
        original_entries = FeedPoller._entries

        def entries(self: FeedPoller, url: str) -> list:
            if url.endswith("/b.xml"):
                raise KeyError("feedparser bug")
            return original_entries(self, url)

        monkeypatch.setattr(FeedPoller, "_entries", entries)
        queue = ListQueue()
        report = FeedPoller([web.url("/b.xml"), web.url("/a.xml")], queue, fetcher=Fetcher(allow=LOCAL)).poll()
    assert report.queued == 1
    assert "feedparser bug" in report.failed_feeds[web.url("/b.xml")]
    assert "parser bug" in report.failed_entries[web.url("/article")]


@pytest.mark.parametrize("path", ["/truncated", "/huge-text", "/trickle"])
def test_the_webhook_answers_400_when_the_url_cannot_be_read(web: WebServer, path: str) -> None:
    import json

    from headlines.aws.webhook import SECRET_HEADER, WebhookIngest

    queue = ListQueue()
    webhook = WebhookIngest(queue, secret=lambda: "s3cret", fetcher=Fetcher(allow=LOCAL, timeout=1.0))
    event = {"headers": {SECRET_HEADER: "s3cret"}, "body": json.dumps({"url": web.url(path)}), "isBase64Encoded": False}
    answer = webhook.handle(event)
    assert answer["statusCode"] == 400 and "cannot fetch the article" in answer["body"]
    assert queue.jobs == []


def test_the_webhook_answers_400_to_json_nested_too_deep() -> None:
    from headlines.aws.webhook import SECRET_HEADER, WebhookIngest

    webhook = WebhookIngest(ListQueue(), secret=lambda: "s3cret")
    event = {"headers": {SECRET_HEADER: "s3cret"}, "body": "[" * 100_000 + "]" * 100_000, "isBase64Encoded": False}
    assert webhook.handle(event)["statusCode"] == 400
