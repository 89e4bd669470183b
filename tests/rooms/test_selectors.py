"""Reads that enforce visibility, and the timeline reads: history, backlog, gaps, latest."""

import pytest
from django.db import transaction

from parley.core.errors import InvalidInput, RoomNotFound
from parley.rooms import selectors, services
from parley.rooms.models import Item, Room
from parley.rooms.selectors import (
    access_room,
    room_backlog,
    room_history,
    room_items_between,
    room_latest_items,
    room_list_for_user,
    room_visible_q,
)
from parley.rooms.services.sequence import next_seq
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


def visible_slugs(user) -> list[str]:
    return sorted(Room.objects.filter(room_visible_q(user)).values_list("slug", flat=True))


def seqs(items) -> list[int]:
    return [item.seq for item in items]


def fill(room: Room, user, count: int) -> None:
    """Post `count` messages, seq 2 .. count + 1 (seq 1 is the owner's join)."""
    for n in range(count):
        services.message_post(user=user, room_slug=room.slug, body=f"m{n}", client_id=f"m{n}")


# --- visibility ----------------------------------------------------------------------------


def test_user_sees_public_rooms_only(rooms):
    assert visible_slugs(UserFactory()) == ["public"]


def test_member_also_sees_their_private_room(rooms, owner):
    bob = UserFactory(username="bob")
    services.membership_add(actor=owner, room=rooms["private"], username="bob")

    assert visible_slugs(bob) == ["private", "public"]


def test_former_member_no_longer_sees_the_private_room(rooms, owner):
    bob = UserFactory(username="bob")
    services.membership_add(actor=owner, room=rooms["private"], username="bob")
    services.membership_remove(actor=owner, room=rooms["private"], username="bob")

    assert visible_slugs(bob) == ["public"]


def test_staff_see_every_room(rooms):
    assert visible_slugs(UserFactory(is_staff=True)) == sorted(rooms)


def test_non_staff_member_of_a_staff_only_room_does_not_see_it(rooms):
    # Only possible when a member loses staff status: membership alone does not show the room.
    demoted = UserFactory(is_staff=True)
    services.room_join(user=demoted, room=rooms["staff-private"])
    demoted.is_staff = False
    demoted.save()

    assert visible_slugs(demoted) == ["public"]


@pytest.mark.parametrize(
    ("slug", "visible_to_outsider"),
    [("public", True), ("private", False), ("staff", False), ("staff-private", False)],
)
def test_access_room_reports_invisible_rooms_as_not_found(rooms, slug, visible_to_outsider):
    outsider = UserFactory()

    if visible_to_outsider:
        assert access_room(user=outsider, slug=slug) == rooms[slug]
    else:
        with pytest.raises(RoomNotFound):
            access_room(user=outsider, slug=slug)
    assert access_room(user=UserFactory(is_staff=True), slug=slug) == rooms[slug]


@pytest.mark.parametrize(
    "slug", ["missing", "", "../public", "PUBLIC", "public\n", None, 42, ["p"]]
)
def test_access_room_of_an_unknown_or_odd_slug_is_not_found(rooms, slug):
    with pytest.raises(RoomNotFound) as refused:
        access_room(user=UserFactory(is_staff=True), slug=slug)

    assert refused.value.message == RoomNotFound().message


def test_room_list_marks_membership_and_counts_members(rooms, owner):
    bob = UserFactory(username="bob")
    services.room_join(user=bob, room=rooms["public"])
    make_room(UserFactory(), slug="other")

    listed = {room.slug: (room.is_member, room.member_count) for room in room_list_for_user(bob)}

    assert listed == {"public": (True, 2), "other": (False, 1)}


def test_room_list_has_one_row_per_room_with_many_members(rooms, owner):
    crowd = [UserFactory() for _ in range(5)]
    for user in crowd:
        services.room_join(user=user, room=rooms["public"])
    services.membership_add(actor=owner, room=rooms["private"], username=crowd[0].username)

    listed = list(room_list_for_user(crowd[0]))

    assert [room.slug for room in listed] == ["private", "public"]
    assert [(room.is_member, room.member_count) for room in listed] == [(True, 2), (True, 6)]


def test_room_list_for_staff_counts_every_room(rooms, owner):
    boss = UserFactory(is_staff=True)
    services.room_join(user=boss, room=rooms["staff"])

    listed = {room.slug: (room.is_member, room.member_count) for room in room_list_for_user(boss)}

    assert listed == {
        "private": (False, 1),
        "public": (False, 1),
        "staff": (True, 2),
        "staff-private": (False, 1),
    }


def test_room_list_is_ordered_by_name(owner):
    for slug, name in [("c", "Charlie"), ("a", "Alpha"), ("b", "Bravo")]:
        make_room(owner, slug=slug, name=name)

    names = [room.name for room in room_list_for_user(UserFactory())]

    assert names == ["Alpha", "Bravo", "Charlie"]


def test_is_member_and_room_members(rooms, owner):
    bob = UserFactory(username="bob")
    assert selectors.is_member(user=bob, room=rooms["public"]) is False
    services.room_join(user=bob, room=rooms["public"])

    assert selectors.is_member(user=bob, room=rooms["public"]) is True
    assert selectors.room_members(rooms["public"].pk) == ["bob", "owner"]


# --- history -------------------------------------------------------------------------------


@pytest.fixture
def busy(owner):
    """A room with seq 1 (the owner's join) and messages at seq 2 .. 11."""
    room = make_room(owner, slug="busy")
    fill(room, owner, 10)
    return room


def test_history_without_before_is_the_newest_items_oldest_first(busy, owner):
    room, page = room_history(user=owner, slug="busy", before=None, limit=4)

    assert room == busy
    assert seqs(page.items) == [8, 9, 10, 11]
    assert page.has_more is True


def test_history_before_a_seq_pages_backwards(busy, owner):
    _, page = room_history(user=owner, slug="busy", before=8, limit=4)
    assert (seqs(page.items), page.has_more) == ([4, 5, 6, 7], True)

    _, page = room_history(user=owner, slug="busy", before=4, limit=4)
    assert (seqs(page.items), page.has_more) == ([1, 2, 3], False)


def test_history_of_exactly_the_remaining_items_has_no_more(busy, owner):
    _, page = room_history(user=owner, slug="busy", before=5, limit=4)

    assert (seqs(page.items), page.has_more) == ([1, 2, 3, 4], False)


def test_history_includes_events_and_authors(busy, owner):
    _, page = room_history(user=owner, slug="busy", before=3, limit=50)

    assert [(item.kind, item.user.username) for item in page.items] == [
        ("join", "owner"),
        ("message", "owner"),
    ]


@pytest.mark.parametrize(("before", "expected"), [(0, []), (1, []), (2, [1]), (10**6, [10, 11])])
def test_history_before_bounds(busy, owner, before, expected):
    _, page = room_history(user=owner, slug="busy", before=before, limit=2)

    assert seqs(page.items) == expected


def test_history_limits_one_and_two_hundred_are_accepted(busy, owner):
    assert seqs(room_history(user=owner, slug="busy", before=None, limit=1)[1].items) == [11]
    assert len(room_history(user=owner, slug="busy", before=None, limit=200)[1].items) == 11


@pytest.mark.parametrize(("before", "limit"), [(None, 0), (None, 201), (None, -1), (-1, 50)])
def test_history_refuses_bad_cursor_or_limit(busy, owner, before, limit):
    with pytest.raises(InvalidInput):
        room_history(user=owner, slug="busy", before=before, limit=limit)


def test_history_checks_the_room_before_the_cursor_and_limit(rooms):
    outsider = UserFactory()

    with pytest.raises(RoomNotFound):
        room_history(user=outsider, slug="private", before=-1, limit=0)
    with pytest.raises(RoomNotFound):
        room_history(user=outsider, slug="missing", before=None, limit=500)


def test_history_of_a_public_room_is_readable_by_a_non_member(busy):
    _, page = room_history(user=UserFactory(), slug="busy", before=None, limit=50)

    assert seqs(page.items) == list(range(1, 12))


def test_history_of_a_private_room_is_not_found_for_a_non_member(rooms):
    with pytest.raises(RoomNotFound):
        room_history(user=UserFactory(), slug="private", before=None, limit=50)


# --- backlog -------------------------------------------------------------------------------


def test_backlog_is_exactly_the_items_after_the_cursor(busy, owner):
    backlog = room_backlog(busy.pk, after=7, limit=500)

    assert backlog.last_seq == 11
    assert seqs(backlog.items) == [8, 9, 10, 11]
    assert backlog.truncated is False
    assert backlog.members == ["owner"]


def test_backlog_from_zero_is_the_whole_timeline(busy):
    assert seqs(room_backlog(busy.pk, after=0, limit=500).items) == list(range(1, 12))


@pytest.mark.parametrize("after", [None, 11, 12, 10**9])
def test_backlog_without_cursor_or_at_the_end_replays_nothing(busy, after):
    backlog = room_backlog(busy.pk, after=after, limit=500)

    assert (backlog.items, backlog.truncated, backlog.last_seq) == ([], False, 11)


def test_backlog_over_the_limit_is_cut_and_flagged(busy):
    backlog = room_backlog(busy.pk, after=2, limit=5)

    assert seqs(backlog.items) == [3, 4, 5, 6, 7]
    assert backlog.truncated is True
    assert backlog.last_seq == 11


def test_backlog_of_exactly_the_limit_is_not_truncated(busy):
    backlog = room_backlog(busy.pk, after=6, limit=5)

    assert seqs(backlog.items) == [7, 8, 9, 10, 11]
    assert backlog.truncated is False


def test_backlog_ends_at_the_last_seq_it_read(busy, owner):
    # A row beyond last_seq stands for an item another transaction is still committing: it
    # reaches the subscriber live, so the backlog must not send it too.
    Item.objects.create(room=busy, seq=12, kind="message", user=owner, body="in flight")

    backlog = room_backlog(busy.pk, after=9, limit=500)

    assert backlog.last_seq == 11
    assert seqs(backlog.items) == [10, 11]


def test_backlog_lists_members_by_username(busy, owner):
    for name in ("zed", "amy"):
        services.room_join(user=UserFactory(username=name), room=busy)

    assert room_backlog(busy.pk, after=None, limit=5).members == ["amy", "owner", "zed"]


def test_backlog_of_a_deleted_room_raises(busy):
    room_id = busy.pk
    busy.delete()

    with pytest.raises(Room.DoesNotExist):
        room_backlog(room_id, after=0, limit=5)


# --- gap-fill and latest items -------------------------------------------------------------


def test_items_between_is_after_exclusive_upto_inclusive(busy):
    assert seqs(room_items_between(busy.pk, after=3, upto=6)) == [4, 5, 6]
    assert seqs(room_items_between(busy.pk, after=6, upto=6)) == []
    assert seqs(room_items_between(busy.pk, after=9, upto=50)) == [10, 11]


def test_items_between_reads_only_its_room(busy, owner):
    other = make_room(owner, slug="other")
    fill(other, owner, 3)

    items = room_items_between(busy.pk, after=0, upto=4)

    assert {item.room_id for item in items} == {busy.pk}
    assert seqs(items) == [1, 2, 3, 4]


def test_latest_items_are_the_newest_oldest_first(busy):
    assert seqs(room_latest_items(busy.pk, limit=3)) == [9, 10, 11]
    assert seqs(room_latest_items(busy.pk, limit=50)) == list(range(1, 12))


def test_latest_items_of_a_fresh_room_is_its_creators_join(owner):
    room = make_room(owner, slug="fresh")

    items = room_latest_items(room.pk, limit=50)

    assert [(item.seq, item.kind, item.user.username) for item in items] == [(1, "join", "owner")]


def test_room_last_seqs(busy, owner):
    other = make_room(owner, slug="other")
    with transaction.atomic():
        next_seq(other.pk)

    assert selectors.room_last_seqs([busy.pk, other.pk, 10**9]) == {busy.pk: 11, other.pk: 2}


def test_room_list_counts_messages_after_each_members_read_pointer():
    from parley.rooms.models import Membership
    from parley.rooms.selectors import room_list_for_user, unread_count
    from parley.rooms.services import message_post, room_join

    ada, bob = UserFactory(username="ada-unread"), UserFactory(username="bob-unread")
    room = make_room(ada, slug="unread")
    room_join(user=bob, room=room)
    for n in range(5):
        message_post(user=ada, room_slug="unread", body=f"m{n}", client_id=f"u{n}")
    Membership.objects.filter(room=room, user=bob).update(last_read_seq=4)  # read m0 and m1
    by_slug = {r.slug: r for r in room_list_for_user(bob)}
    assert by_slug["unread"].unread == 3
    assert unread_count(user=bob, room_id=room.pk) == (4, 3)
    outsider = UserFactory(username="carol-unread")
    assert {r.slug: r.unread for r in room_list_for_user(outsider)}["unread"] == 0
