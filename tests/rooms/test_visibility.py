"""lookup_room_access: a room, whether a user may see it and whether they belong to it, in one
query."""

import pytest

from parley.core.errors import NotAMember, RoomNotFound
from parley.rooms import services
from parley.rooms.models import Item, Room
from parley.rooms.selectors import (
    access_room_as_member,
    check_room_member,
    is_member,
    lookup_room_access,
    room_visible_q,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KINDS = ["public", "private", "staff", "staff-private"]


def make_user(kind: str, owner, rooms):
    """An outsider or a member of every room they can belong to, staff or not."""
    staff = kind.startswith("staff") or kind == "demoted-member"
    user = UserFactory(is_staff=staff)
    if kind.endswith("member"):
        for room in rooms.values():
            if staff or not room.staff_only:
                services.room_join(user=user, room=room)
    if kind == "demoted-member":
        # A member who lost staff status: membership alone does not show a staff-only room.
        user.is_staff = False
        user.save()
    return user


USERS = ["outsider", "member", "staff-outsider", "staff-member", "demoted-member"]

# What each user is told about each room: its slug, RoomNotFound or NotAMember.
EXPECTED = {
    "outsider": {"public": NotAMember, "private": RoomNotFound},
    "member": {"public": "ok", "private": "ok"},
    "staff-outsider": {"public": NotAMember, "private": NotAMember},
    "staff-member": {"public": "ok", "private": "ok"},
    "demoted-member": {"public": "ok", "private": "ok"},
}


def expected(user_kind: str, room_kind: str):
    if room_kind.startswith("staff"):
        if user_kind.startswith("staff"):
            return "ok" if user_kind == "staff-member" else NotAMember
        return RoomNotFound
    return EXPECTED[user_kind][room_kind]


@pytest.mark.parametrize("user_kind", USERS)
@pytest.mark.parametrize("room_kind", KINDS)
def test_visibility_and_membership_agree_with_the_querysets(owner, rooms, user_kind, room_kind):
    user = make_user(user_kind, owner, rooms)
    room = rooms[room_kind]

    access = lookup_room_access(user=user, slug=room.slug)

    assert access is not None
    assert access.room == room
    assert access.visible is Room.objects.filter(room_visible_q(user), pk=room.pk).exists()
    assert access.member is is_member(user=user, room=room)
    assert access.existing_id is None


@pytest.mark.parametrize("user_kind", USERS)
@pytest.mark.parametrize("room_kind", KINDS)
def test_member_check_answers_not_found_then_forbidden(owner, rooms, user_kind, room_kind):
    user = make_user(user_kind, owner, rooms)
    room = rooms[room_kind]
    outcome = expected(user_kind, room_kind)

    if outcome == "ok":
        assert check_room_member(lookup_room_access(user=user, slug=room.slug)) == room
        assert access_room_as_member(user=user, slug=room.slug) == room
    else:
        with pytest.raises(outcome):
            check_room_member(lookup_room_access(user=user, slug=room.slug))
        with pytest.raises(outcome):
            access_room_as_member(user=user, slug=room.slug)


def test_former_member_of_a_private_room_is_told_not_found(owner, rooms):
    bob = UserFactory()
    services.membership_add(actor=owner, room=rooms["private"], username=bob.username)
    services.membership_remove(actor=owner, room=rooms["private"], username=bob.username)

    access = lookup_room_access(user=bob, slug="private")

    assert (access.visible, access.member) == (False, False)
    with pytest.raises(RoomNotFound):
        check_room_member(access)


@pytest.mark.parametrize(
    "slug", ["missing", "", "../public", "PUBLIC", "public\n", "pub\x00lic", None, 42, ["p"]]
)
def test_unknown_or_odd_slug_is_none_and_not_found(rooms, slug, django_assert_max_num_queries):
    staff = UserFactory(is_staff=True)

    with django_assert_max_num_queries(1):
        assert lookup_room_access(user=staff, slug=slug, client_id="c1") is None
    with pytest.raises(RoomNotFound) as refused:
        check_room_member(None)
    assert refused.value.message == RoomNotFound().message


def test_malformed_slug_is_not_looked_up(rooms, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert lookup_room_access(user=UserFactory.build(), slug="../public") is None


def test_one_query_returns_the_whole_room(owner, rooms, django_assert_num_queries):
    services.message_post(user=owner, room_slug="public", body="hi", client_id="c1")
    stored = Room.objects.get(slug="public")

    with django_assert_num_queries(1):
        access = lookup_room_access(user=owner, slug="public", client_id="c1")
        room = access.room
        fields = [getattr(room, field.attname) for field in Room._meta.concrete_fields]

    assert fields == [getattr(stored, field.attname) for field in Room._meta.concrete_fields]
    assert room.created_at.tzinfo is not None
    assert room.last_seq == 2
    # Nothing of the query is left on the room itself.
    assert not {"access_member", "access_existing_id"} & set(vars(room))


def test_existing_id_is_the_item_this_user_stored_with_that_client_id_here(owner, rooms):
    bob = UserFactory()
    services.room_join(user=bob, room=rooms["public"])
    services.room_join(user=bob, room=rooms["private"])
    mine = services.message_post(user=bob, room_slug="public", body="x", client_id="c1").item
    services.message_post(user=owner, room_slug="public", body="x", client_id="c2")
    services.message_post(user=bob, room_slug="private", body="x", client_id="c3")

    def existing(slug, client_id, user=bob):
        return lookup_room_access(user=user, slug=slug, client_id=client_id).existing_id

    assert existing("public", "c1") == mine.pk
    assert existing("public", "c2") is None  # another user's
    assert existing("public", "c3") is None  # another room's
    assert existing("private", "c1") is None
    assert existing("public", "c1", user=owner) is None
    assert lookup_room_access(user=bob, slug="public").existing_id is None


@pytest.mark.parametrize("client_id", ["it's", '"; DROP TABLE x; --', "%s", "%(x)s", "😀" * 16])
def test_client_id_is_a_parameter(owner, rooms, client_id):
    item = services.message_post(user=owner, room_slug="public", body="x", client_id=client_id).item

    assert lookup_room_access(user=owner, slug="public", client_id=client_id).existing_id == item.pk
    assert Item.objects.filter(client_id=client_id).count() == 1


def test_existing_id_is_found_even_where_the_user_may_no_longer_post(owner, rooms):
    bob = UserFactory()
    services.membership_add(actor=owner, room=rooms["private"], username=bob.username)
    item = services.message_post(user=bob, room_slug="private", body="x", client_id="c1").item
    services.membership_remove(actor=owner, room=rooms["private"], username=bob.username)

    access = lookup_room_access(user=bob, slug="private", client_id="c1")

    assert (access.visible, access.member, access.existing_id) == (False, False, item.pk)
