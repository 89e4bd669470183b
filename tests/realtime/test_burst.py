"""Several frames in one write, through a real uvicorn `websockets-sansio` protocol object.

The protocol runs in memory: a transport that records its writes stands in for the socket, and
a websockets client protocol makes the handshake and reads the frames back, so these tests fail
if an upgrade of uvicorn changes what parley.realtime.burst relies on.
"""

import asyncio

import pytest
from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from parley.realtime.burst import burst_writer


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closing = False

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def write(self, data) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


class Socket:
    """A uvicorn protocol with an accepted socket, and the client at the other end."""

    def __init__(self, *, deflate: bool) -> None:
        self.transport = RecordingTransport()
        self.client = ClientProtocol(
            parse_uri("ws://127.0.0.1:8000/ws/"),
            extensions=[ClientPerMessageDeflateFactory()] if deflate else None,
        )
        self.deflate = deflate
        self.accepted: asyncio.Future = asyncio.get_running_loop().create_future()
        self.done = asyncio.Event()

    async def app(self, scope, receive, send) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        self.accepted.set_result(send)
        await self.done.wait()

    async def open(self):
        config = Config(
            app=self.app, interface="asgi3", ws="websockets-sansio", lifespan="off",
            log_level="warning",
            ws_per_message_deflate=self.deflate,
        )  # fmt: skip
        config.load()
        self.protocol = WebSocketsSansIOProtocol(config, ServerState(), app_state={})
        self.protocol.connection_made(self.transport)
        self.client.send_request(self.client.connect())
        self.protocol.data_received(b"".join(self.client.data_to_send()))
        send = await asyncio.wait_for(self.accepted, 5)
        [response] = self.read()
        assert isinstance(response, Response) and response.status_code == 101
        return send

    def read(self) -> list:
        """What the client received since the last read."""
        for data in self.transport.writes:
            self.client.receive_data(data)
        self.transport.writes.clear()
        return self.client.events_received()

    def texts(self) -> list[str]:
        events = self.read()
        assert all(isinstance(e, Frame) and e.opcode is Opcode.TEXT for e in events)
        return [e.data.decode() for e in events]

    def close(self) -> None:
        self.done.set()


@pytest.mark.parametrize("deflate", [False, True], ids=["plain", "deflate"])
async def test_frames_go_out_in_one_write_and_in_order(deflate):
    socket = Socket(deflate=deflate)
    write = burst_writer(await socket.open())
    assert write is not None
    frames = ['{"type":"subscribed"}', *(f'{{"seq":{n},"body":"é{n}"}}' for n in range(1, 201))]
    assert write(frames) is True
    assert len(socket.transport.writes) == 1
    assert socket.texts() == frames
    # A frame sent afterwards through uvicorn's own send follows them, in one stream.
    send = socket.accepted.result()
    await send({"type": "websocket.send", "text": "after"})
    assert socket.texts() == ["after"]
    socket.close()


async def test_nothing_is_written_while_the_transport_is_paused():
    socket = Socket(deflate=False)
    write = burst_writer(await socket.open())
    assert write is not None
    socket.protocol.pause_writing()  # the transport's buffer passed its high-water mark
    assert write(["a", "b"]) is False
    assert socket.transport.writes == []
    socket.protocol.resume_writing()
    assert write(["a", "b"]) is True
    assert socket.texts() == ["a", "b"]
    socket.close()


async def test_nothing_is_written_after_a_close_or_a_disconnect():
    socket = Socket(deflate=False)
    send = await socket.open()
    write = burst_writer(send)
    assert write is not None
    await send({"type": "websocket.close", "code": 1000})
    socket.transport.writes.clear()
    assert write(["a", "b"]) is False
    assert socket.transport.writes == []

    other = Socket(deflate=False)
    write = burst_writer(await other.open())
    assert write is not None
    other.protocol.connection_lost(None)
    assert write(["a", "b"]) is False
    assert other.transport.writes == []
    socket.close()
    other.close()


def test_another_server_s_send_gets_no_burst_writer():
    async def send(message):
        pass

    class OtherProtocol:
        async def send(self, message):
            pass

    assert burst_writer(send) is None
    assert burst_writer(OtherProtocol().send) is None


async def test_an_untested_uvicorn_release_gets_no_burst_writer_and_says_so(monkeypatch, caplog):
    import uvicorn

    from parley.realtime import burst

    assert burst.direct_writes_supported()  # the installed release is a tested one
    monkeypatch.setattr(uvicorn, "__version__", "0.99.0")
    burst.direct_writes_supported.cache_clear()
    try:
        socket, other = Socket(deflate=False), Socket(deflate=False)
        with caplog.at_level("WARNING", logger="parley.realtime.burst"):
            assert burst_writer(await socket.open()) is None
            assert burst_writer(await other.open()) is None
    finally:
        burst.direct_writes_supported.cache_clear()  # the next test reads the real release
    warnings = [r.getMessage() for r in caplog.records if r.name == "parley.realtime.burst"]
    assert len(warnings) == 1 and "uvicorn 0.99.0" in warnings[0]
    socket.close()
    other.close()
