"""Property-based tests (Hypothesis): the edges hold for any input, not only the cases someone thought of.

- JSON Lines: any bytes in, exactly one strict UTF-8 JSON line out per non-blank input line.
- Slack: no unsigned request gets past 401, and none makes the handler raise.
- Block Kit: any story text gives blocks within Slack's limits, escaped, without bidi or control characters.
- URL guard: an address is allowed only if it is public, whatever form (mapped, 6to4, Teredo) it takes.
"""

from __future__ import annotations

import base64
import io
import ipaddress
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from headlines.cli.jsonl import JsonLinesWriter, ParsedLine, run_batch
from headlines.countries.exact import ExactNameTagger
from headlines.fetch import Fetcher, FetchError, refusal_reason
from headlines.pipeline import Pipeline
from headlines.summarize.lead import LeadSummarizer

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# -- JSON Lines ---------------------------------------------------------------------------------------
ANY_CHAR = st.characters(exclude_categories=())  # surrogates and controls included
json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(ANY_CHAR, max_size=20)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(ANY_CHAR, max_size=8), inner, max_size=4),
    max_leaves=12,
)


@st.composite
def article_line(draw: st.DrawFn) -> bytes:
    """An article-shaped object serialized every way a producer might: NaN, lone surrogates, raw or escaped."""
    obj: dict[str, Any] = draw(
        st.dictionaries(
            st.sampled_from(["id", "title", "body", "url", "published", "source", "source_country", "extra"]),
            json_value,
            max_size=6,
        )
    )
    if draw(st.booleans()):
        obj["body"] = draw(st.text(ANY_CHAR, min_size=1, max_size=80))
    text = json.dumps(obj, ensure_ascii=draw(st.booleans()), allow_nan=True)
    return text.encode("utf-8", "surrogatepass").replace(b"\n", b" ")


any_line = st.one_of(
    article_line(),
    st.binary(max_size=120).map(lambda b: b.replace(b"\n", b"")),
    st.text(ANY_CHAR, max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass").replace(b"\n", b"")),
)
PIPELINE = Pipeline(LeadSummarizer(), ExactNameTagger())


def _process(parsed: ParsedLine) -> dict[str, Any]:
    assert parsed.article is not None
    story = PIPELINE.analyze(parsed.article)
    return dict(parsed.raw or {}) | {
        "headline": story.headline,
        "summary": story.summary,
        "countries": [c.model_dump() for c in story.countries],
    }


def _blank(line: bytes, number: int) -> bool:
    if number == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    return not line.strip(b" \t\r\n")


def _reject(name: str) -> Any:
    raise ValueError(name)


@FAST
@given(st.lists(any_line, min_size=1, max_size=6), st.booleans())
def test_any_line_in_gives_exactly_one_strict_json_line_out(lines: list[bytes], final_newline: bool) -> None:
    data = b"\n".join(lines) + (b"\n" if final_newline else b"")
    out = io.BytesIO()
    failed = run_batch(io.BytesIO(data), JsonLinesWriter(out), _process)
    text = out.getvalue().decode("utf-8")  # strict UTF-8: raises on a lone surrogate or a bad byte
    records = [json.loads(line, parse_constant=_reject) for line in text.split("\n")[:-1]] if text else []
    expected = [n for n, line in enumerate(lines, start=1) if not _blank(line, n)]
    assert len(text.splitlines()) == len(records) == len(expected)
    assert all(isinstance(r, dict) for r in records)
    errors = [r for r in records if "error" in r]
    assert failed == len(errors)
    assert [r["line"] for r in errors] == [n for n, r in zip(expected, records, strict=True) if "error" in r]
    assert all(set(r) <= {"line", "id", "error"} for r in errors)


# -- Slack request verification ---------------------------------------------------------------------
@pytest.fixture
def slack_handler(slack: Any, store: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    from headlines.container import build_slack_client
    from headlines.handlers.slack import build_handler
    from headlines.job_queue import InProcessQueue
    from tests.slack_local import use_fake_slack

    s = use_fake_slack(monkeypatch, slack)
    ran: list[Any] = []
    queue = InProcessQueue(ran.append)
    handler = build_handler(s, store=store, client=build_slack_client(s), queue=queue)
    yield handler, ran, slack
    queue.close()


header_value = st.one_of(
    st.text(max_size=30), st.integers(min_value=-(10**20), max_value=10**20).map(str), st.just("v0=" + "0" * 64)
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.text(ANY_CHAR, max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from([b"payload={bad", b"[1,2]", b"{}", b"command=%2Fheadlines&text=help"]),
    ),
    timestamp=st.one_of(st.none(), header_value),
    signature=st.one_of(st.none(), header_value),
    content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]),
    as_base64=st.booleans(),
)
def test_no_unsigned_request_gets_past_401_or_raises(
    slack_handler: Any, body: bytes, timestamp: str | None, signature: str | None, content_type: str, as_base64: bool
) -> None:
    from tests.slack_events import lambda_context

    handler, ran, slack = slack_handler
    headers = {"content-type": content_type}
    if timestamp is not None:
        headers["x-slack-request-timestamp"] = timestamp
    if signature is not None:
        headers["x-slack-signature"] = signature
    event = {
        "version": "2.0",
        "rawPath": "/slack/events",
        "headers": headers,
        "requestContext": {"http": {"method": "POST"}},
        "isBase64Encoded": as_base64,
        "body": base64.b64encode(body).decode() if as_base64 else body.decode("utf-8", "surrogateescape"),
    }
    response = handler.handle(event, lambda_context())
    assert response["statusCode"] == 401
    assert ran == [] and slack.requests == []


@settings(max_examples=100, deadline=None)
@given(body=st.binary(max_size=300), tamper=st.integers(min_value=0, max_value=63))
def test_a_signature_is_valid_only_for_its_own_body(body: bytes, tamper: int) -> None:
    import time

    from slack_sdk.signature import SignatureVerifier

    from headlines.slack.verify import is_signed

    timestamp = str(int(time.time()))
    text = body.decode("utf-8", "replace").encode()
    good = SignatureVerifier("s3cret").generate_signature(timestamp=timestamp, body=text.decode())
    assert good is not None
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": good}
    assert is_signed("s3cret", text, headers)
    digit = "1" if good[3 + tamper] != "1" else "2"
    forged = good[: 3 + tamper] + digit + good[4 + tamper :]
    assert not is_signed("s3cret", text, headers | {"X-Slack-Signature": forged})
    assert not is_signed("other", text, headers)


# -- Block Kit builders -------------------------------------------------------------------------------
_OUR_MARKUP = re.compile(r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>|<https?://[^|<>\s]+\|[^<>]*>")
_FORBIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@FAST
@given(
    headline=st.text(ANY_CHAR, max_size=400),
    summary=st.text(ANY_CHAR, max_size=4000),
    source=st.one_of(st.none(), st.text(ANY_CHAR, max_size=300)),
    url=st.one_of(st.none(), st.text(max_size=60)),
    count=st.integers(min_value=1, max_value=60),
)
def test_any_story_text_gives_valid_escaped_blocks(
    headline: str, summary: str, source: str | None, url: str | None, count: int
) -> None:
    from datetime import UTC, datetime

    from headlines.models import Article, Story
    from headlines.slack import blocks

    safe_url = f"https://news.example/{url}" if url is not None else None
    article = Article.model_construct(
        id="x",
        title=headline,
        body="b",
        source=source,
        url=safe_url,
        published=None,
        source_country=None,
        dateline=None,
        language=None,
    )
    now = datetime(2026, 1, 1, tzinfo=UTC)
    story = Story.model_construct(
        id="x",
        article=article,
        headline=headline,
        summary=summary,
        countries=[],
        content_hash="h",
        created_at=now,
        updated_at=now,
    )
    for message in (
        blocks.story_message(story),
        blocks.stories_message(headline, [story] * count, empty="none"),
        blocks.text_message(blocks.escape(summary)),
    ):
        blocks.check_limits(message)  # raises on any Block Kit limit broken
        assert 1 <= len(message.blocks) <= blocks.MAX_BLOCKS
        for text in [message.text, *_texts(message.blocks)]:
            bare = _OUR_MARKUP.sub("", text)
            assert "<" not in bare and ">" not in bare, text
            assert re.sub(r"&(amp|lt|gt);", "", bare).count("&") == 0, text
            assert not _FORBIDDEN.search(text), ascii(text)


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in ([v] if k == "text" and isinstance(v, str) else _texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


# -- URL guard ----------------------------------------------------------------------------------------
ipv4 = st.integers(min_value=0, max_value=2**32 - 1).map(ipaddress.IPv4Address)
special_v4 = st.sampled_from(
    ["127.0.0.1", "10.0.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "8.8.8.8", "172.16.5.4", "0.0.0.0", "1.1.1.1"]
).map(ipaddress.IPv4Address)
ipv6 = st.one_of(
    st.integers(min_value=0, max_value=2**128 - 1).map(ipaddress.IPv6Address),
    st.one_of(ipv4, special_v4).map(lambda v4: ipaddress.IPv6Address(f"::ffff:{v4}")),
    st.one_of(ipv4, special_v4).map(lambda v4: ipaddress.IPv6Address((0x2002 << 112) | (int(v4) << 80))),
    st.integers(min_value=0, max_value=2**96 - 1).map(lambda low: ipaddress.IPv6Address((0x20010000 << 96) | low)),
    st.integers(min_value=0, max_value=2**118 - 1).map(lambda low: ipaddress.IPv6Address((0xFEC0 << 112) | low)),
)


def _embedded_v4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    if isinstance(ip, ipaddress.IPv4Address):
        return [ip]
    return [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour) if v4 is not None]


@settings(max_examples=300, deadline=None)
@given(st.one_of(ipv4, special_v4, ipv6))
def test_an_allowed_address_is_public_in_every_form(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if refusal_reason(ip) is not None:
        return
    for v4 in _embedded_v4(ip) or [ip]:
        assert v4.is_global and not (v4.is_private or v4.is_loopback or v4.is_link_local or v4.is_multicast), ip
    if isinstance(ip, ipaddress.IPv6Address):
        assert ip.teredo is None and not ip.is_site_local and ip not in ipaddress.ip_network("fc00::/7"), ip


@settings(max_examples=300, deadline=None)
@example(url="http://[::1/", resolved=ipaddress.IPv4Address("8.8.8.8"))
@example(url="http://[zz]/", resolved=ipaddress.IPv4Address("8.8.8.8"))
@example(url="http://a b/", resolved=ipaddress.IPv4Address("8.8.8.8"))
@given(
    url=st.one_of(
        st.text(ANY_CHAR, max_size=60),
        st.builds(
            lambda scheme, host, rest: f"{scheme}://{host}{rest}",
            st.sampled_from(["http", "https", "HTTP", "ftp", "file", "gopher", ""]),
            st.one_of(st.text(max_size=20), ipv4.map(str), ipv6.map(lambda a: f"[{a}]")),
            st.text(max_size=20),
        ),
    ),
    resolved=st.one_of(ipv4, special_v4, ipv6),
)
def test_check_url_refuses_cleanly_or_returns_a_public_address(url: str, resolved: Any) -> None:
    fetcher = Fetcher(resolver=lambda host, port: [str(resolved)])
    try:
        scheme, _host, port, ip = fetcher.check_url(url)
    except FetchError:
        return
    assert scheme in ("http", "https") and 0 < port < 65536
    assert refusal_reason(ipaddress.ip_address(ip)) is None


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "x\x00y.example"])
def test_the_system_resolver_turns_any_failure_into_a_fetch_error(host: str) -> None:
    from headlines.fetch import system_resolver

    with pytest.raises(FetchError, match="cannot resolve"):
        system_resolver(host, 80)
