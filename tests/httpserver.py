"""A real HTTP server on loopback for tests that fetch URLs (no mocked transports)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

Route = Callable[[http.server.BaseHTTPRequestHandler], None]


def respond(
    status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8"
) -> Route:
    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def redirect(location: str) -> Route:
    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(301)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def stream(chunk: bytes, count: int) -> Route:
    """A body of ``count`` chunks with no Content-Length, as a streaming server sends it."""

    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.end_headers()
        try:
            for _ in range(count):
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    return route


def slow(seconds: float, then: Route | None = None) -> Route:
    """Wait ``seconds``, then answer with ``then`` (by default a short page)."""

    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        (then or respond(200, b"late"))(handler)

    return route


def trickle(body: bytes, interval: float) -> Route:
    """Send ``body`` one byte every ``interval`` seconds, as a stalling server does."""

    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            for byte in body:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(interval)
        except (BrokenPipeError, ConnectionResetError):
            pass

    return route


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early (size limits, timeouts) is what the tests do


@dataclass
class Site:
    base_url: str
    routes: dict[str, Route]
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header) received

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[Site]:
    seen: list[tuple[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Host", "")))
            route = routes.get(self.path.split("?")[0])
            (route or respond(404, b"not found"))(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", routes, seen)
    finally:
        server.shutdown()
        server.server_close()
