"""Fetch an article by URL safely, and pull its main text out of the page.

`fetch_article` serves the feeds poller (each entry's link), the `POST /articles` webhook (a URL to fetch) and
`/headlines summarize <url>` (in the worker, never on the Slack ack path); `extract_article` alone also reads an
HTML page dropped into the S3 bucket. The URL comes from outside, so the fetcher is an SSRF guard first: http/https
only, no credentials in the URL, the host resolved once and every address checked (loopback, private, link-local
such as 169.254.169.254, CGNAT 100.64/10, unique-local, multicast, reserved and any other non-global range; IPv4
carried in IPv6 judged by the IPv4 address; Teredo and site-local always refused), the connection made to the
checked IP (no second DNS lookup to rebind), and each of at most 5 redirects checked the same way. Networks in
`HEADLINES_FETCH_ALLOW` are exempt (an internal feed server). A connect and read timeout, an overall deadline that
a trickling server cannot stretch, and a size cap bound what one page can cost.
"""

from __future__ import annotations

import codecs
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import ValidationError

from headlines.errors import BadInputError, UpstreamPermanentError
from headlines.models import MAX_TITLE_CHARS, Article, describe_validation_error

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0
MAX_REDIRECTS = 5
MIN_ARTICLE_WORDS = 20
"""Main text shorter than this is a menu or a login page, not an article."""
USER_AGENT = "Headlines/0.1 (+https://github.com/headlines; news summarizer)"
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(UpstreamPermanentError):
    """The URL could not be fetched or read as an article; the message says why and what to try."""


class BlockedAddressError(FetchError, BadInputError):
    """The URL points at an address Headlines refuses to contact (internal, metadata, ...)."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host resolves to, once (the caller connects to one of these, not to the name)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:  # gaierror; an over-long label; an embedded NUL
        raise FetchError(f"cannot resolve {host!r}: {exc}; check the URL") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_TEREDO = ipaddress.ip_network("2001::/32")


def refusal_reason(ip: IPAddress) -> str | None:
    """Why this address is refused, or None when it is a public unicast address.

    Tunnel forms that carry an IPv4 address inside an IPv6 one (IPv4-mapped, 6to4 `2002::/16`) are judged
    by the address they carry; Teredo (`2001::/32`, the relay decides where it goes) and the old site-local
    `fec0::/10` (still routed inside some networks) are always refused.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            inner = refusal_reason(ip.ipv4_mapped)
            return f"IPv4-mapped {inner}" if inner else None
        if ip in _TEREDO:
            return "Teredo tunnel"
        if ip.sixtofour is not None:
            inner = refusal_reason(ip.sixtofour)
            return f"6to4 {inner}" if inner else None
        if ip in _SITE_LOCAL:
            return "site-local"
    checks = [
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local (cloud metadata)"),
        (ip.version == 4 and ip in ipaddress.ip_network("100.64.0.0/10"), "carrier-grade NAT"),
        (ip.version == 6 and ip in ipaddress.ip_network("fc00::/7"), "unique-local"),
        (ip.is_private, "private"),
        (ip.is_multicast, "multicast"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_reserved, "reserved"),
        (not ip.is_global, "non-global"),
    ]
    return next((reason for hit, reason in checks if hit), None)


@dataclass(frozen=True)
class Page:
    """What a fetch returned: the final URL after redirects, the content type and the raw bytes."""

    url: str
    status: int
    content_type: str
    content: bytes

    @property
    def text(self) -> str:
        """The body decoded with the declared charset; a charset that is unknown, not a text encoding or
        that cannot decode (`idna`) falls back to UTF-8, undecodable bytes replaced."""
        charset = "utf-8"
        for part in self.content_type.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip().strip('"').strip()
        try:
            if codecs.lookup(charset)._is_text_encoding:
                return self.content.decode(charset, errors="replace")
        except (LookupError, UnicodeError, ValueError, TypeError):
            pass
        return self.content.decode("utf-8", errors="replace")


class Fetcher:
    """GETs public http/https URLs with the SSRF guard, timeouts and a size cap.

    `allow` lists networks exempt from the guard (tests serving pages from 127.0.0.1); `resolver`
    replaces DNS (tests); `ca_certs` a CA bundle (default: certifi's). Example: `Fetcher().fetch("https://example.com/news/1").text`.
    """

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        resolver: Resolver | None = None,
        allow: Iterable[str | IPNetwork] = (),
        user_agent: str = USER_AGENT,
        ca_certs: str | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.resolver = resolver or system_resolver
        self.allow = [ipaddress.ip_network(n) for n in allow]
        self.user_agent = user_agent
        self.ca_certs = ca_certs

    def check_url(self, url: str) -> tuple[str, str, int, str]:
        """(scheme, host, port, ip to connect to) for an acceptable URL; raises FetchError otherwise."""
        try:
            parts = urlsplit(url)
            hostname = parts.hostname
        except ValueError as exc:  # "Invalid IPv6 URL", a bracketed host that is no address
            raise FetchError(f"refusing {url!r}: {exc}") from exc
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"refusing {url!r}: only http and https URLs can be fetched")
        if not hostname:
            raise FetchError(f"refusing {url!r}: the URL has no host")
        if not hostname.isprintable() or any(c.isspace() for c in hostname):
            raise FetchError(f"refusing {url!r}: the host name holds spaces or control characters")
        if parts.username or parts.password:
            raise FetchError(f"refusing {url!r}: URLs with credentials are not fetched")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError(f"refusing {url!r}: bad port") from exc
        host = hostname
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        addresses = [str(literal)] if literal else list(self.resolver(host, port))
        if not addresses:
            raise FetchError(f"cannot resolve {host!r}; check the URL")
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if any(ip in net for net in self.allow):
                continue
            reason = refusal_reason(ip)
            if reason:
                raise BlockedAddressError(f"refusing {url!r}: {host} resolves to {ip}, a {reason} address")
        # IPv4 first: Lambda functions outside a dual-stack VPC have no IPv6 route.
        addresses.sort(key=lambda a: ":" in a)
        return scheme, host, port, addresses[0]

    def fetch(self, url: str) -> Page:
        """GET the URL, following up to 5 redirects, each one checked again before it is followed; the whole fetch
        has twice `timeout` to finish, and HTTP 4xx/5xx, an oversize or too slow body are `FetchError`s."""
        import urllib3

        deadline = time.monotonic() + self.timeout * 2
        for _ in range(MAX_REDIRECTS + 1):
            scheme, host, port, ip = self.check_url(url)
            pool, response = self._get(urllib3, scheme, host, port, ip, url)
            try:
                if response.status in _REDIRECTS and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                content = self._read_capped(response, url, deadline)
            finally:
                response.release_conn()
                pool.close()
            if response.status >= 400:
                raise FetchError(f"{url} answered HTTP {response.status}")
            return Page(url, response.status, response.headers.get("Content-Type", ""), content)
        raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _get(self, urllib3: Any, scheme: str, host: str, port: int, ip: str, url: str) -> tuple[Any, Any]:
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = 443 if scheme == "https" else 80
        headers = {
            "Host": host if port == default_port else f"{host}:{port}",
            "User-Agent": self.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.5",
        }
        timeout = urllib3.Timeout(connect=min(5.0, self.timeout), read=self.timeout)
        if scheme == "https":
            # Connect to the checked IP; SNI and certificate checks still use the host name.
            pool = urllib3.HTTPSConnectionPool(
                ip,
                port,
                server_hostname=host,
                assert_hostname=host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self.ca_certs or _default_ca_bundle(),
                timeout=timeout,
                retries=False,
                maxsize=1,
            )
        else:
            pool = urllib3.HTTPConnectionPool(ip, port, timeout=timeout, retries=False, maxsize=1)
        try:
            return pool, pool.urlopen("GET", path, headers=headers, redirect=False, preload_content=False, retries=False)
        except urllib3.exceptions.HTTPError as exc:
            pool.close()
            raise FetchError(f"cannot fetch {url}: {exc}") from exc

    def _read_capped(self, response: Any, url: str, deadline: float) -> bytes:
        """The body, at most `max_bytes`, by `deadline`: every read waits at most until the deadline, so a
        server that trickles one byte at a time cannot stretch the download past it."""
        import urllib3

        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url} is {int(declared)} bytes, over the {self.max_bytes}-byte limit")
        chunks: list[bytes] = []
        size = 0
        too_slow = FetchError(f"{url} took longer than {self.timeout * 2:.0f} s to download")
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise too_slow
                sock = getattr(getattr(response, "connection", None), "sock", None)
                if sock is not None:
                    sock.settimeout(min(self.timeout, remaining))
                chunk = response.read1(64 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url} is over the {self.max_bytes}-byte limit")
                chunks.append(chunk)
        except (OSError, urllib3.exceptions.HTTPError, ValueError) as exc:
            if time.monotonic() >= deadline:
                raise too_slow from exc
            raise FetchError(f"cannot read {url}: {exc}") from exc
        return b"".join(chunks)


def _default_ca_bundle() -> str | None:
    try:
        import certifi
    except ImportError:  # fall back to the system store
        return None
    return str(certifi.where())


def extract_article(html: str, *, url: str | None = None, source: str | None = None) -> Article:
    """The page's main text (menus, 'trending' lists and footers dropped) and metadata, as an Article."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.split()) < MIN_ARTICLE_WORDS:
        raise FetchError(
            f"no article text found in {url or 'the page'} (under {MIN_ARTICLE_WORDS} words of main text); is it an article page?"
        )
    title = (getattr(doc, "title", None) or None) if doc is not None else None
    published = _parse_date(getattr(doc, "date", None))
    return Article(
        url=url,
        title=title[:MAX_TITLE_CHARS] if title else None,
        body=text,
        source=source or (getattr(doc, "sitename", None) or None),
        published=published,
        language=(getattr(doc, "language", None) or None),
    )


def fetch_article(url: str, fetcher: Fetcher | None = None, *, source: str | None = None) -> Article:
    """Fetch a page and extract its article: HTML through trafilatura (`extract_article`), text/plain as the body
    itself; any other content type (JSON, PDF, images) and a page that makes no valid Article are `FetchError`s."""
    fetcher = fetcher or Fetcher()
    page = fetcher.fetch(url)
    kind = page.content_type.split(";")[0].strip().lower()
    if kind and kind not in ("text/html", "application/xhtml+xml", "text/plain", ""):
        raise FetchError(f"{page.url} is {kind}, not an HTML page")
    try:
        if kind == "text/plain":
            return Article(url=page.url, body=page.text, source=source)
        return extract_article(page.text, url=page.url, source=source)
    except ValidationError as exc:
        raise FetchError(f"{page.url} is not a usable article: {describe_validation_error(exc)}") from exc


def _parse_date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
