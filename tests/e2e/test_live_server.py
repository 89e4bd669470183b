"""The real server process (uvicorn, as `make run` starts it) with real HTTP and WS clients."""

import asyncio
import json
import re
import signal
import uuid

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.live import HttpSession, LiveServer

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("live"))
    live.prepare()
    live.start()
    yield live
    live.stop()


def signed_up(server, username):
    session = HttpSession(server.base_url)
    session.signup(username)
    return session


async def next_of(ws, kind, *, timeout=10):
    """The next frame of type `kind` (others, such as live items, are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


async def test_two_people_chat_through_the_real_server(server):
    ada, bob = signed_up(server, unique("ada")), signed_up(server, unique("bob"))
    slug = unique("lobby-")
    status, body, url = ada.post_form(
        "/rooms/new/", {"name": "Lobby", "slug": slug, "visibility": "public"}
    )
    assert url.endswith(f"/rooms/{slug}/"), (status, url)

    async with (
        connect(server.ws_url, additional_headers=ada.ws_headers()) as a,
        connect(server.ws_url, additional_headers=bob.ws_headers()) as b,
    ):
        await a.send(json.dumps({"type": "subscribe", "room": slug, "ref": "s"}))
        assert (await next_of(a, "subscribed"))["last_seq"] == 1
        await b.send(json.dumps({"type": "subscribe", "room": slug}))
        await next_of(b, "subscribed")
        await b.send(json.dumps({"type": "join", "room": slug, "ref": "j"}))
        assert (await next_of(b, "joined"))["ref"] == "j"
        join = await next_of(a, "event")
        assert join["kind"] == "join" and join["seq"] == 2

        await b.send(
            json.dumps({"type": "send", "room": slug, "body": "<b>hi</b> ada", "client_id": "m1"})
        )
        ack = await next_of(b, "ack")
        message = await next_of(a, "message")
        assert message["body"] == "<b>hi</b> ada"
        assert message["seq"] == ack["seq"] == 3
        assert message["author"]["username"].startswith("bob")

    # The message is in the server-rendered page, as text.
    status, page = ada.get(f"/rooms/{slug}/")
    assert status == 200
    assert "&lt;b&gt;hi&lt;/b&gt; ada" in page and "<b>hi</b>" not in page


def _opened(lines: list[str]) -> int:
    return sum("socket opened" in line for line in lines)


async def test_each_socket_is_logged_once_by_parley_not_again_by_uvicorn(server):
    ada = signed_up(server, unique("ada"))
    opened_before = _opened(list(server.output))
    async with connect(server.ws_url, additional_headers=ada.ws_headers()) as ws:
        await ws.send(json.dumps({"type": "ping", "ref": "p"}))
        await next_of(ws, "pong")
    # Unfiltered, uvicorn logs its lines for a socket before Parley's "socket opened".
    await asyncio.to_thread(server.wait_for_output, lambda out: _opened(out) > opened_before)
    assert any("Uvicorn running on" in line for line in server.output)
    for line in server.output:
        assert "connection open" not in line and "[accepted]" not in line, line


@pytest.mark.parametrize(("accepted", "encoding"), [("br, gzip", "br"), ("gzip", "gzip")])
def test_static_files_are_served_compressed_brotli_first(server, accepted, encoding):
    import urllib.request

    status, page = HttpSession(server.base_url).get("/accounts/login/")
    stylesheet = re.search(r'href="(/static/parley/css/parley\.[0-9a-f]+\.css)"', page).group(1)
    request = urllib.request.Request(
        server.base_url + stylesheet, headers={"Accept-Encoding": accepted}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Encoding"] == encoding


async def test_health_check_answers_without_login(server):
    status, body = HttpSession(server.base_url).get("/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"


async def test_anonymous_socket_is_closed_with_4401(server):
    async with connect(server.ws_url, additional_headers={"Origin": server.base_url}) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4401


async def test_foreign_origin_is_refused_at_the_handshake(server):
    ada = signed_up(server, unique("ada"))
    headers = {**ada.ws_headers(), "Origin": "http://evil.example"}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(server.ws_url, additional_headers=headers):
            pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another application on the same host
        "https://127.0.0.1:{port}",  # the same host and port, another scheme
        "http://localhost:{port}",  # an allowed host, but not the one this page came from
        "http://127.0.0.1",  # the default port: not this server's
        "null",
    ],
)
async def test_an_origin_that_is_not_the_sites_own_is_refused_with_the_visitors_cookie(
    server, origin
):
    ada = signed_up(server, unique("ada"))
    headers = {**ada.ws_headers(), "Origin": origin.format(port=server.port)}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(server.ws_url, additional_headers=headers):
            pass
    assert refused.value.response.status_code == 403


async def test_the_sites_own_origin_opens_a_working_socket(server):
    ada = signed_up(server, unique("ada"))
    assert ada.ws_headers()["Origin"] == server.base_url
    async with connect(server.ws_url, additional_headers=ada.ws_headers()) as ws:
        await ws.send(json.dumps({"type": "ping", "ref": "p"}))
        assert (await next_of(ws, "pong"))["ref"] == "p"


async def test_oversized_frames_are_refused_and_nothing_is_stored(server):
    ada = signed_up(server, unique("ada"))
    slug = unique("big-")
    ada.post_form("/rooms/new/", {"name": "Big", "slug": slug, "visibility": "public"})
    async with connect(server.ws_url, additional_headers=ada.ws_headers(), max_size=None) as ws:
        body = "x" * (100 * 1024)
        await ws.send(json.dumps({"type": "send", "room": slug, "body": body, "client_id": "b"}))
        error = await next_of(ws, "error")
        assert error["code"] == "too_large"
        await ws.send(json.dumps({"type": "ping", "ref": "p"}))
        assert (await next_of(ws, "pong"))["ref"] == "p"
        # Past the transport's hard limit the server closes with 1009.
        await ws.send(json.dumps({"type": "send", "room": slug, "body": "y" * 400_000}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd.code == 1009
    async with connect(server.ws_url, additional_headers=ada.ws_headers()) as ws:
        await ws.send(json.dumps({"type": "subscribe", "room": slug}))
        assert (await next_of(ws, "subscribed"))["last_seq"] == 1


async def test_restart_closes_with_1012_and_clients_resume_from_their_last_seq(tmp_path):
    server = LiveServer(tmp_path / "restart")
    server.prepare()
    server.start()
    try:
        ada, bob = signed_up(server, "ada"), signed_up(server, "bob")
        ada.post_form("/rooms/new/", {"name": "Ops", "slug": "ops", "visibility": "public"})
        async with connect(server.ws_url, additional_headers=bob.ws_headers()) as b:
            await b.send(json.dumps({"type": "join", "room": "ops"}))
            await next_of(b, "joined")
            await b.send(json.dumps({"type": "subscribe", "room": "ops"}))
            last_seen = (await next_of(b, "subscribed"))["last_seq"]
            elapsed = await asyncio.to_thread(server.stop, signal.SIGTERM)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(b.recv(), 10)
        assert closed.value.rcvd.code == 1012
        assert elapsed < 8

        server.start()
        # Sessions survive the restart; ada writes while bob is away.
        async with connect(server.ws_url, additional_headers=ada.ws_headers()) as a:
            for n in range(3):
                await a.send(
                    json.dumps(
                        {"type": "send", "room": "ops", "body": f"m{n}", "client_id": f"c{n}"}
                    )
                )
                await next_of(a, "ack")
        async with connect(server.ws_url, additional_headers=bob.ws_headers()) as b:
            await b.send(json.dumps({"type": "subscribe", "room": "ops", "after": last_seen}))
            subscribed = await next_of(b, "subscribed")
            missed = [json.loads(await asyncio.wait_for(b.recv(), 10)) for _ in range(3)]
        assert [m["body"] for m in missed] == ["m0", "m1", "m2"]
        assert [m["seq"] for m in missed] == list(range(last_seen + 1, last_seen + 4))
        assert subscribed["last_seq"] == last_seen + 3
    finally:
        server.stop()
