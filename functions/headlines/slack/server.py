"""The HTTP server behind `headlines serve`: one thread per connection, a body cap, socket timeouts, and the
signature checked on the raw bytes before Bolt parses anything.

Bolt's own development server (`App.start`) handles one request at a time and reads any body whole, so
one idle half-sent connection stalls every user and a 50 MiB unsigned body is held in memory. This one
gives each connection its own thread, drops a connection that sends nothing for `timeout` seconds or
takes longer than that to send its body, and answers 413 to a declared body over `max_body_bytes`
without reading it.

    SlackHTTPServer(("0.0.0.0", 3000), app, signing_secret=secret).serve_forever()
"""

from __future__ import annotations

import logging
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import App, BoltRequest

from headlines.slack.verify import is_signed

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
"""Slack's requests are a few KB; anything over 1 MiB is refused unread."""
DEFAULT_TIMEOUT = 10.0
"""Seconds a connection may stay silent, and the most its whole body may take to arrive."""


class SlackHTTPServer(ThreadingHTTPServer):
    """Serves a Bolt app at `path` (POST only)."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        *,
        signing_secret: str | None,
        path: str = "/slack/events",
        max_body_bytes: int = MAX_BODY_BYTES,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.app = app
        self.signing_secret = signing_secret
        self.path = path
        self.max_body_bytes = max_body_bytes
        self.request_timeout = timeout
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SlackHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.request_timeout)  # what StreamRequestHandler does with its class `timeout`

    def do_GET(self) -> None:
        self._send(404, "not found")

    def do_POST(self) -> None:
        path, _, query = self.path.partition("?")
        if path != self.server.path:
            self._send(404, "not found")
            return
        declared = self.headers.get("Content-Length", "")
        if not (declared.isascii() and declared.isdigit()):
            self._send(411, "a Content-Length is required", close=True)
            return
        length = int(declared)
        if length > self.server.max_body_bytes:
            self._send(413, f"the body is over {self.server.max_body_bytes} bytes", close=True)
            return
        body = self._read_body(length)
        if body is None:
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.server.signing_secret is not None and not is_signed(self.server.signing_secret, body, headers):
            self._send(401, "invalid request")
            return
        try:
            response = self.server.app.dispatch(BoltRequest(body=body.decode("utf-8"), query=query, headers=dict(headers)))
        except Exception:  # signed, yet unreadable: the sender's fault
            logger.exception("a signed Slack request could not be handled")
            self._send(400, "bad request")
            return
        self._send(response.status, response.body, headers=response.first_headers())

    def _read_body(self, length: int) -> bytes | None:
        """The body, or None (answered 408/400) when it does not all arrive within the timeout."""
        deadline = time.monotonic() + self.server.request_timeout
        chunks: list[bytes] = []
        remaining = length
        try:
            while remaining:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                self.connection.settimeout(left)
                chunk = self.rfile.read1(min(remaining, 64 * 1024))
                if not chunk:
                    self.close_connection = True
                    return None
                chunks.append(chunk)
                remaining -= len(chunk)
        except (TimeoutError, OSError):
            self._send(408, "the body took too long to arrive", close=True)
            return None
        finally:
            self.connection.settimeout(self.server.request_timeout)
        return b"".join(chunks)

    def _send(self, status: int, body: str, *, headers: dict[str, Any] | None = None, close: bool = False) -> None:
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            sent = {k.lower() for k in (headers or {})}
            for key, value in (headers or {}).items():
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, str(value))
            if "content-type" not in sent:
                self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)
