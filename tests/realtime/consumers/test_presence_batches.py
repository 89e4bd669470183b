"""Batched presence (docs/protocol.md "Big rooms"): a room's changes gathered into one frame a
second at most, and in a room too big to tell everyone, presence only for the sockets that ask.

The batch interval is longer here (2 s) than by default, so the sockets a test opens one after
the other surely fall in one interval on a busy machine.
"""

import time
from contextlib import AsyncExitStack

import pytest

from parley.rooms import services
from tests.factories import UserFactory
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)

INTERVAL = 2.0
EVERYTHING = frozenset()  # these tests see `presence` frames


@pytest.fixture(autouse=True)
def presence_times(settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "PRESENCE_GRACE_SECONDS": 0.3,
        "PRESENCE_MIN_INTERVAL_SECONDS": 0.0,
        "PRESENCE_BATCH_SECONDS": INTERVAL,
    }


@pytest.fixture
def crowd(ada, bob, general):
    """ada's `general` with six more members: bob, carol, dan, erin, fay, gus."""
    people = [bob, *(UserFactory(username=name) for name in ("carol", "dan", "erin", "fay", "gus"))]
    for person in people:
        services.room_join(user=person, room=general)
    return people


def changes_in(frame: dict) -> dict[str, bool]:
    """{username: online} of a `presence` frame of either form."""
    if "users" in frame:
        return {entry["username"]: entry["online"] for entry in frame["users"]}
    return {frame["user"]["username"]: frame["online"]}


async def test_changes_of_one_interval_come_in_one_frame_and_frames_are_an_interval_apart(
    ada, crowd
):
    async with AsyncExitStack() as stack:
        watcher = await stack.enter_async_context(connect(ada, ignore=EVERYTHING))
        await watcher.subscribe("general")
        for person in crowd[:4]:
            await stack.enter_async_context(connect(person))
        seen: dict[str, bool] = {}
        arrivals: list[tuple[float, dict]] = []
        wanted = {person.username for person in crowd[:4]}
        while set(seen) != wanted:
            frame = await watcher.wait_for(lambda f: f["type"] == "presence")
            arrivals.append((time.monotonic(), frame))
            seen.update(changes_in(frame))
    assert seen == dict.fromkeys(wanted, True)
    # Four changes, but at most two frames: the first at once, the rest gathered.
    assert len(arrivals) <= 2
    batched = [frame for _, frame in arrivals if "users" in frame]
    if len(arrivals) == 2:
        assert batched, arrivals
        # The server sends one a interval; the wire may bring them a little closer.
        assert arrivals[1][0] - arrivals[0][0] >= INTERVAL / 2
    for frame in batched:
        assert frame["room"] == "general"
        for entry in frame["users"]:
            assert set(entry) == {"username", "online", "idle"}


@pytest.fixture
def big_room(settings):
    """Rooms of more than 3 members send presence only to sockets that watch it."""
    settings.PARLEY = {**settings.PARLEY, "PRESENCE_WATCH_MEMBERS": 3}


async def test_in_a_big_room_only_watching_sockets_get_presence(ada, bob, crowd, big_room):
    carol, dan, erin = crowd[1:4]
    async with AsyncExitStack() as stack:
        watching = await stack.enter_async_context(connect(ada, ignore=EVERYTHING))
        await watching.subscribe("general")
        answer = await watching.request(
            {"type": "presence_watch", "room": "general", "watch": True}
        )
        assert {k: answer[k] for k in ("type", "room", "watch")} == {
            "type": "presence_watch",
            "room": "general",
            "watch": True,
        }
        other = await stack.enter_async_context(connect(bob, ignore=EVERYTHING))
        await other.subscribe("general")
        await stack.enter_async_context(connect(carol))
        await watching.wait_for(lambda f: f["type"] == "presence" and changes_in(f).get("carol"))
        # Delivered to every recipient at once: bob's socket would hold it before this ping.
        assert [f for f in await other.drain() if f["type"] == "presence"] == []

        # ada stops watching; erin watches now, and hears of dan; ada does not.
        assert (
            await watching.request({"type": "presence_watch", "room": "general", "watch": False})
        )["watch"] is False
        third = await stack.enter_async_context(connect(erin, ignore=EVERYTHING))
        await third.subscribe("general")
        await third.request({"type": "presence_watch", "room": "general", "watch": True})
        await stack.enter_async_context(connect(dan))
        await third.wait_for(lambda f: f["type"] == "presence" and changes_in(f).get("dan"))
        leftover = [f for f in await watching.drain() if f["type"] == "presence"]
        assert all("dan" not in changes_in(f) for f in leftover), leftover


async def test_in_a_room_under_the_threshold_everyone_gets_presence_watching_or_not(
    ada, bob, crowd
):
    async with AsyncExitStack() as stack:
        watching = await stack.enter_async_context(connect(ada, ignore=EVERYTHING))
        await watching.subscribe("general")
        assert (
            await watching.request({"type": "presence_watch", "room": "general", "watch": True})
        )["type"] == "presence_watch"
        other = await stack.enter_async_context(connect(bob, ignore=EVERYTHING))
        await other.subscribe("general")
        await stack.enter_async_context(connect(crowd[1]))
        for socket in (watching, other):
            await socket.wait_for(lambda f: f["type"] == "presence" and changes_in(f).get("carol"))


async def test_watching_a_room_the_socket_is_not_subscribed_to_is_room_not_found(ada, general):
    async with connect(ada) as socket:
        answer = await socket.request({"type": "presence_watch", "room": "general", "watch": True})
        assert error_code(answer) == "room_not_found"
        bad = await socket.request({"type": "presence_watch", "room": "general", "watch": "yes"})
        assert error_code(bad) == "bad_frame"
        await socket.ping_works()
