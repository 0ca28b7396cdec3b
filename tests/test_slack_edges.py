"""The Slack edge under attack: unsigned junk is refused before it is parsed, the ack never waits on Slack,
a replayed signed command runs once, and `headlines serve` keeps answering while others stall it."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from headlines.container import build_slack_client
from headlines.job_queue import InProcessQueue, Job
from headlines.settings import Settings
from headlines.store.sqlite import SQLiteStore
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_events import SIGNING_SECRET, command_event, http_event, lambda_context
from tests.slack_local import SlackLambda, use_fake_slack


@pytest.fixture
def settings(slack: FakeSlackAPI, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return use_fake_slack(monkeypatch, slack, HEADLINES_EMBED="false")


@pytest.fixture
def handler(settings: Settings, store: SQLiteStore) -> Iterator[SlackLambda]:
    h = SlackLambda(settings, store)
    yield h
    h.close()


def _raw_event(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    event = http_event("", "application/json", signature="")
    event["headers"] = {"content-type": "application/json"} | headers
    event["body"] = base64.b64encode(body).decode()
    event["isBase64Encoded"] = True
    return event


NOW = str(int(time.time()))
VERIFY = b'{"type": "url_verification", "challenge": "x"}'
UNSIGNED = [
    (b"\x00\xff\xfe\x89PNG\r\n\x1a\n" + bytes(range(256)), {}),
    (b"this is not json", {"x-slack-request-timestamp": NOW, "x-slack-signature": "v0=" + "0" * 64}),
    (b"[1, 2, 3]", {"x-slack-request-timestamp": NOW, "x-slack-signature": "v0=" + "0" * 64}),
    (
        b"payload={bad",
        {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": NOW,
            "x-slack-signature": "v0=" + "0" * 64,
        },
    ),
    (b"payload=%7Bbad", {"content-type": "application/x-www-form-urlencoded"}),
    (VERIFY, {"x-slack-request-timestamp": "soon", "x-slack-signature": "v0=1"}),
    (VERIFY, {"x-slack-request-timestamp": "\u00b9\u00b2", "x-slack-signature": "v0=1"}),
    (b"{}", {"x-slack-request-timestamp": "99999999999999999999999", "x-slack-signature": "v0=1"}),
]


@pytest.mark.parametrize(
    "body,headers",
    UNSIGNED,
    ids=["binary", "not-json", "array", "payload-bad", "payload-bad-unsigned", "ts-word", "ts-superscript-digits", "ts-huge"],
)
def test_unsigned_junk_gets_401_and_never_raises(
    handler: SlackLambda, slack: FakeSlackAPI, body: bytes, headers: dict[str, str]
) -> None:
    response = handler(_raw_event(body, headers))
    assert response["statusCode"] == 401
    handler.queue.drain()
    assert slack.requests == []


def test_a_body_marked_base64_that_is_not_is_401(handler: SlackLambda) -> None:
    event = command_event("help")
    event["body"], event["isBase64Encoded"] = "%%% not base64 %%%", True
    assert handler(event)["statusCode"] == 401


@pytest.mark.parametrize("body", ["[1, 2]", "payload={bad", "\x00binary"], ids=["array", "payload-bad", "binary"])
def test_signed_junk_is_a_client_error_not_a_crash(handler: SlackLambda, body: str) -> None:
    """Only someone holding the signing secret can send these; still a 4xx answer, never an exception."""
    content_type = "application/x-www-form-urlencoded" if body.startswith("payload") else "application/json"
    response = handler(http_event(body, content_type))
    assert 400 <= response["statusCode"] < 500


def test_the_first_request_of_a_cold_start_never_calls_slack(handler: SlackLambda, slack: FakeSlackAPI) -> None:
    """No `auth.test` in the ack path: with Slack rate-limiting every call, the first ack still comes at once."""
    slack.fail_next(429, {"Retry-After": "30"}, times=10)
    started = time.monotonic()
    response = handler(command_event("help"))
    assert response["statusCode"] == 200 and "/headlines ask" in response["body"]
    assert time.monotonic() - started < 2
    assert slack.requests == []


def test_a_replayed_signed_command_runs_once(handler: SlackLambda, slack: FakeSlackAPI) -> None:
    event = command_event("latest", response_url=slack.response_url("r1"))
    first = handler(event)
    assert first["statusCode"] == 200 and "Fetching" in first["body"]
    replay = handler(json.loads(json.dumps(event)))  # the very same signed request, captured and sent again
    assert replay["statusCode"] == 200 and "Fetching" not in replay["body"]
    handler.queue.drain()
    assert len(slack.responses("r1")) == 1
    again = handler(command_event("latest", response_url=slack.response_url("r1")))  # a new command (new timestamp/body)
    assert again["statusCode"] == 200
    handler.queue.drain()


def test_a_replayed_subscribe_changes_nothing_twice(handler: SlackLambda, store: SQLiteStore) -> None:
    event = command_event("subscribe FR")
    assert "now gets" in handler(event)["body"]
    store.unsubscribe("C0NEWS", ["FR"])
    handler(event)
    assert not store.subscriptions("C0NEWS")


# -- headlines serve: the HTTP server -----------------------------------------------------------------
def _post(url: str, event: dict[str, Any], timeout: float = 5) -> tuple[int, str]:
    request = urllib.request.Request(url, data=str(event["body"]).encode(), headers=dict(event["headers"]), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def server(settings: Settings, store: SQLiteStore) -> Iterator[tuple[str, Any]]:
    from headlines.slack.app import create_app
    from headlines.slack.server import SlackHTTPServer

    queue = InProcessQueue(lambda job: None)
    app = create_app(settings, store, build_slack_client(settings), queue)
    srv = SlackHTTPServer(("127.0.0.1", 0), app, signing_secret=SIGNING_SECRET, max_body_bytes=64 * 1024, timeout=1.0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}/slack/events", srv
    finally:
        srv.shutdown()
        srv.server_close()
        queue.close()


def test_serve_is_not_stalled_by_an_idle_half_sent_connection(server: tuple[str, Any]) -> None:
    url, srv = server
    with socket.create_connection(srv.server_address) as idle, socket.create_connection(srv.server_address) as silent:
        idle.sendall(b'POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"partial')
        silent.sendall(b"POST /slack/ev")  # not even the request line
        started = time.monotonic()
        status, body = _post(url, command_event("help"))
        assert status == 200 and "/headlines ask" in body
        assert time.monotonic() - started < 1.0
        # and neither holds its thread for ever: each is dropped after the server's 1 s timeout
        idle.settimeout(5)
        silent.settimeout(5)
        assert idle.recv(100).startswith(b"HTTP/1.1 408")
        assert silent.recv(100) == b""


def test_serve_refuses_an_oversized_body_without_reading_it(server: tuple[str, Any]) -> None:
    _, srv = server
    with socket.create_connection(srv.server_address, timeout=5) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n"
        )
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413") or answer.startswith(b"HTTP/1.0 413")


def test_serve_refuses_unsigned_junk_with_401(server: tuple[str, Any]) -> None:
    url, _ = server
    for body, headers in UNSIGNED:
        request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"} | headers, method="POST")
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=5)
        assert caught.value.code == 401


def test_one_slow_job_does_not_hold_up_the_others() -> None:
    """The local worker runs jobs on a small pool: a job stuck on a slow URL does not delay another user's."""
    release = threading.Event()
    done: list[str] = []

    def run(job: Job) -> None:
        if job.text == "slow":
            release.wait(10)
        done.append(str(job.text))

    queue = InProcessQueue(run, workers=4)
    try:
        queue.enqueue(Job(kind="ask", text="slow"))
        queue.enqueue(Job(kind="ask", text="fast"))
        deadline = time.monotonic() + 5
        while "fast" not in done and time.monotonic() < deadline:
            time.sleep(0.02)
        assert done == ["fast"]
    finally:
        release.set()
        queue.close()
    assert done == ["fast", "slow"]


def test_a_store_that_cannot_record_the_command_is_answered_not_a_500(settings: Settings, tmp_path: Any) -> None:
    """Inject a store failure (DynamoDB throttled) in the replay check: the user is told, nothing is queued."""
    from headlines.handlers.slack import build_handler

    class ThrottledStore(SQLiteStore):
        def record_post(self, channel: str, story_id: str) -> bool:
            raise RuntimeError("ProvisionedThroughputExceededException")

    store = ThrottledStore(tmp_path / "t.db")
    ran: list[Job] = []
    queue = InProcessQueue(ran.append)
    try:
        handler = build_handler(settings, store=store, client=build_slack_client(settings), queue=queue)
        response = handler.handle(command_event("latest"), lambda_context())
        assert response["statusCode"] == 200 and "could not take that request" in response["body"]
        queue.drain()
        assert ran == []
    finally:
        queue.close()
        store.close()
