"""`headlines serve` as a user runs it: a real process, signed HTTP requests, answers at the fake Slack API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fakes.slack_api import FakeSlackAPI
from tests.slack_events import SIGNING_SECRET, command_event


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post(url: str, event: dict[str, str | dict]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=str(event["body"]).encode(), headers=dict(event["headers"]), method="POST")  # type: ignore[arg-type]
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, FakeSlackAPI]]:
    with FakeSlackAPI() as slack:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HEADLINES_"))}
        env |= {
            "PYTHONPATH": str(REPO / "functions"),
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_BASE_URL": slack.base_url,
            "HEADLINES_DB": str(tmp_path / "serve.db"),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "headlines", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}/slack/events", slack
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_serve_answers_signed_commands_and_rejects_unsigned(served: tuple[str, FakeSlackAPI]) -> None:
    url, slack = served
    status, body = post(url, command_event("help"))
    assert status == 200 and "/headlines subscribe" in body
    assert post(url, command_event("help", signature="v0=forged"))[0] == 401
    status, body = post(url, command_event("latest", response_url=slack.response_url("serve")))
    assert status == 200 and "Fetching" in body
    deadline = time.monotonic() + 10
    while not slack.responses("serve") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "No stories stored yet" in str(slack.responses("serve"))


def test_serve_keeps_answering_past_an_idle_connection_and_refuses_huge_bodies(served: tuple[str, FakeSlackAPI]) -> None:
    """One idle half-sent connection must not stall other users; a 50 MiB declared body is refused unread."""
    url, _ = served
    port = int(url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port)) as idle:
        idle.sendall(b'POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"partial')
        started = time.monotonic()
        status, body = post(url, command_event("help"))
        assert status == 200 and "/headlines subscribe" in body
        assert time.monotonic() - started < 3
    with socket.create_connection(("127.0.0.1", port), timeout=5) as big:
        big.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n"
        )
        assert big.recv(100).split(b" ")[1] == b"413"
