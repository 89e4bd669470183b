"""The request-head deadline (parley/core/http_deadline.py) on both of uvicorn's HTTP protocols:
httptools (what `http="auto"` picks here) and h11, each in process in front of a small app.

A half-sent request's close is the clock: a request or socket that must outlive the deadline is
checked once a half-sent request opened after it has been closed.
"""

import asyncio
import socket

import pytest
import uvicorn
from websockets.asyncio.client import connect

from parley.core.http_deadline import AutoHTTPProtocol, H11Protocol

DEADLINE = 0.5
WAIT = DEADLINE + 4.0


class App:
    """`/` answers at once; `/slow` once `release` is set; a WebSocket echoes."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
            while (message := await receive())["type"] == "websocket.receive":
                await send({"type": "websocket.send", "text": message["text"]})
            return
        if scope["path"] == "/slow":
            await self.release.wait()
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(params=[AutoHTTPProtocol, H11Protocol], ids=["auto", "h11"])
async def served(request, settings):
    settings.PARLEY_SERVER = {**settings.PARLEY_SERVER, "HEADER_TIMEOUT": DEADLINE}
    app = App()
    # Listening before uvicorn starts: connections wait in the backlog, no start-up to await.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    config = uvicorn.Config(
        app, http=request.param, lifespan="off", log_config=None, timeout_keep_alive=30
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    yield app, sock.getsockname()[1]
    app.release.set()
    server.should_exit = True
    await serving


async def open_half_sent(port: int):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
    return reader, writer


async def trickle_until_closed(reader, writer) -> None:
    """Send a header byte every 50 ms until the server closes; fails if it never does."""

    async def drip():
        while not writer.is_closing():
            writer.write(b"X")
            await asyncio.sleep(0.05)

    dripping = asyncio.create_task(drip())
    try:
        async with asyncio.timeout(WAIT):
            assert await reader.read() == b""
    except ConnectionResetError:
        pass
    finally:
        dripping.cancel()
        writer.close()


async def read_response(reader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    return head + await reader.readexactly(2)


async def test_a_trickled_head_is_closed_at_the_deadline(served):
    app, port = served
    loop = asyncio.get_running_loop()
    began = loop.time()
    await trickle_until_closed(*await open_half_sent(port))
    assert loop.time() - began >= DEADLINE - 0.01


async def test_a_request_with_the_application_is_not_cut_by_the_deadline(served):
    app, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    await trickle_until_closed(*await open_half_sent(port))
    app.release.set()
    async with asyncio.timeout(WAIT):
        assert (await read_response(reader)).startswith(b"HTTP/1.1 200")
    writer.close()


async def test_the_next_head_on_a_kept_alive_connection_has_the_deadline_too(served):
    app, port = served
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    async with asyncio.timeout(WAIT):
        assert (await read_response(reader)).startswith(b"HTTP/1.1 200")
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")
    # The keep-alive timeout is 30 s and every byte cancels it: only the deadline closes this.
    await trickle_until_closed(reader, writer)


async def test_a_websocket_upgrade_disarms_the_deadline(served):
    app, port = served
    async with connect(f"ws://127.0.0.1:{port}/") as ws:
        await trickle_until_closed(*await open_half_sent(port))
        await ws.send("still here")
        async with asyncio.timeout(WAIT):
            assert await ws.recv() == "still here"
