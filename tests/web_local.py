"""A tiny real HTTP server on 127.0.0.1 serving canned routes, recording each request's path and Host header."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    send_length: bool = True
    trickle: float = 0.0
    """Seconds between body bytes: a server that dribbles its page out one byte at a time."""
    length: int | None = None
    """A Content-Length to declare instead of the body's own (a larger one makes a truncated body)."""


@dataclass
class WebServer:
    routes: dict[str, Route | Callable[[], Route]]
    requests: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    scheme: str = "http"

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"


@contextmanager
def serve(routes: dict[str, Route | Callable[[], Route]], *, tls: tuple[str, str] | None = None) -> Iterator[WebServer]:
    """Serve `routes` on 127.0.0.1; `tls=(certfile, keyfile)` serves HTTPS."""
    web = WebServer(routes)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            web.requests.append((self.path, self.headers.get("Host", "")))
            route = web.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404)
                return
            if callable(route):
                route = route()
            if route.delay:
                time.sleep(route.delay)
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            for key, value in route.headers.items():
                self.send_header(key, value)
            if route.send_length:
                self.send_header("Content-Length", str(route.length if route.length is not None else len(route.body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                if not route.trickle:
                    self.wfile.write(route.body)
                    return
                for i in range(len(route.body)):
                    self.wfile.write(route.body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(route.trickle)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        web.scheme = "https"
    web.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()


def self_signed(tmp_dir: str, host: str) -> tuple[str, str]:
    """A certificate for `host` (its own CA) and its key, as PEM files: (certfile, keyfile)."""
    import datetime
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = Path(tmp_dir) / f"{host}.pem", Path(tmp_dir) / f"{host}.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(certfile), str(keyfile)
