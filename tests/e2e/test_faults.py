"""Faults with the real server process: a database outage, a half-open socket, a slow reader."""

import asyncio
import json
import socket

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.live import HttpSession, LiveServer
from tests.e2e.services import fresh_postgres_database, set_database_accepting
from tests.e2e.test_live_server import next_of

pytestmark = pytest.mark.live


def send_frame(room, body, client_id):
    return json.dumps({"type": "send", "room": room, "body": body, "client_id": client_id})


async def test_database_outage_is_unavailable_then_the_retry_is_acked_once(tmp_path):
    with fresh_postgres_database() as database_url:
        server = LiveServer(tmp_path, env={"DATABASE_URL": database_url, "REDIS_URL": ""})
        server.prepare()
        server.start()
        try:
            ada = HttpSession(server.base_url)
            ada.signup("ada")
            ada.post_form("/rooms/new/", {"name": "Ops", "slug": "ops", "visibility": "public"})
            async with connect(server.ws_url, additional_headers=ada.ws_headers()) as ws:
                await ws.send(send_frame("ops", "before", "c0"))
                assert (await next_of(ws, "ack"))["seq"] == 2

                await asyncio.to_thread(set_database_accepting, database_url, False)
                await ws.send(send_frame("ops", "during", "c1"))
                error = await next_of(ws, "error", timeout=20)
                assert error["code"] == "unavailable"
                status, _ = await asyncio.to_thread(HttpSession(server.base_url).get, "/healthz")
                assert status == 503
                # The socket survives the outage.
                await ws.send(json.dumps({"type": "ping", "ref": "p"}))
                assert (await next_of(ws, "pong"))["ref"] == "p"

                await asyncio.to_thread(set_database_accepting, database_url, True)
                await ws.send(send_frame("ops", "during", "c1"))
                retry = await next_of(ws, "ack", timeout=20)
                await ws.send(send_frame("ops", "during", "c1"))
                again = await next_of(ws, "ack")
                assert retry["seq"] == again["seq"] == 3 and retry["id"] == again["id"]
                await ws.send(json.dumps({"type": "history", "room": "ops"}))
                history = await next_of(ws, "history")
            bodies = [item.get("body") for item in history["items"] if item["type"] == "message"]
            assert bodies == ["before", "during"]
        finally:
            server.stop()


def _raw_websocket(server, session) -> socket.socket:
    """A WebSocket opened by hand that will never answer the server's pings (half-open)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    request = (
        "GET /ws/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {server.base_url}\r\nCookie: {session.cookie_header}\r\n\r\n"
    )
    sock.sendall(request.encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(4096)
    assert response.startswith(b"HTTP/1.1 101"), response[:80]
    return sock


def test_a_socket_that_stops_answering_pings_is_closed(tmp_path):
    interval, timeout = 1.0, 1.0
    server = LiveServer(
        tmp_path,
        env={"PARLEY_WS_PING_INTERVAL": str(interval), "PARLEY_WS_PING_TIMEOUT": str(timeout)},
    )
    server.prepare()
    server.start()
    try:
        ada = HttpSession(server.base_url)
        ada.signup("ada")
        sock = _raw_websocket(server, ada)
        loop = asyncio.new_event_loop()
        began = loop.time()
        # Read (and ignore) whatever comes, pings included, until the server hangs up.
        sock.settimeout(3 * (interval + timeout) + 5)
        while sock.recv(4096):
            pass
        closed_after = loop.time() - began
        loop.close()
        sock.close()
        assert closed_after <= 2 * (interval + timeout) + 2
    finally:
        server.stop()


async def test_a_slow_reader_is_closed_and_resumes_without_loss(tmp_path):
    server = LiveServer(
        tmp_path,
        env={
            "PARLEY_MAX_QUEUED_FRAMES": "20",
            "PARLEY_REPLAY_LIMIT": "2000",
            # A flood on purpose: the send limit is not what this test is about.
            "PARLEY_RATE_LIMITS": "off",
        },
    )
    server.prepare()
    server.start()
    try:
        ada, bob = HttpSession(server.base_url), HttpSession(server.base_url)
        ada.signup("ada")
        bob.signup("bob")
        ada.post_form("/rooms/new/", {"name": "Big", "slug": "big", "visibility": "public"})
        # 16 KB frames (4000 four-byte characters): enough to fill the loopback's TCP buffers.
        body = "\U0001f600" * 4000
        count = 1000
        # bob's client buffers at most 1 frame and stops reading from the network when full.
        async with (
            connect(server.ws_url, additional_headers=bob.ws_headers(), max_queue=1) as slow,
            connect(server.ws_url, additional_headers=ada.ws_headers()) as writer,
        ):
            await slow.send(json.dumps({"type": "subscribe", "room": "big"}))
            last_seen = (await next_of(slow, "subscribed"))["last_seq"]
            for n in range(count):
                await writer.send(send_frame("big", body, f"c{n}"))
            acks = [await next_of(writer, "ack") for _ in range(count)]
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    frame = json.loads(await asyncio.wait_for(slow.recv(), 20))
                    if frame["type"] == "message":
                        assert frame["seq"] == last_seen + 1
                        last_seen = frame["seq"]
        assert closed.value.rcvd.code == 4408
        assert last_seen < acks[-1]["seq"]
        # Resuming with `after` brings exactly what was missed.
        async with connect(server.ws_url, additional_headers=bob.ws_headers()) as again:
            await again.send(json.dumps({"type": "subscribe", "room": "big", "after": last_seen}))
            await next_of(again, "subscribed")
            missed = acks[-1]["seq"] - last_seen
            seqs = [(await next_of(again, "message"))["seq"] for _ in range(missed)]
        assert seqs == list(range(last_seen + 1, acks[-1]["seq"] + 1))
    finally:
        server.stop()
