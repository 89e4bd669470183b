"""The per-process room cache behind `subscribed`: a storm of subscribers reads the member list
and renders each missed item once, every reply is the one an uncached read gives, and a change
of the room (a join, a leave, a message) shows in the next `subscribed`.
"""

import asyncio
from collections import OrderedDict
from contextlib import AsyncExitStack
from datetime import UTC, datetime

import orjson
import pytest
from channels.db import database_sync_to_async

from parley.realtime import subscribe as subscribing
from parley.realtime.batched_lookup import BatchedLookup
from parley.realtime.member_lists import MemberLists
from parley.realtime.presence import Status
from parley.realtime.room_cache import RoomCache, room_cache
from parley.rooms import selectors
from parley.rooms.models import Item
from parley.rooms.selectors import MemberRows
from parley.rooms.values import item_value
from parley.wire import frames
from tests.support.data import join, leave, make_room, make_user, post, post_many
from tests.support.socket import connect, seqs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def empty_cache():
    room_cache.clear()
    yield
    room_cache.clear()


@pytest.fixture
async def twelve_users():
    return [await make_user(f"user{n:02}") for n in range(12)]


@pytest.fixture
async def general_of_twelve(twelve_users):
    """user00 made it (seq 1), the 11 others joined (seqs 2..12), then 30 messages (13..42)."""
    room = await make_room(twelve_users[0], "general", members=twelve_users[1:])
    await post_many(twelve_users[1], "general", 30)
    return room


class Calls:
    """Counts the calls of a function, still calling it."""

    def __init__(self, monkeypatch, owner, name: str) -> None:
        self.count = 0
        real = getattr(owner, name)

        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


@database_sync_to_async
def fresh_frames(slug: str, after: int) -> list[dict]:
    """The room's items after `after`, rendered now, without any cache."""
    items = Item.objects.filter(room__slug=slug, seq__gt=after).select_related("user")
    return [
        orjson.loads(frames.item_text(item_value(item, room_slug=slug)))
        for item in items.order_by("seq")
    ]


def member_names(reply) -> list[str]:
    return [member["username"] for member in reply["members"]]


async def test_a_storm_of_subscribers_gets_identical_replies_from_one_read_per_thread(
    twelve_users, general_of_twelve, monkeypatch, settings
):
    renders = Calls(monkeypatch, subscribing, "item_value")
    member_reads = Calls(monkeypatch, selectors, "room_member_rows")
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(connect(user)) for user in twelve_users]
        replies = await asyncio.gather(*(c.subscribe("general", after=10) for c in clients))
        backlogs = [await c.items("general", 32) for c in clients]
    for reply in replies:
        assert reply["last_seq"] == 42
        assert member_names(reply) == [user.username for user in twelve_users]
        assert reply["members"] == replies[0]["members"]
    expected = await fresh_frames("general", 10)
    assert [seqs(backlog) for backlog in backlogs] == [list(range(11, 43))] * len(twelve_users)
    assert all(backlog == expected for backlog in backlogs)
    # Each missed item rendered once, and the members read once, for 12 subscribers; with a
    # pool of database threads (PostgreSQL) once per thread at most: the subscribers that
    # read before the first one filled the cache.
    threads = settings.PARLEY["DATABASE_THREADS"]
    assert threads < len(twelve_users)
    assert 1 <= member_reads.count <= threads
    assert 32 <= renders.count <= 32 * threads


async def test_subscribes_of_sockets_waiting_together_are_read_in_one_database_call(
    twelve_users, general_of_twelve, monkeypatch
):
    """The first call's reads are held until all twelve subscribers wait for theirs: those not
    in it are then read together, in one more call (or none: all twelve may be in the first),
    and each reply is still that subscriber's own."""
    # Not the id an earlier test's "general" had: a remembered one is looked up again.
    monkeypatch.setattr(subscribing, "_open_rooms", OrderedDict())
    waiting = 0
    all_waiting = asyncio.Event()
    batches: list[list[str]] = []
    real_backlog = subscribing._backlog

    async def backlog(user, *args):
        nonlocal waiting
        waiting += 1
        if waiting == len(twelve_users):
            all_waiting.set()
        return await real_backlog(user, *args)

    async def backlogs(keys):
        batches.append(sorted(key.user.username for key in keys))
        if len(batches) == 1:
            await asyncio.wait_for(all_waiting.wait(), 10)
        return await subscribing._backlogs(keys)

    monkeypatch.setattr(subscribing, "_backlog", backlog)
    monkeypatch.setattr(
        subscribing,
        "_backlog_reads",
        BatchedLookup(
            backlogs,
            batch_size=lambda: 50,
            in_flight=lambda: 1,
            copy_answer=subscribing._copy_reads,
        ),
    )
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(connect(user)) for user in twelve_users]
        replies = await asyncio.gather(*(c.subscribe("general", after=40) for c in clients))
        backlogs_seen = [await c.items("general", 2) for c in clients]
    assert len(batches) <= 2  # one call each before
    assert sorted(name for batch in batches for name in batch) == sorted(
        user.username for user in twelve_users
    )
    for user, reply in zip(twelve_users, replies, strict=True):
        assert reply["last_seq"] == 42
        # Each subscriber's own read state: user01 posted the 30 messages, the others have
        # them unread (none read any).
        assert reply["unread"] == (0 if user.username == "user01" else 30), user.username
    assert backlogs_seen == [await fresh_frames("general", 40)] * len(twelve_users)


async def test_a_message_after_caching_is_in_the_next_subscribed(twelve_users, general_of_twelve):
    async with connect(twelve_users[2]) as client:
        await client.subscribe("general", after=40)
        assert seqs(await client.items("general", 2)) == [41, 42]
    await post(twelve_users[3], "general", "after the cache", "late")
    async with connect(twelve_users[2]) as client:
        reply = await client.subscribe("general", after=40)
        assert reply["last_seq"] == 43
        items = await client.items("general", 3)
        assert seqs(items) == [41, 42, 43]
        assert items[-1]["body"] == "after the cache"
        assert items == await fresh_frames("general", 40)


async def test_a_join_and_a_leave_after_caching_are_in_the_next_subscribed(
    twelve_users, general_of_twelve
):
    newcomer = await make_user("aaron")
    async with connect(twelve_users[0]) as client:
        reply = await client.subscribe("general")
        assert "aaron" not in member_names(reply)
        await join(newcomer, "general")
        assert (await client.item("general"))["kind"] == "join"
        again = await client.subscribe("general")
        assert member_names(again) == ["aaron", *(user.username for user in twelve_users)]
        await leave(twelve_users[5], "general")
        assert (await client.item("general"))["kind"] == "leave"
        third = await client.subscribe("general")
        assert "user05" not in member_names(third)
        assert len(member_names(third)) == len(twelve_users)


async def test_a_truncated_replay_from_the_cache_says_where_it_was_cut(
    twelve_users, general_of_twelve, settings
):
    settings.PARLEY = {**settings.PARLEY, "REPLAY_LIMIT": 5}
    for _ in range(2):  # the second subscriber's replay comes from the cache
        async with connect(twelve_users[1]) as client:
            reply = await client.subscribe("general", after=20)
            assert reply["last_seq"] == 42
            assert seqs(await client.items("general", 5)) == [21, 22, 23, 24, 25]
            cut = await client.wait_for(lambda f: f["type"] == "backlog_truncated")
            assert (cut["after"], cut["last_seq"]) == (25, 42)


async def test_unread_counts_from_kept_message_counts_match_the_database(
    twelve_users, general_of_twelve
):
    def read_state(reply) -> tuple[int, int]:
        return reply["last_read"], reply["unread"]

    async with connect(twelve_users[0]) as reader, connect(twelve_users[3]) as other:
        assert read_state(await reader.subscribe("general")) == (0, 30)  # messages 13..42
        await reader.request({"type": "read", "room": "general", "seq": 20})
        assert read_state(await reader.subscribe("general")) == (20, 22)  # 21..42, kept counts
        await post(twelve_users[2], "general", "one more", "more")
        assert read_state(await other.subscribe("general")) == (4, 31)  # joined at seq 4
        assert read_state(await reader.subscribe("general")) == (20, 23)
    for user in twelve_users[:2]:
        expected = await database_sync_to_async(selectors.unread_count)(
            user=user, room_id=general_of_twelve.pk, upto=43
        )
        async with connect(user) as client:
            assert read_state(await client.subscribe("general")) == expected


async def test_a_cached_frame_equals_a_freshly_rendered_one(twelve_users, general_of_twelve):
    async with connect(twelve_users[1]) as client:
        await client.subscribe("general", after=0)
        await client.items("general", 42)
    backlog = await database_sync_to_async(selectors.room_backlog)(
        general_of_twelve.pk, after=0, limit=0
    )
    cached = room_cache.items(backlog.version, 0, 42)
    assert len(cached) == 42
    assert [orjson.loads(frame) for frame in cached] == await fresh_frames("general", 0)


# -- the cache alone ---------------------------------------------------------------------------

V1 = (1, datetime(2026, 1, 1, tzinfo=UTC))
ACTIVE, IDLE, OFFLINE = Status.ACTIVE, Status.IDLE, Status.OFFLINE


def test_member_rows_are_kept_for_one_last_seq_and_never_replaced_by_older_ones():
    cache = RoomCache()
    cache.keep_member_rows(V1, 5, MemberRows.of([(1, "ada")]))
    assert cache.member_rows(V1, 5) == MemberRows.of([(1, "ada")])
    assert cache.member_rows(V1, 6) is None
    cache.keep_member_rows(V1, 7, MemberRows.of([(1, "ada"), (2, "bob")]))
    cache.keep_member_rows(
        V1, 6, MemberRows.of([(1, "ada")])
    )  # read before the newer ones: ignored
    assert cache.member_rows(V1, 7) == MemberRows.of([(1, "ada"), (2, "bob")])
    assert cache.member_rows(V1, 5) is None


def test_another_room_with_the_same_id_meets_nothing_of_the_first():
    cache = RoomCache()
    cache.keep_member_rows(V1, 5, MemberRows.of([(1, "ada")]))
    cache.keep_frames(V1, {1: "one", 2: "two"})
    other = (1, datetime(2026, 2, 1, tzinfo=UTC))
    assert cache.member_rows(other, 5) is None
    assert cache.items(other, 0, 2) == []
    assert cache.items(V1, 0, 2) == []  # the first was dropped


def test_frames_come_in_a_row_from_after_and_stop_at_the_first_missing():
    cache = RoomCache()
    cache.keep_frames(V1, {1: "a", 2: "b", 4: "d"})
    assert cache.items(V1, 0, 4) == ["a", "b"]
    assert cache.items(V1, 1, 1) == []
    assert cache.items(V1, 1, 2) == ["b"]
    assert cache.items(V1, 3, 4) == ["d"]


def test_memory_is_bounded():
    cache = RoomCache(frames_per_room=3, max_chars=100, max_rooms=2)
    cache.keep_frames(V1, {n: "x" for n in range(1, 6)})
    assert cache.items(V1, 2, 5) == ["x", "x", "x"]  # the newest three
    assert cache.items(V1, 0, 5) == []
    rooms = [(n, V1[1]) for n in range(2, 5)]
    for version in rooms:
        cache.keep_frames(version, {1: "y"})
    assert cache.items(V1, 2, 5) == []  # least recently used, beyond two rooms
    assert cache.items(rooms[-1], 0, 1) == ["y"]
    cache.keep_frames(rooms[-1], {2: "z" * 150})  # over the characters
    assert cache.items(rooms[-1], 0, 2) == []
    assert cache._chars <= 100


def test_a_member_list_is_encoded_once_while_the_statuses_stay_the_same():
    lists = MemberLists()
    names, on, off = ["ada", "bob"], [ACTIVE, OFFLINE], [IDLE, ACTIVE]
    first = lists.encoded(V1, 5, names, on)
    assert orjson.loads(orjson.dumps(first)) == [
        {"username": "ada", "online": True, "idle": False},
        {"username": "bob", "online": False, "idle": False},
    ]
    assert lists.encoded(V1, 5, names, list(on)) is first
    changed = lists.encoded(V1, 5, names, off)
    assert orjson.loads(orjson.dumps(changed)) == [
        {"username": "ada", "online": True, "idle": True},
        {"username": "bob", "online": True, "idle": False},
    ]
    assert lists.encoded(V1, 6, names, off) is not changed  # another last seq: built again


async def test_a_status_change_after_caching_is_in_the_next_subscribed(
    twelve_users, general_of_twelve
):
    def online(reply) -> dict[str, bool]:
        return {member["username"]: member["online"] for member in reply["members"]}

    async with connect(twelve_users[0]) as watcher:
        first = await watcher.subscribe("general")
        assert online(first)["user00"] and not online(first)["user07"]
        assert (await watcher.subscribe("general"))["members"] == first["members"]  # kept
        async with connect(twelve_users[7]) as _:
            again = await watcher.subscribe("general")
            assert online(again)["user07"]
            async with connect(twelve_users[7]) as second_tab:
                await second_tab.send({"type": "activity", "state": "idle"})
                await second_tab.ping_works()  # the activity frame was handled
                assert (await watcher.subscribe("general"))["members"] == again["members"]
