"""A socket to the real ASGI application, as the security tests see it: frames in, frames out,
and the close code. Self-contained, so these tests depend on nothing but the application.

No sleeps: every wait is for a frame or a close; "nothing happens" is a bounded
`receive_nothing`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from tests.conftest import ORIGIN, session_cookie_for

TIMEOUT = 5.0
ITEM_TYPES = {"message", "event"}
# Another member's socket opening announces `presence` at a moment no test controls: dropped.
UNSOLICITED_TYPES = {"presence"}


class Closed(AssertionError):
    def __init__(self, code: int | None) -> None:
        super().__init__(f"the server closed the socket with code {code}")
        self.code = code


class Socket:
    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.pending: list[dict] = []  # received, not yet taken by a wait
        self._refs = itertools.count(1)

    async def send(self, frame: dict) -> None:
        await self.communicator.send_json_to(frame)

    async def send_raw(self, kind: str, payload: str | bytes) -> None:
        """One `text` or `bytes` frame exactly as given, empty ones included."""
        await self.communicator.send_input({"type": "websocket.receive", kind: payload})

    async def _receive(self, timeout: float) -> dict:
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                raise Closed(output.get("code"))
            assert output["type"] == "websocket.send", output
            assert output.get("text") is not None, "the server sent a binary frame"
            frame = json.loads(output["text"])
            assert isinstance(frame, dict) and isinstance(frame.get("type"), str), frame
            if frame["type"] not in UNSOLICITED_TYPES:
                return frame

    async def wait_for(self, predicate: Callable[[dict], bool], *, timeout=TIMEOUT) -> dict:
        """The first frame (already received or still to come) that matches; others are kept."""
        for index, frame in enumerate(self.pending):
            if predicate(frame):
                return self.pending.pop(index)
        while True:
            frame = await self._receive(timeout)
            if predicate(frame):
                return frame
            self.pending.append(frame)

    async def next(self, *, timeout=TIMEOUT) -> dict:
        return await self.wait_for(lambda frame: True, timeout=timeout)

    async def request(self, frame: dict, *, timeout=TIMEOUT) -> dict:
        """Send `frame` with a fresh `ref` (unless it has one); the frame that echoes it."""
        frame = {"ref": f"r{next(self._refs)}", **frame}
        await self.send(frame)
        return await self.wait_for(lambda f: f.get("ref") == frame["ref"], timeout=timeout)

    async def item(self, room: str, *, timeout=TIMEOUT) -> dict:
        return await self.wait_for(
            lambda f: f["type"] in ITEM_TYPES and f.get("room") == room, timeout=timeout
        )

    async def subscribe(self, room: str, **fields) -> dict:
        reply = await self.request({"type": "subscribe", "room": room, **fields})
        assert reply["type"] == "subscribed", reply
        return reply

    async def ping_works(self) -> None:
        """The socket is open and usable: a ping gets its pong with the same ref."""
        ref = f"ping-{next(self._refs)}"
        assert await self.request({"type": "ping", "ref": ref}) == {"type": "pong", "ref": ref}

    async def assert_quiet(self, *, timeout: float = 0.2) -> None:
        """Nothing is waiting and nothing arrives for `timeout` seconds."""
        assert self.pending == [], f"unexpected frames: {self.pending}"
        while not await self.communicator.receive_nothing(timeout=timeout):
            output = await self.communicator.receive_output(TIMEOUT)
            frame = json.loads(output.get("text") or "{}")
            if frame.get("type") not in UNSOLICITED_TYPES:
                raise AssertionError(f"unexpected frame: {output}")

    async def wait_closed(self, *, timeout=TIMEOUT) -> tuple[int | None, list[dict]]:
        """The close code the server sends next, and the data frames that came before it."""
        before: list[dict] = [*self.pending]
        self.pending = []
        while True:
            try:
                before.append(await self._receive(timeout))
            except Closed as closed:
                return closed.code, before

    async def closes_within(self, seconds: float) -> int | None:
        """The close code if the server closes the socket within `seconds`, else None."""
        if await self.communicator.receive_nothing(timeout=seconds):
            return None
        code, _ = await self.wait_closed()
        return code


def error_code(frame: dict) -> str:
    assert frame["type"] == "error", frame
    return frame["code"]


@asynccontextmanager
async def open_socket(
    user=None, *, address: str | None = "192.0.2.10", cookie: bytes | None = None
) -> AsyncIterator[Socket]:
    """A socket on config.asgi.application, signed in as `user` (or with this Cookie header),
    from `address` (the scope's client, as uvicorn sets it); disconnected on exit."""
    from config.asgi import application

    headers = [ORIGIN]
    if cookie is None and user is not None:
        cookie = await database_sync_to_async(session_cookie_for)(user)
    if cookie is not None:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    if address is not None:
        communicator.scope["client"] = (address, 50_000)
    connected, _ = await communicator.connect()
    try:
        assert connected, "the handshake was refused"
        yield Socket(communicator)
    finally:
        # Wait for the consumer's disconnect() (which frees the socket's place in the caps)
        # longer than the communicator's default second, which a busy machine can exceed.
        await communicator.disconnect(timeout=TIMEOUT)
