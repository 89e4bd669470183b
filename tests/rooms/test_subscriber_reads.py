"""Set-based reads of many rooms read what the one-room reads read, in a fixed number of
queries."""

import pytest

from parley.realtime.room_cache import RoomCache
from parley.rooms import selectors, services
from parley.rooms.subscriber_reads import reader_states, room_backlogs
from tests.factories import make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms(ada, bob):
    """Five rooms of bob's with 1-6 messages mentioning ada; ada a member of the first three,
    with her pointer at seq 3 in the second."""
    made = []
    for n in range(5):
        room = make_room(bob, slug=f"room-{n}")
        if n < 3:
            services.room_join(user=ada, room=room)
        for m in range(n + 1):
            services.message_post(
                user=bob, room_slug=room.slug, body=f"@ada {m}", client_id=f"c{n}-{m}"
            )
        made.append(room)
    services.read_pointer_move_by_slug(user=ada, slug="room-1", seq=3)
    return made


def _shape(backlog: selectors.Backlog) -> tuple:
    return (
        backlog.last_seq,
        backlog.members,
        [item.seq for item in backlog.items],
        backlog.truncated,
        backlog.member_ids,
        backlog.version,
        backlog.cached,
    )


def _warm_cache(rooms) -> RoomCache:
    """A cache holding frames for the first seqs of two rooms, as subscribers before left it."""
    cache = RoomCache()
    for room in rooms[3:]:
        # The room's version as the database returns it (the cache's key).
        version = selectors.room_backlog(room.pk, after=None, limit=1).version
        assert version is not None
        cache.keep_frames(version, {1: "one", 2: "two"})
    return cache


@pytest.mark.parametrize("warm", [False, True])
def test_room_backlogs_are_each_rooms_backlog(rooms, warm, django_assert_max_num_queries):
    afters = {room.pk: after for room, after in zip(rooms, [None, 0, 2, 99, 0], strict=True)}
    expected = {
        room_id: _shape(
            selectors.room_backlog(
                room_id, after=after, limit=3, cache=_warm_cache(rooms) if warm else RoomCache()
            )
        )
        for room_id, after in afters.items()
    }
    cache = _warm_cache(rooms) if warm else RoomCache()
    with django_assert_max_num_queries(4):
        got = room_backlogs(afters, limit=3, cache=cache)
    assert {room_id: _shape(backlog) for room_id, backlog in got.items()} == expected
    assert got[rooms[4].pk].truncated  # 7 items after 0, cut at 3
    assert got[rooms[4].pk].cached == (["one", "two"] if warm else [])


def test_a_room_gone_is_left_out(rooms):
    gone = rooms[0].pk
    rooms[0].delete()
    assert gone not in room_backlogs({gone: None, rooms[1].pk: None}, limit=3, cache=RoomCache())


def test_reader_states_are_each_rooms_counts_and_level(ada, rooms, django_assert_max_num_queries):
    services.notify_level_set(user=ada, slug="room-2", level="all")
    backlogs = {
        room.pk: selectors.room_backlog(room.pk, after=None, limit=3, cache=RoomCache())
        for room in rooms
    }
    expected = {}
    for room in rooms:
        backlog = backlogs[room.pk]
        last_read, unread = selectors.unread_count(user=ada, room_id=room.pk, upto=backlog.last_seq)
        level, mentions = selectors.subscriber_state(
            user=ada, room=room, last_read=last_read, upto=backlog.last_seq
        )
        expected[room.pk] = (last_read, unread, mentions, level)
    with django_assert_max_num_queries(3):
        states = reader_states(user=ada, backlogs=backlogs, cache=RoomCache())
    assert {
        room_id: (s.last_read, s.unread, s.mentions, s.level) for room_id, s in states.items()
    } == expected
    assert expected[rooms[4].pk][1:3] == (5, 0)  # not a member: every message, no mention
