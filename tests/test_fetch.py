"""Fetching by URL: the SSRF guard, redirects, timeouts, the size cap, and main-text extraction."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest

from headlines.fetch import BlockedAddressError, Fetcher, FetchError, extract_article, fetch_article, refusal_reason
from tests.conftest import FIXTURES
from tests.web_local import Route, WebServer, self_signed, serve

PAGE = (FIXTURES / "news-page.html").read_bytes()
LOCAL = ["127.0.0.1/32"]


def only(ip: str):
    """A resolver that answers every host with one address (no DNS in tests)."""
    return lambda host, port: [ip]


@pytest.fixture
def web() -> Iterator[WebServer]:
    routes = {
        "/article": Route(body=PAGE),
        "/moved": Route(status=302, headers={"Location": "/article"}),
        "/to-metadata": Route(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
        "/to-name": Route(status=301, headers={"Location": "http://internal.corp/admin"}),
        "/loop": Route(status=302, headers={"Location": "/loop"}),
        "/big": Route(body=b"x" * 300_000),
        "/big-unsized": Route(body=b"x" * 300_000, send_length=False),
        "/slow": Route(body=b"late", delay=2.0),
        "/pdf": Route(body=b"%PDF-1.4", content_type="application/pdf"),
        "/gone": Route(status=404, body=b"no"),
    }
    with serve(routes) as server:
        yield server


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.8.8",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.10",
        "169.254.169.254",
        "fe80::1",
        "100.64.0.1",
        "100.127.255.254",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.0.0.1",
        "fd00::1",
        "fc12:3456::1",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "240.0.0.1",
        "192.0.2.1",
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a", "gopher://example.com/", "javascript:alert(1)"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        Fetcher().fetch(url)


def test_metadata_literal_and_mapped_addresses_are_refused_before_connecting() -> None:
    with pytest.raises(BlockedAddressError, match="link-local"):
        Fetcher().fetch("http://169.254.169.254/latest/meta-data/iam/")
    with pytest.raises(BlockedAddressError, match="IPv4-mapped loopback"):
        Fetcher().fetch("http://[::ffff:127.0.0.1]:8080/")
    with pytest.raises(BlockedAddressError, match="carrier-grade NAT"):
        Fetcher().fetch("http://100.100.100.200/")


def test_a_name_resolving_to_any_internal_address_is_refused() -> None:
    fetcher = Fetcher(resolver=lambda host, port: ["93.184.216.34", "10.0.0.5"])
    with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.5, a private address"):
        fetcher.fetch("https://news.example/story")


def test_loopback_server_is_refused_by_default(web: WebServer) -> None:
    with pytest.raises(BlockedAddressError, match="loopback"):
        Fetcher().fetch(web.url("/article"))
    assert web.requests == []


def test_connects_to_the_resolved_address_with_the_original_host(web: WebServer) -> None:
    # `news.test` does not exist in DNS: the page can only arrive if the fetcher connected to the checked IP.
    page = Fetcher(resolver=only("127.0.0.1"), allow=LOCAL).fetch(web.url("/article", host="news.test"))
    assert page.status == 200 and page.content == PAGE
    assert web.requests == [("/article", f"news.test:{web.port}")]


def test_redirects_are_followed_and_each_one_is_checked(web: WebServer) -> None:
    fetcher = Fetcher(resolver=only("127.0.0.1"), allow=LOCAL)
    assert fetcher.fetch(web.url("/moved")).url.endswith("/article")
    with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254"):
        fetcher.fetch(web.url("/to-metadata"))
    rebinding = Fetcher(resolver=lambda host, port: ["127.0.0.1"] if host == "127.0.0.1" else ["10.9.9.9"], allow=LOCAL)
    with pytest.raises(BlockedAddressError, match=r"internal\.corp resolves to 10\.9\.9\.9"):
        rebinding.fetch(web.url("/to-name"))
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.fetch(web.url("/loop"))


def test_size_cap_with_and_without_content_length(web: WebServer) -> None:
    fetcher = Fetcher(allow=LOCAL, max_bytes=100_000)
    with pytest.raises(FetchError, match="100000-byte limit"):
        fetcher.fetch(web.url("/big"))
    with pytest.raises(FetchError, match="100000-byte limit"):
        fetcher.fetch(web.url("/big-unsized"))
    assert len(Fetcher(allow=LOCAL, max_bytes=400_000).fetch(web.url("/big-unsized")).content) == 300_000


def test_read_timeout(web: WebServer) -> None:
    with pytest.raises(FetchError, match="cannot fetch"):
        Fetcher(allow=LOCAL, timeout=0.3).fetch(web.url("/slow"))


def test_http_errors_and_non_html_are_clear_errors(web: WebServer) -> None:
    fetcher = Fetcher(allow=LOCAL)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.fetch(web.url("/gone"))
    with pytest.raises(FetchError, match="application/pdf, not an HTML page"):
        fetch_article(web.url("/pdf"), fetcher)


def test_unresolvable_host_is_a_clear_error() -> None:
    with pytest.raises(FetchError, match="cannot resolve"):
        Fetcher().fetch("http://no-such-host.invalid/")


def test_main_text_keeps_the_story_and_drops_menus_trending_and_footer(web: WebServer) -> None:
    article = fetch_article(web.url("/article"), Fetcher(allow=LOCAL))
    assert article.title == "France Eyes Potential Talks with Russia: Macron's Diplomatic Move"
    assert article.body.startswith("France is contemplating initiating diplomatic discussions with Russia")
    assert "Franco-Russian relations" in article.body
    for junk in ("Left Menu", "TRENDING", "Bangladesh Mourns", "OPINION", "Subscribe to our Newsletter", "info@devdiscourse"):
        assert junk not in article.body
    assert article.published is not None and article.published.year == 2025
    assert str(article.url).endswith("/article")


def test_a_page_without_article_text_is_an_error() -> None:
    with pytest.raises(FetchError, match="no article text"):
        extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>")


def test_https_connects_to_the_checked_ip_and_verifies_the_host_name(tmp_path: Path) -> None:
    certfile, keyfile = self_signed(str(tmp_path), "news.test")
    with serve({"/article": Route(body=PAGE)}, tls=(certfile, keyfile)) as web:
        fetcher = Fetcher(resolver=only("127.0.0.1"), allow=LOCAL, ca_certs=certfile)
        page = fetcher.fetch(web.url("/article", host="news.test"))
        assert page.content == PAGE and web.requests == [("/article", f"news.test:{web.port}")]
        # The certificate names news.test: reaching the same IP under another name must fail verification.
        with pytest.raises(FetchError, match="cannot fetch"):
            fetcher.fetch(web.url("/article", host="other.test"))
        with pytest.raises(FetchError, match="cannot fetch"):
            Fetcher(resolver=only("127.0.0.1"), allow=LOCAL).fetch(web.url("/article", host="news.test"))  # untrusted CA


@pytest.mark.parametrize("url", ["http://localhost/", "http://2130706433/", "http://0x7f.0.0.1/", "http://127.1/"])
def test_obfuscated_loopback_names_resolve_and_are_refused(url: str) -> None:
    with pytest.raises(BlockedAddressError, match="loopback"):
        Fetcher().fetch(url)
