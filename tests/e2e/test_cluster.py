"""Two real server processes sharing PostgreSQL and Redis: one chat, whichever process serves."""

import asyncio
import json
from contextlib import AsyncExitStack

import pytest
from websockets.asyncio.client import connect

from tests.e2e.live import HttpSession
from tests.e2e.services import fresh_postgres_database, private_redis, running_servers
from tests.e2e.test_live_server import next_of

pytestmark = pytest.mark.live


@pytest.fixture
def cluster(tmp_path):
    with fresh_postgres_database() as database_url, private_redis() as redis:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            # One secret for the cluster: a session made on one process is valid on the other.
            "SECRET_KEY": "cluster-test-secret-key-of-sufficient-length-0123456789",
            "PARLEY_SWEEP_SECONDS": "0.5",
        }
        with running_servers(tmp_path, env) as servers:
            yield servers, redis


def sessions(server, names):
    result = []
    for name in names:
        session = HttpSession(server.base_url)
        session.signup(name)
        result.append(session)
    return result


async def open_clients(stack, servers, users):
    """One socket per user, alternating between the processes, each joined and subscribed."""
    sockets = []
    for n, user in enumerate(users):
        server = servers[n % len(servers)]
        headers = {**user.ws_headers(), "Origin": server.base_url}
        ws = await stack.enter_async_context(connect(server.ws_url, additional_headers=headers))
        await ws.send(json.dumps({"type": "join", "room": "town"}))
        await next_of(ws, "joined")
        await ws.send(json.dumps({"type": "subscribe", "room": "town"}))
        await next_of(ws, "subscribed")
        sockets.append(ws)
    return sockets


async def send_all(ws, prefix, count):
    for n in range(count):
        body = f"{prefix}-{n}"
        await ws.send(json.dumps({"type": "send", "room": "town", "body": body, "client_id": body}))


async def messages(ws, count, *, timeout=30):
    """The next `count` message items this socket receives, skipping other frames."""
    received = []
    async with asyncio.timeout(timeout):
        while len(received) < count:
            frame = json.loads(await ws.recv())
            if frame["type"] == "message":
                received.append(frame)
    return received


def assert_one_order(streams, expected_bodies):
    """Every socket saw every message once, in strictly increasing seq, all in the same order."""
    first = streams[0]
    for stream in streams:
        seqs = [item["seq"] for item in stream]
        assert seqs == sorted(set(seqs)), "out of order or duplicated"
        assert [item["id"] for item in stream] == [item["id"] for item in first]
        assert sorted(item["body"] for item in stream) == sorted(expected_bodies)


async def test_messages_through_either_process_reach_every_subscriber_once_in_order(cluster):
    servers, _ = cluster
    owner, *others = sessions(servers[0], ["owner", "u1", "u2", "u3"])
    owner.post_form("/rooms/new/", {"name": "Town", "slug": "town", "visibility": "public"})
    async with AsyncExitStack() as stack:
        sockets = await open_clients(stack, servers, [owner, *others])
        await asyncio.gather(*(send_all(ws, f"w{n}", 15) for n, ws in enumerate(sockets)))
        streams = await asyncio.gather(*(messages(ws, 60) for ws in sockets))
    assert_one_order(streams, [f"w{n}-{i}" for n in range(4) for i in range(15)])


async def test_a_redis_restart_loses_nothing_and_the_processes_recover(cluster):
    servers, redis = cluster
    owner, other = sessions(servers[0], ["owner", "other"])
    owner.post_form("/rooms/new/", {"name": "Town", "slug": "town", "visibility": "public"})
    async with AsyncExitStack() as stack:
        a, b = await open_clients(stack, servers, [owner, other])
        await send_all(a, "before", 5)
        first = await asyncio.gather(messages(a, 5), messages(b, 5))

        redis.stop()
        # Stored and acked without Redis; delivered from the database by each process's sweep.
        await send_all(a, "during", 5)
        await send_all(b, "during-b", 5)
        during = await asyncio.gather(messages(a, 10), messages(b, 10))

        redis.start()
        await send_all(b, "after", 5)
        after = await asyncio.gather(messages(a, 5), messages(b, 5))
    streams = [first[n] + during[n] + after[n] for n in range(2)]
    expected = [f"{p}-{i}" for p in ("before", "during", "during-b", "after") for i in range(5)]
    assert_one_order(streams, expected)
    # Both processes are still serving.
    for server in servers:
        assert HttpSession(server.base_url).get("/healthz")[0] == 200


async def test_a_room_made_private_in_the_admin_of_one_process_ends_subscriptions_on_the_other(
    cluster,
):
    (first, second), _ = cluster
    ada, bob = sessions(first, ["ada", "bob"])
    ada.post_form("/rooms/new/", {"name": "Town", "slug": "town", "visibility": "public"})
    first.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "get_user_model().objects.create_superuser('root', password='correct-horse-battery-9')\n",
    )
    root = HttpSession(first.base_url)
    root.login("root")
    room_id = first.manage(
        "shell",
        "-c",
        "from parley.rooms.models import Room\nprint(Room.objects.get(slug='town').pk)",
    ).split()[-1]

    headers = {**bob.ws_headers(), "Origin": second.base_url}
    async with connect(second.ws_url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "subscribe", "room": "town"}))
        await next_of(ws, "subscribed")
        status, _, _ = await asyncio.to_thread(
            root.post_form,
            f"/admin/rooms/room/{room_id}/change/",
            {"name": "Town", "visibility": "private", "owner": "1",
             "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
        )  # fmt: skip
        assert status == 200  # the admin's redirect, followed
        notice = await next_of(ws, "unsubscribed")
        assert notice == {"type": "unsubscribed", "room": "town", "reason": "removed"}
        await ws.send(json.dumps({"type": "subscribe", "room": "town", "ref": "again"}))
        refused = await next_of(ws, "error")
        assert (refused["code"], refused["ref"]) == ("room_not_found", "again")
