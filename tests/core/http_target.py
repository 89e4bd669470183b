"""A tiny HTTP server on 127.0.0.1 that outgoing requests are aimed at in tests.

Each path answers what the test set for it (`answer`, `redirect`, `huge`, `hang`); every request
that reaches the server is recorded, so a test can tell that a refused request never arrived.
A `hang` answer waits for `release` (set when the server stops): no sleeping.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Route:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Bytes sent in chunks of 64 KiB without a Content-Length (a stream that would not end).
    stream_bytes: int = 0
    hang: bool = False


class HttpTarget:
    def __init__(self, *, tls=None) -> None:
        """`tls`: an ssl.SSLContext to serve https with (its certificate names the host)."""
        self.routes: dict[str, Route] = {}
        self.received: list[Received] = []
        self.arrived = threading.Condition()
        self.release = threading.Event()
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with target.arrived:
                    target.received.append(
                        Received(self.command, self.path, dict(self.headers.items()), body)
                    )
                    target.arrived.notify_all()
                route = target.routes.get(self.path.split("?")[0], Route(status=404))
                if route.hang:
                    target.release.wait()
                    self.close_connection = True
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.stream_bytes:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"x" * 65536
                    sent = 0
                    try:
                        while sent < route.stream_bytes:
                            self.wfile.write(chunk)
                            sent += len(chunk)
                    except OSError:
                        pass  # the client stopped reading: what the test wants
                    return
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self.scheme = "https"
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str, *, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    # What a path answers.
    def answer(self, path: str, body: str | bytes, *, status: int = 200, content_type="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(status=status, headers={"Content-Type": content_type}, body=data)

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        self.routes[path] = Route(status=status, headers={"Location": location})

    def huge(self, path: str, size: int) -> None:
        self.routes[path] = Route(headers={"Content-Type": "text/plain"}, stream_bytes=size)

    def hang(self, path: str) -> None:
        self.routes[path] = Route(hang=True)

    def wait_for_requests(self, count: int, *, timeout: float = 10) -> list[Received]:
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} requests arrived, not {count}")
            return list(self.received)

    def __enter__(self) -> HttpTarget:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
