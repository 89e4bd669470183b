"""Slow and oversized HTTP requests against the real server (`manage.py serve`, uvicorn).

The server runs with a 1 s deadline for a complete request head (PARLEY_HEADER_TIMEOUT), so a
test sees half-sent requests closed quickly; the trickling itself is the attack's pacing, and
every wait is for an answer or a close.
"""

import asyncio
import json
import time
import uuid

import pytest
from websockets.asyncio.client import connect

from tests.e2e.live import HttpSession, LiveServer

pytestmark = pytest.mark.live

HEADER_TIMEOUT = 1.0
HALF_OPEN = 300
TRICKLE_INTERVAL = 0.2
# Closed at the deadline, not later: the margin is for a busy shared machine, and is much less
# than the trickle would last unbounded.
CLOSE_MARGIN = 4.0
# uvloop's timers count whole milliseconds from the start of a loop iteration.
TIMER_SLACK = 0.01


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(
        tmp_path_factory.mktemp("slow"), env={"PARLEY_HEADER_TIMEOUT": str(HEADER_TIMEOUT)}
    )
    live.prepare()
    live.start()
    yield live
    live.stop()


class HalfSentRequest:
    """A connection that sends a request head a byte at a time and never finishes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.opened_at = 0.0
        self.lifetime = 0.0
        self.answer = b""

    async def open(self) -> None:
        # Before the connect: the server's clock starts when it accepts, after that.
        self.opened_at = time.monotonic()
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")

    async def trickle_until_closed(self) -> None:
        dripping = asyncio.create_task(self._drip())
        try:
            self.answer = await self.reader.read()  # b"" at the server's close
        except ConnectionResetError:
            self.answer = b""
        finally:
            self.lifetime = time.monotonic() - self.opened_at
            dripping.cancel()
            self.writer.close()

    async def _drip(self) -> None:
        while not self.writer.is_closing():
            await asyncio.sleep(TRICKLE_INTERVAL)
            self.writer.write(b"a")


async def http_exchange(port: int, request: bytes, *, timeout: float = 5) -> bytes:
    """Send `request` whole and read the answer until the server closes."""
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(request)
            return await reader.read()
        finally:
            writer.close()


def get_healthz() -> bytes:
    return b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


async def test_half_sent_requests_are_closed_at_the_deadline_while_healthz_answers(server):
    slow = [HalfSentRequest(server.port) for _ in range(HALF_OPEN)]
    await asyncio.gather(*(request.open() for request in slow))
    closing = asyncio.gather(*(request.trickle_until_closed() for request in slow))

    answer = await http_exchange(server.port, get_healthz())
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["status"] == "ok"

    async with asyncio.timeout(HEADER_TIMEOUT + CLOSE_MARGIN):
        await closing
    assert all(request.answer == b"" for request in slow)
    assert min(request.lifetime for request in slow) >= HEADER_TIMEOUT - TIMER_SLACK
    assert max(request.lifetime for request in slow) < HEADER_TIMEOUT + CLOSE_MARGIN


async def test_a_connection_that_sends_nothing_is_closed_at_the_deadline(server):
    opened_at = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    async with asyncio.timeout(HEADER_TIMEOUT + CLOSE_MARGIN):
        assert await reader.read() == b""
    assert time.monotonic() - opened_at >= HEADER_TIMEOUT - TIMER_SLACK
    writer.close()


async def test_a_websocket_outlives_the_head_deadline(server):
    session = HttpSession(server.base_url)
    await asyncio.to_thread(session.signup, f"ada{uuid.uuid4().hex[:8]}")
    async with connect(server.ws_url, additional_headers=session.ws_headers()) as ws:
        # A half-sent request opened after the socket is closed at the deadline: by then the
        # socket has lived past it too.
        slow = HalfSentRequest(server.port)
        await slow.open()
        async with asyncio.timeout(HEADER_TIMEOUT + CLOSE_MARGIN):
            await slow.trickle_until_closed()
        await ws.send(json.dumps({"type": "ping", "ref": "after"}))
        async with asyncio.timeout(5):
            while (frame := json.loads(await ws.recv()))["type"] != "pong":
                pass
        assert frame["ref"] == "after"


async def test_a_huge_content_length_to_login_is_answered_413_before_the_body_is_sent(server):
    request = (
        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        + f"Content-Length: {300 * 1024 * 1024}\r\n\r\n".encode()
    )
    answer = await http_exchange(server.port, request)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
