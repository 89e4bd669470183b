"""Live features across two real server processes sharing PostgreSQL and a private Redis:
presence, typing and read pointers cross processes, and a SIGKILLed process's users go offline
within the documented time (short presence timings set by environment for the test)."""

import asyncio
import json
import signal
import time
from contextlib import AsyncExitStack

import pytest
from websockets.asyncio.client import connect

from tests.e2e.live import HttpSession
from tests.e2e.services import fresh_postgres_database, private_redis, running_servers
from tests.e2e.test_live_server import next_of

pytestmark = pytest.mark.live

GRACE, TTL, REAP = 0.5, 3.0, 0.5


@pytest.fixture
def cluster(tmp_path):
    with fresh_postgres_database() as database_url, private_redis() as redis:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "SECRET_KEY": "cluster-test-secret-key-of-sufficient-length-0123456789",
            "PARLEY_PRESENCE_GRACE_SECONDS": str(GRACE),
            "PARLEY_PRESENCE_TTL_SECONDS": str(TTL),
            "PARLEY_PRESENCE_REAP_SECONDS": str(REAP),
        }
        with running_servers(tmp_path, env) as servers:
            yield servers


def town_with(server, *names):
    """Signed-up sessions; the first creates the public room `town`, the others join it."""
    sessions = []
    for name in names:
        session = HttpSession(server.base_url)
        session.signup(name)
        sessions.append(session)
    sessions[0].post_form("/rooms/new/", {"name": "Town", "slug": "town", "visibility": "public"})
    for session in sessions[1:]:
        session.post_form("/rooms/town/join/", {})
    return sessions


async def open_socket(stack, server, session):
    headers = {**session.ws_headers(), "Origin": server.base_url}
    return await stack.enter_async_context(connect(server.ws_url, additional_headers=headers))


async def request(ws, frame):
    await ws.send(json.dumps(frame))


async def subscribe(ws, room="town"):
    await request(ws, {"type": "subscribe", "room": room})
    return await next_of(ws, "subscribed")


async def presence_of(ws, username, *, timeout=10):
    async with asyncio.timeout(timeout):
        while True:
            frame = await next_of(ws, "presence", timeout=timeout)
            # A batch (`users`) when changes came close together: the user's entry of it.
            for entry in frame.get("users", [{**frame.get("user", {}), **frame}]):
                if entry["username"] == username:
                    return entry


async def frames_before_pong(ws, ref="sync", *, timeout=10):
    """The frames that arrive before the answer to a ping sent now: a socket's frames are
    answered in order, so whatever its process pushed to it before is among them."""
    await request(ws, {"type": "ping", "ref": ref})
    frames = []
    async with asyncio.timeout(timeout):
        while (frame := json.loads(await ws.recv())) != {"type": "pong", "ref": ref}:
            frames.append(frame)
    return frames


async def nothing_of(ws, kinds, *, seconds):
    """No frame of these types arrives within `seconds` (others are skipped)."""
    try:
        async with asyncio.timeout(seconds):
            while True:
                frame = json.loads(await ws.recv())
                assert frame["type"] not in kinds, frame
    except TimeoutError:
        return


def online(reply):
    return {m["username"]: m["online"] for m in reply["members"]}


async def test_presence_typing_and_read_pointers_cross_processes(cluster):
    p0, p1 = cluster
    ada, bob = town_with(p0, "ada", "bob")
    async with AsyncExitStack() as stack:
        watcher = await open_socket(stack, p0, ada)
        assert online(await subscribe(watcher)) == {"ada": True, "bob": False}

        bob_far = await open_socket(stack, p1, bob)
        assert (await presence_of(watcher, "bob"))["online"] is True
        bob_near = await open_socket(stack, p0, bob)
        await subscribe(bob_near)
        second_look = await open_socket(stack, p0, ada)
        assert online(await subscribe(second_look)) == {"ada": True, "bob": True}

        # Typing from p1 reaches p0's subscribers, but not bob's own tab there.
        await request(bob_far, {"type": "typing", "room": "town"})
        typing = await next_of(watcher, "typing")
        assert typing == {"type": "typing", "room": "town", "user": {"username": "bob"}}
        # p0's hub hands a typing frame to all its subscribers of the room at once: the watcher
        # has it, so one for bob's tab there would come before the answer to a ping.
        assert [f for f in await frames_before_pong(bob_near) if f["type"] == "typing"] == []

        # A message from ada, read on p1: bob's tab on p0 learns the pointer.
        await request(watcher, {"type": "send", "room": "town", "body": "hi", "client_id": "c1"})
        ack = await next_of(watcher, "ack")
        await request(bob_far, {"type": "read", "room": "town", "seq": ack["seq"], "ref": "r"})
        assert (await next_of(bob_far, "read"))["ref"] == "r"
        assert await next_of(bob_near, "read") == {
            "type": "read",
            "room": "town",
            "seq": ack["seq"],
        }

        # Closing one tab, and moving from one process to the other within the grace: no news.
        await bob_far.close()
        await bob_near.close()
        bob_again = await open_socket(stack, p1, bob)
        # A window: an offline would come when the grace ends, from a tracker's own task.
        await nothing_of(watcher, {"presence"}, seconds=GRACE * 3)
        await bob_again.close()
        assert (await presence_of(watcher, "bob"))["online"] is False


async def test_a_killed_processs_users_go_offline_within_the_documented_time(cluster):
    p0, p1 = cluster
    ada, bob = town_with(p0, "ada", "bob")
    async with AsyncExitStack() as stack:
        watcher = await open_socket(stack, p0, ada)
        await subscribe(watcher)
        await open_socket(stack, p1, bob)
        assert (await presence_of(watcher, "bob"))["online"] is True
        p1.stop(signal.SIGKILL)
        killed_at = time.monotonic()
        offline = await presence_of(watcher, "bob", timeout=TTL + REAP + 10)
        elapsed = time.monotonic() - killed_at
        assert offline["online"] is False
        # The process entry expires TTL after its last renewal; the reaper looks every REAP.
        assert elapsed <= TTL + REAP + 1.5, elapsed
        assert online(await subscribe(watcher)) == {"ada": True, "bob": False}
