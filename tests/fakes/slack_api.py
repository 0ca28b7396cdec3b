"""A local Slack Web API: a real HTTP server on 127.0.0.1 that answers like Slack and records every call.

Point a real `WebClient(base_url=fake.base_url)` (or `SLACK_API_BASE_URL`) at it; `response_url`s made
with `fake.response_url(...)` are recorded too. `fail_next(429, {"Retry-After": "1"})` or
`fail_next(500, times=3)` make the next calls fail as Slack would. Like Slack, `chat.postMessage`
rejects a missing token, a missing channel or text, and blocks over the Block Kit limits.

Posted messages are kept per channel with their `metadata`, `chat.update` edits them, and
`conversations.history` / `conversations.replies` read them back (metadata only with
`include_all_metadata`), so `messages(channel)` is what a channel shows. `drop_after_next("chat.postMessage")`
carries out the next such call and then closes the connection without answering: Slack's answer is lost.

    with FakeSlackAPI() as slack:
        WebClient(token="xoxb-test", base_url=slack.base_url).chat_postMessage(channel="C1", text="hi")
        assert slack.posts("C1")[0]["text"] == "hi"
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER_ID = "UHEADLINES"
BOT_ID = "BHEADLINES"
TEAM_ID = "T0TEST"


@dataclass
class RecordedRequest:
    """One call the fake received: `path` is e.g. `/api/chat.postMessage` or `/response/abc`."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(repr=False)
    status: int = 200
    at: float = field(default_factory=time.time, repr=False)

    @property
    def method(self) -> str:
        """The Web API method (`chat.postMessage`), or `response_url` for response URL posts."""
        return self.path.removeprefix("/api/") if self.path.startswith("/api/") else "response_url"


@dataclass
class _Failure:
    status: int
    headers: dict[str, str]
    remaining: int


def _block_error(blocks: Any) -> str | None:
    """Slack's own checks: `invalid_blocks` for these, which Headlines must never trigger."""
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError:
            return "invalid_blocks_format"
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        text = (block.get("text") or {}).get("text", "") if isinstance(block, dict) else ""
        if block.get("type") == "header" and not 0 < len(text) <= 150:
            return "invalid_blocks"
        if block.get("type") == "section" and not 0 < len(text) <= 3000:
            return "invalid_blocks"
    return None


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlackAPI:
    """The fake server; start with `with FakeSlackAPI() as slack:` (or `start()` / `stop()`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._failures: list[_Failure] = []
        self._drops: dict[str, int] = {}
        self._last_ts = 0.0
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> FakeSlackAPI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-slack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlackAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def base_url(self) -> str:
        """For `WebClient(base_url=...)` and `SLACK_API_BASE_URL`."""
        return self.root + "api/"

    def response_url(self, key: str = "1") -> str:
        """A `response_url` on this server, as Slack puts in slash-command payloads."""
        return f"{self.root}response/{key}"

    # -- inspection and failure injection -------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def calls(self, method: str) -> list[RecordedRequest]:
        """Successful (HTTP 200) calls of one method, e.g. `chat.postMessage` or `response_url`."""
        return [r for r in self.requests if r.method == method and r.status == 200]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Bodies of the `chat.postMessage` calls Slack accepted, optionally for one channel."""
        return [r.body for r in self.calls("chat.postMessage") if channel is None or r.body.get("channel") == channel]

    def responses(self, key: str | None = None) -> list[dict[str, Any]]:
        return [r.body for r in self.calls("response_url") if key is None or r.path == f"/response/{key}"]

    def fail_next(self, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        """Answer the next `times` calls with `status` (e.g. 429 with `{"Retry-After": "1"}`, or 500)."""
        with self._lock:
            self._failures.append(_Failure(status, dict(headers or {}), times))

    def drop_after_next(self, method: str = "chat.postMessage", times: int = 1) -> None:
        """Carry out the next `times` calls of `method`, then close the connection without an answer."""
        with self._lock:
            self._drops[method] = self._drops.get(method, 0) + times

    def messages(self, channel: str, *, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """What the channel shows now, oldest first: top-level messages, or one thread's replies."""
        with self._lock:
            stored = [dict(m) for m in self._messages.get(channel, [])]
        if thread_ts is None:
            return [m for m in stored if not m.get("thread_ts")]
        return [m for m in stored if m.get("thread_ts") == thread_ts]

    def edits(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Bodies of the `chat.update` calls Slack accepted."""
        return [r.body for r in self.calls("chat.update") if channel is None or r.body.get("channel") == channel]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._failures.clear()
            self._drops.clear()
            self._messages.clear()

    # -- the protocol ---------------------------------------------------------------------------------
    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length).decode("utf-8") if length else ""
        body = self._parse(raw, http.headers.get("Content-Type", ""))
        path, _, query = http.path.partition("?")
        if query:
            body = {**dict(parse_qsl(urlsplit(http.path).query, keep_blank_values=True)), **body}
        with self._lock:
            failure = self._failures[0] if self._failures else None
            if failure is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.pop(0)
            status = failure.status if failure else 200
            self._requests.append(RecordedRequest(path, body, dict(http.headers.items()), status))
        if failure is not None:
            self._reply(
                http,
                failure.status,
                {"ok": False, "error": "ratelimited" if failure.status == 429 else "fatal_error"},
                failure.headers,
            )
            return
        if path.startswith("/response/"):
            error = _block_error(body["blocks"]) if "blocks" in body else None
            if error:  # response_url answers 400 with the error as text
                self._reply(http, 400, None, text=error)
            else:
                self._reply(http, 200, None)
            return
        if not path.startswith("/api/"):
            self._reply(http, 404, {"ok": False, "error": "unknown_method"})
            return
        token = (http.headers.get("Authorization") or "").removeprefix("Bearer ").strip() or body.get("token")
        if not token:
            self._reply(http, 200, {"ok": False, "error": "not_authed"})
            return
        method = path.removeprefix("/api/")
        answer = self._answer(method, body)
        with self._lock:
            drop = self._drops.get(method, 0) > 0 and answer.get("ok")
            if drop:
                self._drops[method] -= 1
        if drop:  # done, but the answer never arrives
            http.close_connection = True
            return
        self._reply(http, 200, answer)

    @staticmethod
    def _parse(raw: str, content_type: str) -> dict[str, Any]:
        if not raw:
            return {}
        if "json" in content_type:
            try:
                parsed = json.loads(raw)
            except ValueError:
                return {"_raw": raw}
            return parsed if isinstance(parsed, dict) else {"_raw": parsed}
        return dict(parse_qsl(raw, keep_blank_values=True))

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "headlines",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.postEphemeral"):
            channel = body.get("channel")
            if not channel:
                return {"ok": False, "error": "channel_not_found"}
            if not body.get("text") and not body.get("blocks"):
                return {"ok": False, "error": "no_text"}
            if "blocks" in body and (error := _block_error(body["blocks"])):
                return {"ok": False, "error": error}
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": self._next_ts()}
            ts = self._next_ts()
            message = {
                "type": "message",
                "ts": ts,
                "text": body.get("text", ""),
                "blocks": _json(body.get("blocks")),
                "bot_id": BOT_ID,
                "user": BOT_USER_ID,
                "metadata": _json(body.get("metadata")),
                "thread_ts": body.get("thread_ts"),
            }
            with self._lock:
                self._messages.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": body.get("text", ""), "ts": ts}}
        if method == "chat.update":
            channel, ts = body.get("channel"), body.get("ts")
            if "blocks" in body and (error := _block_error(body["blocks"])):
                return {"ok": False, "error": error}
            with self._lock:
                for message in self._messages.get(str(channel), []):
                    if message["ts"] == ts:
                        message.update(
                            text=body.get("text", message["text"]),
                            blocks=_json(body.get("blocks")),
                            edited={"user": BOT_USER_ID, "ts": self._next_ts_locked()},
                        )
                        if body.get("metadata"):
                            message["metadata"] = _json(body["metadata"])
                        return {"ok": True, "channel": channel, "ts": ts, "text": message["text"]}
            return {"ok": False, "error": "message_not_found"}
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, body)
        return {"ok": True}

    def _history(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        oldest = float(body.get("oldest") or 0)
        limit = int(body.get("limit") or 100)
        start = int(body.get("cursor") or 0)
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            stored = [dict(m) for m in self._messages.get(channel, [])]
        if method == "conversations.history":
            found = [m for m in stored if not m.get("thread_ts")]
            found.reverse()  # newest first
        else:
            parent = body.get("ts")
            found = [m for m in stored if m["ts"] == parent or m.get("thread_ts") == parent]
        found = [m for m in found if float(m["ts"]) >= oldest]
        if not with_metadata:
            for m in found:
                m.pop("metadata", None)
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _next_ts(self) -> str:
        with self._lock:
            return self._next_ts_locked()

    def _next_ts_locked(self) -> str:
        self._last_ts = max(time.time(), self._last_ts + 0.000001)
        return f"{self._last_ts:.6f}"

    @staticmethod
    def _reply(
        http: BaseHTTPRequestHandler,
        status: int,
        payload: dict[str, Any] | None,
        headers: dict[str, str] | None = None,
        text: str = "ok",
    ) -> None:
        data = text.encode() if payload is None else json.dumps(payload).encode()
        http.send_response(status)
        http.send_header("Content-Type", "text/plain" if payload is None else "application/json")
        http.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            http.send_header(key, value)
        http.end_headers()
        http.wfile.write(data)
