"""The server delivers every item once and in seq order, whatever the channel layer does.

The layer is made to drop, duplicate and reorder what Parley publishes (by wrapping the publisher's
enqueue step); subscribers must still see 1, 2, 3, … exactly once, refilled from the database.
"""

import asyncio

import pytest

from parley.realtime import broadcast
from tests.support.data import join, make_room, make_user
from tests.support.socket import connect

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
    ada = await make_user("ada")
    await make_room(ada, "ops")
    return ada


async def _send_all(sock, bodies):
    for n, body in enumerate(bodies):
        await sock.send({"type": "send", "room": "ops", "body": body, "client_id": f"c{n}"})
    return [await sock.wait_for(lambda f: f["type"] == "ack") for _ in bodies]


async def _quiet(sock, *, seconds):
    """Nothing more arrives but `read` frames: the reader is a tab of the author, whose read
    pointer each message moves (docs/protocol.md).

    A time window, not an awaited marker: what would come twice or late here comes from the
    hub's refills, which run on its own timers (the gap grace, the sweep every 0.2 s here), and
    no frame marks that the last of them has run.
    """
    for frame in await sock.drain_for(seconds):
        assert frame["type"] == "read", frame


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
    async with connect(ada) as writer, connect(ada) as reader:
        subscribed = await reader.subscribe("ops")
        assert subscribed["last_seq"] == 1
        acks = await _send_all(writer, [f"m{n}" for n in range(5)])
        assert [ack["seq"] for ack in acks] == [2, 3, 4, 5, 6]
        items = await reader.items("ops", 5)
        assert [item["seq"] for item in items] == [2, 3, 4, 5, 6]
        assert [item["body"] for item in items] == ["m0", "m1", "m2", "m3", "m4"]
        await _quiet(reader, seconds=0.5)


async def test_replay_and_live_stream_meet_without_gap_or_duplicate():
    """Subscribing with `after` while another socket keeps posting: each item exactly once."""
    ada = await _room_with_two_sockets()
    async with connect(ada) as writer, connect(ada) as reader:
        await _send_all(writer, [f"early{n}" for n in range(10)])  # seq 2..11

        async def post_more():
            return await _send_all(writer, [f"late{n}" for n in range(30)])

        posting = asyncio.create_task(post_more())
        await reader.send({"type": "subscribe", "room": "ops", "after": 0})
        subscribed = await reader.next()
        assert subscribed["type"] == "subscribed"
        acks = await posting
        last = acks[-1]["seq"]
        items = await reader.items("ops", last)
        assert [item["seq"] for item in items] == list(range(1, last + 1))
        await _quiet(reader, seconds=0.3)


async def test_many_writers_one_order_for_every_reader():
    users = [await make_user(f"w{n}") for n in range(4)]
    await make_room(users[0], "ops")
    for user in users[1:]:
        await join(user, "ops")
    async with (
        connect(users[0]) as r1,
        connect(users[1]) as r2,
        connect(users[2]) as w1,
        connect(users[3]) as w2,
    ):
        for reader in (r1, r2):
            assert (await reader.subscribe("ops"))["last_seq"] == 4
        bodies = [f"x{n}" for n in range(20)]
        acks = await asyncio.gather(_send_all(w1, bodies), _send_all(w2, bodies))
        acked = sorted(ack["seq"] for ack in acks[0] + acks[1])
        assert acked == list(range(5, 45))
        seen = [await r.items("ops", 40) for r in (r1, r2)]
        for items in seen:
            assert [item["seq"] for item in items] == list(range(5, 45))
        assert [i["id"] for i in seen[0]] == [i["id"] for i in seen[1]]
