"""Big rooms' member lists on the socket (docs/protocol.md "Big rooms"): `subscribed` lists a big
room's first page of members, online first, with `members_total`; `members` pages and searches
the members of any room a user may read.

A big room here is one of more than 3 members (settings), with pages of 2.
"""

from contextlib import AsyncExitStack

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import transaction

from parley.accounts.profiles import profile_update
from parley.rooms import services
from tests.factories import UserFactory
from tests.factories import make_room as make_room_sync
from tests.support.data import make_room, make_user
from tests.support.queries import queries_on_all_threads
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)

EVERYTHING = frozenset()  # sockets that see `presence` frames


@pytest.fixture(autouse=True)
def small_big_rooms(settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "BIG_ROOM_MEMBERS": 3,
        "MEMBERS_PAGE": 2,
        "PRESENCE_MIN_INTERVAL_SECONDS": 0.0,
    }


@pytest.fixture
async def five():
    """ada, bob, carol, dave and erin, all members of ada's public `general` (a big room); ada's
    private `secret` has ada alone; frank is in no room."""
    people = {name: await make_user(name) for name in ("ada", "bob", "carol", "dave", "erin")}
    others = [people[name] for name in ("bob", "carol", "dave", "erin")]
    await make_room(people["ada"], "general", members=others)
    await make_room(people["ada"], "secret", visibility="private")
    people["frank"] = await make_user("frank")
    return people


@sync_to_async
def named(user, display_name: str) -> None:
    profile_update(
        user=user, display_name=display_name, time_zone="", status_emoji="", status_text=""
    )


def listed(frame: dict) -> list[tuple[str, bool, bool]]:
    return [(m["username"], m["online"], m["idle"]) for m in frame["members"]]


def shows(username: str, *, online: bool, idle: bool):
    """A `presence` frame (one user's, or a batch) that shows `username` so."""
    state = {"username": username, "online": online, "idle": idle}

    def predicate(frame: dict) -> bool:
        if frame["type"] != "presence":
            return False
        if "users" in frame:
            return state in frame["users"]
        one = {
            "username": frame["user"]["username"],
            "online": frame["online"],
            "idle": frame["idle"],
        }
        return one == state

    return predicate


async def online(stack: AsyncExitStack, user):
    """A socket of `user`, open until the stack closes, that the hub has counted."""
    socket = await stack.enter_async_context(connect(user))
    await socket.ping_works()  # handled after the handshake's `hub.connect`
    return socket


async def test_a_big_rooms_subscribed_lists_its_first_page_online_first(five):
    async with AsyncExitStack() as stack:
        await online(stack, five["dave"])
        erin = await online(stack, five["erin"])
        reply = await erin.subscribe("general")
    assert reply["members_total"] == 5
    assert listed(reply) == [("dave", True, False), ("erin", True, False)]


async def test_a_room_not_big_lists_every_member_by_name_without_a_total(five):
    await make_room(five["carol"], "small", members=[five["ada"], five["bob"]])
    async with AsyncExitStack() as stack:
        carol = await online(stack, five["carol"])
        reply = await carol.subscribe("small")
    assert "members_total" not in reply
    assert listed(reply) == [("ada", False, False), ("bob", False, False), ("carol", True, False)]


async def test_members_pages_list_every_member_once_active_then_idle_then_offline(five):
    async with AsyncExitStack() as stack:
        erin = await stack.enter_async_context(connect(five["erin"], ignore=EVERYTHING))
        await erin.ping_works()
        await erin.subscribe("general")
        await online(stack, five["dave"])
        carol = await online(stack, five["carol"])
        await carol.send({"type": "activity", "state": "idle"})
        await erin.wait_for(shows("carol", online=True, idle=True))
        pages = [
            await erin.request({"type": "members", "room": "general", "offset": offset, "limit": 2})
            for offset in (0, 2, 4)
        ]
    assert [(p["type"], p["room"], p["offset"], p["members_total"]) for p in pages] == [
        ("members", "general", 0, 5),
        ("members", "general", 2, 5),
        ("members", "general", 4, 5),
    ]
    assert [entry for page in pages for entry in listed(page)] == [
        ("dave", True, False),
        ("erin", True, False),
        ("carol", True, True),
        ("ada", False, False),
        ("bob", False, False),
    ]


async def test_members_defaults_to_the_first_hundred_and_an_offset_past_the_end_is_empty(five):
    async with connect(five["bob"]) as bob:
        first = await bob.request({"type": "members", "room": "general"})
        past = await bob.request({"type": "members", "room": "general", "offset": 9})
    assert (first["offset"], first["members_total"], len(first["members"])) == (0, 5, 5)
    assert (past["offset"], past["members_total"], past["members"]) == (9, 5, [])


async def test_a_members_query_finds_usernames_and_display_names_in_any_case(five):
    await named(five["dave"], "Bart")
    await named(five["bob"], "Robert")
    async with AsyncExitStack() as stack:
        await online(stack, five["dave"])
        ada = await online(stack, five["ada"])
        reply = await ada.request({"type": "members", "room": "general", "query": "AR"})
    assert reply["members_total"] == 2
    assert reply["members"] == [
        {"username": "dave", "online": True, "idle": False, "display_name": "Bart"},
        {"username": "carol", "online": False, "idle": False},
    ]


@pytest.mark.parametrize(
    "fields",
    [{"offset": -1}, {"limit": 0}, {"limit": 201}, {"query": "x" * 65}],
    ids=["negative offset", "zero limit", "limit over 200", "query over 64"],
)
async def test_a_members_page_out_of_bounds_is_invalid(five, fields):
    async with connect(five["bob"]) as bob:
        reply = await bob.request({"type": "members", "room": "general", "ref": "m1", **fields})
    assert error_code(reply) == "invalid" and reply["ref"] == "m1"


async def test_members_of_a_room_the_user_cannot_read_is_room_not_found(five):
    async with connect(five["frank"]) as frank:
        hidden = await frank.request({"type": "members", "room": "secret"})
        missing = await frank.request({"type": "members", "room": "nowhere"})
        # Even out of bounds: the room is looked up first.
        hidden_invalid = await frank.request({"type": "members", "room": "secret", "limit": 0})
    assert [error_code(f) for f in (hidden, missing, hidden_invalid)] == ["room_not_found"] * 3


async def test_a_non_member_may_page_a_public_rooms_members(five):
    async with connect(five["frank"]) as frank:
        reply = await frank.request({"type": "members", "room": "general", "limit": 3})
    assert reply["members_total"] == 5
    assert [m["username"] for m in reply["members"]] == ["ada", "bob", "carol"]


# -- costs ------------------------------------------------------------------------------------


@database_sync_to_async
def _room_of(slug: str, members: int) -> None:
    owner = UserFactory(username=f"{slug}-owner")
    with transaction.atomic():
        room = make_room_sync(owner, slug=slug)
        for n in range(members - 1):
            services.room_join(user=UserFactory(username=f"{slug}-{n:03}"), room=room)


async def _queries_to_list(user, slug: str) -> int:
    """The statements a `subscribe` and a `members` of the room cost, the socket already open."""
    async with connect(user) as client:
        await client.ping_works()
        with queries_on_all_threads() as queries:
            reply = await client.subscribe(slug)
            page = await client.request({"type": "members", "room": slug, "query": "0"})
            count = len(queries)
    assert len(reply["members"]) == 2 and page["type"] == "members"
    return count


async def test_listing_a_big_rooms_members_costs_the_same_queries_whatever_its_size(five):
    # Both above RECEIPTS_MAX_MEMBERS (20): neither room reads the members' read pointers.
    await _room_of("thirties", 30)
    await _room_of("hundreds", 120)
    ada, frank = five["ada"], five["frank"]
    lobby = await make_room(ada, "lobby", members=[frank])
    async with AsyncExitStack() as stack:
        watcher = await stack.enter_async_context(connect(ada, ignore=EVERYTHING))
        await watcher.subscribe(lobby.slug)
        await stack.enter_async_context(connect(frank))
        # frank is online, announced: his sockets to come change nothing of his presence.
        await watcher.wait_for(shows("frank", online=True, idle=False))
        small = await _queries_to_list(frank, "thirties")
        large = await _queries_to_list(frank, "hundreds")
    assert small == large
