"""The server delivers every item once and in seq order, whatever the channel layer does.

The layer is made to drop, duplicate and reorder what Parley publishes (by wrapping the publisher's
enqueue step); subscribers must still see 1, 2, 3, … exactly once, refilled from the database.
"""

import asyncio

import pytest
from channels.db import database_sync_to_async

from parley.realtime import broadcast
from tests.conftest import request, ws_client
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_sweep(settings):
    settings.PARLEY = {**settings.PARLEY, "SWEEP_SECONDS": 0.2}


@pytest.fixture
def layer_faults(monkeypatch):
    """Rules applied to each published room item by seq: 'drop', 'twice' or 'hold' (reorder)."""
    rules: dict[int, str] = {}
    held: list[tuple[str, dict]] = []
    real_enqueue = broadcast._enqueue

    def faulty_enqueue(group, message):
        rule = rules.get(message.get("seq")) if message.get("type") == broadcast.ROOM_ITEM else None
        if rule == "drop":
            return
        if rule == "hold":
            held.append((group, message))
            return
        real_enqueue(group, message)
        if rule == "twice":
            real_enqueue(group, message)
        while held and rule != "hold":
            real_enqueue(*held.pop(0))

    monkeypatch.setattr(broadcast, "_enqueue", faulty_enqueue)
    return rules


async def _room_with_two_sockets():
    ada = await database_sync_to_async(UserFactory)(username="ada")
    await database_sync_to_async(make_room)(ada, slug="ops")
    return ada


async def _send_all(sock, bodies):
    for n, body in enumerate(bodies):
        await sock.send_json_to({"type": "send", "room": "ops", "body": body, "client_id": f"c{n}"})
    acks = []
    while len(acks) < len(bodies):
        frame = await sock.receive_json_from(timeout=5)
        if frame["type"] == "ack":
            acks.append(frame)
    return acks


async def _quiet(sock, *, timeout):
    """Nothing more arrives but `read` frames: the reader is a tab of the author, whose read
    pointer each message moves (docs/protocol.md)."""
    while not await sock.receive_nothing(timeout=timeout):
        frame = await sock.receive_json_from(timeout=5)
        assert frame["type"] == "read", frame


async def _items(sock, count, *, timeout=5):
    items = []
    while len(items) < count:
        frame = await sock.receive_json_from(timeout=timeout)
        if frame["type"] in {"message", "event"}:
            items.append(frame)
    return items


@pytest.mark.parametrize(
    "rules",
    [
        {3: "drop", 4: "drop"},  # a gap, closed when seq 5 arrives
        {6: "drop"},  # the last item: only the sweep can notice
        {2: "twice", 4: "twice"},  # duplicates
        {3: "hold"},  # 3 arrives after 4: reordered
    ],
    ids=["gap", "lost-last", "duplicates", "reordered"],
)
async def test_subscribers_see_every_item_once_in_order(layer_faults, rules):
    layer_faults.update(rules)
    ada = await _room_with_two_sockets()
    async with ws_client(ada) as writer, ws_client(ada) as reader:
        subscribed = await request(reader, {"type": "subscribe", "room": "ops"})
        assert subscribed["last_seq"] == 1
        acks = await _send_all(writer, [f"m{n}" for n in range(5)])
        assert [ack["seq"] for ack in acks] == [2, 3, 4, 5, 6]
        items = await _items(reader, 5)
        assert [item["seq"] for item in items] == [2, 3, 4, 5, 6]
        assert [item["body"] for item in items] == ["m0", "m1", "m2", "m3", "m4"]
        await _quiet(reader, timeout=0.5)


async def test_replay_and_live_stream_meet_without_gap_or_duplicate():
    """Subscribing with `after` while another socket keeps posting: each item exactly once."""
    ada = await _room_with_two_sockets()
    async with ws_client(ada) as writer, ws_client(ada) as reader:
        await _send_all(writer, [f"early{n}" for n in range(10)])  # seq 2..11

        async def post_more():
            return await _send_all(writer, [f"late{n}" for n in range(30)])

        posting = asyncio.create_task(post_more())
        await reader.send_json_to({"type": "subscribe", "room": "ops", "after": 0})
        subscribed = await reader.receive_json_from(timeout=5)
        assert subscribed["type"] == "subscribed"
        acks = await posting
        last = acks[-1]["seq"]
        items = await _items(reader, last)
        assert [item["seq"] for item in items] == list(range(1, last + 1))
        await _quiet(reader, timeout=0.3)


async def test_many_writers_one_order_for_every_reader():
    users = [await database_sync_to_async(UserFactory)(username=f"w{n}") for n in range(4)]
    room = await database_sync_to_async(make_room)(users[0], slug="ops")
    from parley.rooms import services

    for user in users[1:]:
        await database_sync_to_async(services.room_join)(user=user, room=room)
    async with (
        ws_client(users[0]) as r1,
        ws_client(users[1]) as r2,
        ws_client(users[2]) as w1,
        ws_client(users[3]) as w2,
    ):
        for reader in (r1, r2):
            assert (await request(reader, {"type": "subscribe", "room": "ops"}))["last_seq"] == 4
        bodies = [f"x{n}" for n in range(20)]
        acks = await asyncio.gather(_send_all(w1, bodies), _send_all(w2, bodies))
        acked = sorted(ack["seq"] for ack in acks[0] + acks[1])
        assert acked == list(range(5, 45))
        seen = [await _items(r, 40) for r in (r1, r2)]
        for items in seen:
            assert [item["seq"] for item in items] == list(range(5, 45))
        assert [i["id"] for i in seen[0]] == [i["id"] for i in seen[1]]
