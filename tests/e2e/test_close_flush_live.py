"""A socket closed for ignoring rate limits (4429) still gets every answer it was owed.

The answers to frames handled before the close may still be waiting in the server's write queue
when the client reads slowly (flow control); the close goes out after them, not instead of them.
This needs a real server: only a real transport makes the writer wait.
"""

import asyncio
import json
import uuid

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.live import HttpSession, LiveServer

pytestmark = pytest.mark.live

SEND_BURST = 60
STRIKES = 5
HISTORIES = 200
BIG = "x" * 3900


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(
        tmp_path_factory.mktemp("flush"),
        env={
            # A burst of SEND_BURST sends, nothing refilled during the test.
            "PARLEY_RATE_SEND": f"{SEND_BURST},1/h",
            "PARLEY_RATE_READ": "1000,100/s",
            "PARLEY_RATE_MAX_STRIKES": str(STRIKES),
            # With REDIS_URL the buckets live in Redis, keyed by user id: this server's user 1
            # must not spend the send bucket of other live servers' user 1.
            "PARLEY_REDIS_PREFIX": f"flush-{uuid.uuid4().hex[:8]}",
        },
    )
    live.prepare()
    live.start()
    yield live
    live.stop()


async def answers_by_ref(ws, refs: set[str]) -> tuple[dict[str, dict], int | None]:
    """Every frame until the close, by ref; and the close code."""
    got: dict[str, dict] = {}
    try:
        async with asyncio.timeout(60):
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("ref") in refs:
                    got[frame["ref"]] = frame
    except ConnectionClosed as closed:
        return got, closed.rcvd.code if closed.rcvd else None
    raise AssertionError("the socket was not closed")


async def test_answers_queued_before_a_4429_close_are_sent_before_it(server):
    ada = HttpSession(server.base_url)
    ada.signup("ada")
    ada.post_form("/rooms/new/", {"name": "Town", "slug": "town", "visibility": "public"})
    stored = SEND_BURST - 5
    async with connect(server.ws_url, additional_headers=ada.ws_headers()) as ws:
        for n in range(stored):
            frame = {"type": "send", "room": "town", "body": BIG, "client_id": f"big-{n}"}
            await ws.send(json.dumps({**frame, "ref": f"big-{n}"}))
        acked = 0
        async with asyncio.timeout(30):
            while acked < stored:
                acked += json.loads(await ws.recv()).get("type") == "ack"

    # A client that stops reading while it asks for about 45 MB of history: the server's
    # writer waits on the full transport with the answers queued behind it.
    async with connect(
        server.ws_url, additional_headers=ada.ws_headers(), max_size=None, max_queue=1
    ) as ws:
        refs = []
        for n in range(HISTORIES):
            refs.append(f"h{n}")
            frame = {"type": "history", "room": "town", "limit": 200, "ref": refs[-1]}
            await ws.send(json.dumps(frame))
        # Five sends the limit still allows, then refusals until the server gives up.
        for n in range(5 + STRIKES + 1):
            refs.append(f"s{n}")
            frame = {"type": "send", "room": "town", "body": f"late {n}", "client_id": f"s-{n}"}
            await ws.send(json.dumps({**frame, "ref": refs[-1]}))
        # Read nothing until the server has decided to close: what it owes is still queued.
        await asyncio.to_thread(
            server.wait_for_output,
            lambda out: any("socket ignores rate limits" in line for line in out),
            timeout=30,
        )
        got, code = await answers_by_ref(ws, set(refs))

    assert code == 4429
    histories = [got.get(f"h{n}") for n in range(HISTORIES)]
    assert all(h is not None and h["type"] == "history" for h in histories), sum(
        h is None for h in histories
    )
    acks = [got.get(f"s{n}") for n in range(5)]
    assert [a and a["type"] for a in acks] == ["ack"] * 5
    refusals = [got.get(f"s{n}") for n in range(5, 5 + STRIKES)]
    assert [r and r.get("code") for r in refusals] == ["rate_limited"] * STRIKES
