"""Access tokens against the real server process (uvicorn): a token made on the settings page opens
a socket from the `websockets` client with no cookie and no Origin, a bad token gets HTTP 401,
and revoking the token on the page closes its socket with 4403."""

import asyncio
import json
import re
import urllib.request
import uuid

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.live import HttpSession, LiveServer

pytestmark = pytest.mark.live

TOKEN_RE = re.compile(r"parley_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("tokens"))
    live.prepare()
    live.start()
    yield live
    live.stop()


def person_with_token(server):
    session = HttpSession(server.base_url)
    session.signup(f"ada{uuid.uuid4().hex[:8]}")
    status, body, _ = session.post_form("/settings/tokens/", {"name": "live test"})
    assert status == 200, body[:500]
    [raw] = TOKEN_RE.findall(body)
    return session, raw


async def next_of(ws, kind, *, timeout=10):
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


async def test_a_token_socket_works_and_revoking_closes_it_with_4403(server):
    session, raw = person_with_token(server)
    async with connect(server.ws_url, additional_headers={"Authorization": f"Bearer {raw}"}) as ws:
        await ws.send(json.dumps({"type": "ping", "ref": "p"}))
        assert await next_of(ws, "pong") == {"type": "pong", "ref": "p"}

        _, page = session.get("/settings/tokens/")
        [token_id] = re.findall(r"/settings/tokens/(\d+)/revoke/", page)
        status, _, _ = session.post_form(f"/settings/tokens/{token_id}/revoke/", {})
        assert status == 200  # the redirect to the list, followed

        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(10):
                while True:
                    await ws.recv()
        assert closed.value.rcvd.code == 4403

    with pytest.raises(InvalidStatus) as refused:
        async with connect(server.ws_url, additional_headers={"Authorization": f"Bearer {raw}"}):
            pass
    assert refused.value.response.status_code == 401


async def test_a_bad_token_gets_http_401_with_a_json_error(server):
    with pytest.raises(InvalidStatus) as refused:
        async with connect(server.ws_url, additional_headers={"Authorization": "Bearer nope"}):
            pass
    response = refused.value.response
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body)["error"]["code"] == "unauthenticated"


def test_the_api_takes_the_same_token(server):
    _, raw = person_with_token(server)
    request = urllib.request.Request(
        f"{server.base_url}/api/v1/search?q=abc", headers={"Authorization": f"Bearer {raw}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"results": [], "next": None}
