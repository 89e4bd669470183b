"""Presence through the real ASGI application: online on connect, several tabs as one user,
offline after the grace, flaps coalesced, idle from `activity`, and `members[].online`.

The grace is short here (settings), so "offline after the last tab closes" is an awaited frame
and "nothing for a flap" is a bounded quiet period longer than the grace. Those windows stay:
the tracker decides on its own task and timers (the grace, the minimum interval), and no frame
marks that it decided to say nothing. Where an announcement that did come can be awaited, a
test awaits it instead (tests/support/socket.py: `assert_quiet`).
"""

import time
from contextlib import AsyncExitStack

import pytest
from channels.db import database_sync_to_async

from parley.rooms import services
from parley.rooms.models import Room
from tests.factories import UserFactory, make_room
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)

GRACE = 0.3
EVERYTHING = frozenset()  # these tests see `presence` frames


@pytest.fixture(autouse=True)
def short_presence_times(settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "PRESENCE_GRACE_SECONDS": GRACE,
        "PRESENCE_MIN_INTERVAL_SECONDS": 0.0,
    }


@pytest.fixture
def people_in_general(ada, bob, general):
    """ada, bob and carol, all three members of ada's `general`; ada's `solo` is hers alone."""
    carol = UserFactory(username="carol")
    for member in (bob, carol):
        services.room_join(user=member, room=general)
    make_room(ada, slug="solo")
    return ada, bob, carol


class Tabs:
    """Sockets a test opens and closes one by one."""

    def __init__(self) -> None:
        self.stacks: dict[object, AsyncExitStack] = {}

    async def open(self, user):
        stack = AsyncExitStack()
        client = await stack.enter_async_context(connect(user, ignore=EVERYTHING))
        self.stacks[client] = stack
        return client

    async def close(self, client) -> None:
        await self.stacks.pop(client).aclose()

    async def close_all(self) -> None:
        for stack in self.stacks.values():
            await stack.aclose()


@pytest.fixture
async def tabs():
    opened = Tabs()
    yield opened
    await opened.close_all()


def presence_of(username):
    return lambda f: f["type"] == "presence" and f["user"]["username"] == username


@database_sync_to_async
def add_member(owner, slug: str, user) -> None:
    services.membership_add(actor=owner, room=Room.objects.get(slug=slug), username=user.username)


def members(reply) -> dict:
    return {m["username"]: (m["online"], m["idle"]) for m in reply["members"]}


async def test_a_member_coming_online_is_announced_to_the_rooms_subscribers(
    people_in_general, tabs
):
    ada, bob, _ = people_in_general
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    await tabs.open(bob)
    assert await watcher.wait_for(presence_of("bob")) == {
        "type": "presence",
        "room": "general",
        "user": {"username": "bob"},
        "online": True,
        "idle": False,
    }


async def test_subscribed_tells_who_is_online(people_in_general, tabs):
    ada, bob, _ = people_in_general
    await tabs.open(bob)
    watcher = await tabs.open(ada)
    reply = await watcher.subscribe("general")
    assert members(reply) == {
        "ada": (True, False),
        "bob": (True, False),
        "carol": (False, False),
    }


async def test_two_tabs_are_one_user_who_goes_offline_after_the_last_closes(
    people_in_general, tabs
):
    ada, bob, _ = people_in_general
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    first, second = await tabs.open(bob), await tabs.open(bob)
    assert (await watcher.wait_for(presence_of("bob")))["online"] is True
    await tabs.close(first)
    # One tab left: still online, nothing said (a window: an offline would come after the grace).
    await watcher.assert_quiet_for(GRACE * 3)
    closing_at = time.monotonic()  # the server sees the close after this
    await tabs.close(second)
    offline = await watcher.wait_for(presence_of("bob"))
    assert (offline["online"], offline["idle"]) == (False, False)
    assert time.monotonic() - closing_at >= GRACE * 0.95  # announced after the grace
    reply = await watcher.subscribe("general")
    assert members(reply)["bob"] == (False, False)


async def test_a_reload_within_the_grace_announces_nothing(people_in_general, tabs):
    ada, bob, _ = people_in_general
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    old = await tabs.open(bob)
    assert (await watcher.wait_for(presence_of("bob")))["online"] is True
    await tabs.close(old)
    new = await tabs.open(bob)  # the reloaded page's socket
    await watcher.assert_quiet_for(GRACE * 3)  # a window: an offline would come after the grace
    await tabs.close(new)
    assert (await watcher.wait_for(presence_of("bob")))["online"] is False


async def test_a_user_is_idle_when_every_tab_reports_idle(people_in_general, tabs):
    ada, bob, _ = people_in_general
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    first, second = await tabs.open(bob), await tabs.open(bob)
    await watcher.wait_for(presence_of("bob"))
    await first.send({"type": "activity", "state": "idle"})
    await first.ping_works()
    # The other tab is still active (a window: the tracker's task decides, and says nothing).
    await watcher.assert_quiet_for(GRACE)
    await second.send({"type": "activity", "state": "idle"})
    idle = await watcher.wait_for(presence_of("bob"))
    assert (idle["online"], idle["idle"]) == (True, True)
    later = await tabs.open(ada)
    assert members(await later.subscribe("general"))["bob"] == (True, True)
    await first.send({"type": "activity", "state": "active"})
    active = await watcher.wait_for(presence_of("bob"))
    assert (active["online"], active["idle"]) == (True, False)
    await first.assert_quiet()
    await second.assert_quiet()  # `activity` is never answered


async def test_activity_with_a_bad_state_is_refused(people_in_general, tabs):
    _, bob, _ = people_in_general
    client = await tabs.open(bob)
    assert error_code(await client.request({"type": "activity", "state": "away"})) == "invalid"
    assert error_code(await client.request({"type": "activity", "state": 1})) == "bad_frame"
    assert error_code(await client.request({"type": "activity"})) == "bad_frame"
    await client.ping_works()


async def test_presence_goes_only_to_rooms_the_user_belongs_to(people_in_general, tabs):
    ada, bob, _ = people_in_general
    watcher = await tabs.open(ada)
    await watcher.subscribe("solo")  # bob is no member of it
    witness = await tabs.open(ada)
    await witness.subscribe("general")  # he is of this one
    await tabs.open(bob)
    # Bob coming online is announced to each of his rooms at once: once the witness has it, a
    # frame for `solo` would come before a hub marker published now.
    await witness.wait_for(presence_of("bob"))
    await watcher.assert_quiet()


async def test_a_user_is_not_told_their_own_presence(people_in_general, tabs):
    ada, _, _ = people_in_general
    first = await tabs.open(ada)
    await first.subscribe("general")
    second = await tabs.open(ada)
    await tabs.close(second)
    # A window: an announcement of ada's (her first tab's opening, a close) comes from the
    # tracker's task, after the grace for a close; no frame marks that it said nothing.
    await first.assert_quiet_for(GRACE * 3)


async def test_changes_within_the_minimum_interval_are_coalesced(people_in_general, tabs, settings):
    settings.PARLEY = {**settings.PARLEY, "PRESENCE_MIN_INTERVAL_SECONDS": 1.0}
    ada, bob, _ = people_in_general
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    client = await tabs.open(bob)
    await watcher.wait_for(presence_of("bob"))  # online, written at once
    await client.send({"type": "activity", "state": "idle"})
    await client.send({"type": "activity", "state": "active"})
    await client.ping_works()
    # Idle and active again before bob's next write was due: nothing to announce (a window
    # past the minimum interval, when the tracker writes again and finds nothing changed).
    await watcher.assert_quiet_for(1.5)


async def test_a_member_who_joins_online_is_announced_after_the_join(people_in_general, tabs):
    ada, bob, carol = people_in_general
    watcher = await tabs.open(ada)
    await watcher.subscribe("solo")
    joiner = await tabs.open(bob)
    assert (await joiner.request({"type": "join", "room": "solo"}))["type"] == "joined"
    join = await watcher.wait_for(lambda f: f["type"] == "event")
    presence = await watcher.wait_for(presence_of("bob"))
    assert (join["kind"], presence["online"], presence["room"]) == ("join", True, "solo")
    assert watcher.position(join) < watcher.position(presence)
    # carol, offline, is added by the owner: the join alone says she is offline.
    await add_member(ada, "solo", carol)
    await watcher.wait_for(lambda f: f["type"] == "event" and f["user"]["username"] == "carol")
    # (bob's own announcement may come again, from his connect: the same state, harmless.)
    # A window: the hub tells a new member's presence from a task of its own after the join.
    later = await watcher.drain_for(GRACE)
    assert [f for f in later if f["type"] == "presence" and f["user"]["username"] != "bob"] == []
