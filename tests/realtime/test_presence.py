"""Presence through the real ASGI application: online on connect, several tabs as one user,
offline after the grace, flaps coalesced, idle from `activity`, and `members[].online`.

The grace is short here (settings), so "offline after the last tab closes" is an awaited frame
and "nothing for a flap" is a bounded quiet period longer than the grace.
"""

import time
from contextlib import AsyncExitStack

import pytest
from channels.db import database_sync_to_async

from parley.rooms import services
from parley.rooms.models import Room
from tests.realtime.helpers import connect, error_code, make_room, make_user

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
async def people():
    ada, bob, carol = await make_user("ada"), await make_user("bob"), await make_user("carol")
    await make_room(ada, "general", members=[bob, carol])
    await make_room(ada, "solo")
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


async def test_a_member_coming_online_is_announced_to_the_rooms_subscribers(people, tabs):
    ada, bob, _ = people
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


async def test_subscribed_tells_who_is_online(people, tabs):
    ada, bob, _ = people
    await tabs.open(bob)
    watcher = await tabs.open(ada)
    reply = await watcher.subscribe("general")
    assert members(reply) == {
        "ada": (True, False),
        "bob": (True, False),
        "carol": (False, False),
    }


async def test_two_tabs_are_one_user_who_goes_offline_after_the_last_closes(people, tabs):
    ada, bob, _ = people
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    first, second = await tabs.open(bob), await tabs.open(bob)
    assert (await watcher.wait_for(presence_of("bob")))["online"] is True
    await tabs.close(first)
    await watcher.assert_quiet(timeout=GRACE * 3)  # one tab left: still online, nothing said
    closing_at = time.monotonic()  # the server sees the close after this
    await tabs.close(second)
    offline = await watcher.wait_for(presence_of("bob"))
    assert (offline["online"], offline["idle"]) == (False, False)
    assert time.monotonic() - closing_at >= GRACE * 0.95  # announced after the grace
    reply = await watcher.subscribe("general")
    assert members(reply)["bob"] == (False, False)


async def test_a_reload_within_the_grace_announces_nothing(people, tabs):
    ada, bob, _ = people
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    old = await tabs.open(bob)
    assert (await watcher.wait_for(presence_of("bob")))["online"] is True
    await tabs.close(old)
    new = await tabs.open(bob)  # the reloaded page's socket
    await watcher.assert_quiet(timeout=GRACE * 3)
    await tabs.close(new)
    assert (await watcher.wait_for(presence_of("bob")))["online"] is False


async def test_a_user_is_idle_when_every_tab_reports_idle(people, tabs):
    ada, bob, _ = people
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    first, second = await tabs.open(bob), await tabs.open(bob)
    await watcher.wait_for(presence_of("bob"))
    await first.send({"type": "activity", "state": "idle"})
    await first.ping_works()
    await watcher.assert_quiet(timeout=GRACE)  # the other tab is still active
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


async def test_activity_with_a_bad_state_is_refused(people, tabs):
    _, bob, _ = people
    client = await tabs.open(bob)
    assert error_code(await client.request({"type": "activity", "state": "away"})) == "invalid"
    assert error_code(await client.request({"type": "activity", "state": 1})) == "bad_frame"
    assert error_code(await client.request({"type": "activity"})) == "bad_frame"
    await client.ping_works()


async def test_presence_goes_only_to_rooms_the_user_belongs_to(people, tabs):
    ada, bob, _ = people
    watcher = await tabs.open(ada)
    await watcher.subscribe("solo")  # bob is no member of it
    await tabs.open(bob)
    await watcher.assert_quiet(timeout=GRACE)


async def test_a_user_is_not_told_their_own_presence(people, tabs):
    ada, _, _ = people
    first = await tabs.open(ada)
    await first.subscribe("general")
    second = await tabs.open(ada)
    await tabs.close(second)
    await first.assert_quiet(timeout=GRACE * 3)


async def test_changes_within_the_minimum_interval_are_coalesced(people, tabs, settings):
    settings.PARLEY = {**settings.PARLEY, "PRESENCE_MIN_INTERVAL_SECONDS": 1.0}
    ada, bob, _ = people
    watcher = await tabs.open(ada)
    await watcher.subscribe("general")
    client = await tabs.open(bob)
    await watcher.wait_for(presence_of("bob"))  # online, written at once
    await client.send({"type": "activity", "state": "idle"})
    await client.send({"type": "activity", "state": "active"})
    await client.ping_works()
    # Idle and active again before bob's next write was due: nothing to announce.
    await watcher.assert_quiet(timeout=1.5)


async def test_a_member_who_joins_online_is_announced_after_the_join(people, tabs):
    ada, bob, carol = people
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
    later = await watcher.drain(timeout=GRACE)
    assert [f for f in later if f["type"] == "presence" and f["user"]["username"] != "bob"] == []
