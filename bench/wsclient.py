"""A lean WebSocket client for the load generator.

The handshake key and every frame the client sends (masked, as RFC 6455 requires) come from the
`websockets` library. Frames from the server are parsed here, in a few lines over one buffer:
the load generator receives up to hundreds of thousands of frames a second on a machine it
shares with the server, and a general-purpose client's per-frame cost would make it the
bottleneck it is meant to measure around. One monotonic timestamp is taken per read, for every
frame in it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from websockets.frames import Close, Frame, Opcode
from websockets.utils import accept_key, generate_key

from bench.views import OnlineView

OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
CLOSE_NORMAL = 1000
NO_CLOSE_CODE = 1006


class HandshakeError(Exception):
    """The server refused the WebSocket upgrade."""


class WsClient(asyncio.Protocol):
    """One client socket. `on_message(client, payload, now_us)` gets every text or binary frame."""

    def __init__(self, index: int, on_message: Callable[[WsClient, bytes, int], None]) -> None:
        self.index = index
        self.on_message = on_message
        self.transport: asyncio.Transport | None = None
        self.close_code: int | None = None
        self.closed = asyncio.get_running_loop().create_future()
        self._buffer = bytearray()
        self._handshake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._key = ""
        # Per-run state kept by the load generator (see loadgen.Recorder).
        self.seen = bytearray()
        self.got = 0
        self.last_seq = 0
        self.subscribed: asyncio.Future[bytes] | None = None
        # The `presence` scenario: when the handshake completed (µs, monotonic), and who the
        # client knows to be online (bench/views.py).
        self.opened_us = 0
        self.view: OnlineView | None = None

    async def open(self, port: int, path: str, headers: dict[str, str]) -> None:
        """Connect to 127.0.0.1:`port` and complete the WebSocket handshake."""
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: self, "127.0.0.1", port)
        self._key = generate_key()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {self._key}",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        assert self.transport is not None
        self.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self._handshake

    def connection_made(self, transport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, so no isinstance check here.
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if self.close_code is None:
            self.close_code = NO_CLOSE_CODE
        if not self._handshake.done():
            self._handshake.set_exception(HandshakeError(f"connection lost: {exc}"))
        if not self.closed.done():
            self.closed.set_result(self.close_code)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        if not self._handshake.done() and not self._read_handshake():
            return
        self._read_frames(int(time.monotonic() * 1_000_000))

    def _read_handshake(self) -> bool:
        """Consume the HTTP response once it is whole; True when frames may follow."""
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self._buffer[:end]).decode("latin-1")
        del self._buffer[: end + 4]
        status = head.split(" ", 2)[1] if " " in head else ""
        expected = f"sec-websocket-accept: {accept_key(self._key)}".lower()
        if status != "101" or expected not in head.lower():
            self._handshake.set_exception(HandshakeError(head.splitlines()[0]))
            assert self.transport is not None
            self.transport.close()
            return False
        self._handshake.set_result(None)
        self.opened_us = int(time.monotonic() * 1_000_000)
        return True

    def _read_frames(self, now_us: int) -> None:
        buffer = self._buffer
        size = len(buffer)
        pos = 0
        while size - pos >= 2:
            first, length = buffer[pos], buffer[pos + 1] & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buffer[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buffer[pos + 2 : pos + 10], "big"), 10
            end = pos + head + length
            if end > size:
                break
            if not first & 0x80:
                raise ValueError("fragmented frames are not expected from these servers")
            self._on_frame(first & 0x0F, bytes(buffer[pos + head : end]), now_us)
            pos = end
        if pos:
            del buffer[:pos]

    def _on_frame(self, opcode: int, payload: bytes, now_us: int) -> None:
        if opcode in (OP_TEXT, OP_BINARY):
            self.on_message(self, payload, now_us)
        elif opcode == OP_PING:
            self._write(Frame(Opcode.PONG, payload))
        elif opcode == OP_CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if payload else NO_CLOSE_CODE
            self._write(Frame(Opcode.CLOSE, payload[:2]))
            assert self.transport is not None
            self.transport.close()

    def _write(self, frame: Frame) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(frame.serialize(mask=True))

    def send_text(self, text: str) -> None:
        self._write(Frame(Opcode.TEXT, text.encode()))

    def close(self) -> None:
        """Start a clean close; `closed` resolves when the server has closed the TCP connection."""
        if self.close_code is None:
            self._write(Frame(Opcode.CLOSE, Close(CLOSE_NORMAL, "").serialize()))
        if self.transport is not None:
            asyncio.get_running_loop().call_later(2.0, self.transport.abort)
