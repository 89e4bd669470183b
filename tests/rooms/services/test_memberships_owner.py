"""A room keeps its owner as a member: she cannot leave, or be removed, while she owns it.

Issue 15, item 12: an owner who removed herself from her private room got a bare 404 and left a
room with no members. Each way out (leave, removing herself, staff removing her) meets the rule
in the service, as a `Forbidden` (the contract's `forbidden`) with a message that says what to do.
"""

import pytest

from parley.core.errors import Forbidden
from parley.rooms import services
from parley.rooms.models import Item, Membership, Room
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


def members(room: Room) -> list[str]:
    return sorted(Membership.objects.filter(room=room).values_list("user__username", flat=True))


def last_seq(room: Room) -> int:
    return Room.objects.get(pk=room.pk).last_seq


@pytest.fixture(params=["public", "private"])
def room(request, ada, bob):
    """A room ada owns, with bob as a second member."""
    room = make_room(ada, slug=f"owned-{request.param}", visibility=request.param)
    services.room_join(user=bob, room=room)
    return room


def test_owner_cannot_leave_the_room_she_owns(room, ada):
    with pytest.raises(Forbidden) as refused:
        services.room_leave(user=ada, room=room)

    assert refused.value.code == "forbidden"
    assert "You own this room" in refused.value.message
    assert "owner" in refused.value.message and "first" in refused.value.message
    assert members(room) == ["ada", "bob"]
    assert last_seq(room) == 2  # no leave event


def test_owner_cannot_leave_by_slug(room, ada):
    with pytest.raises(Forbidden, match="You own this room"):
        services.room_leave_by_slug(user=ada, slug=room.slug)

    assert members(room) == ["ada", "bob"]


def test_owner_cannot_remove_herself_from_the_members(room, ada):
    with pytest.raises(Forbidden, match="You own this room"):
        services.membership_remove(actor=ada, room=room, username="ada")

    assert members(room) == ["ada", "bob"]
    assert not Item.objects.filter(room=room, kind=Item.Kind.LEAVE).exists()


def test_the_only_member_who_owns_the_room_cannot_leave_it_empty(ada):
    room = make_room(ada, slug="alone", visibility="private")

    with pytest.raises(Forbidden):
        services.room_leave(user=ada, room=room)

    assert members(room) == ["ada"]


def test_staff_cannot_remove_the_owner_while_she_owns_the_room(room, ada):
    staff = UserFactory(is_staff=True)

    with pytest.raises(Forbidden) as refused:
        services.membership_remove(actor=staff, room=room, username="ada")

    assert refused.value.message.startswith("ada owns this room")
    assert members(room) == ["ada", "bob"]


def test_staff_leaving_for_the_owner_is_told_who_owns_the_room(room, ada):
    # The admin removes a membership with room_leave, naming who asks.
    staff = UserFactory(is_staff=True)

    with pytest.raises(Forbidden, match=r"^ada owns this room"):
        services.room_leave(user=ada, room=room, actor=staff)

    assert members(room) == ["ada", "bob"]


def test_once_someone_else_owns_the_room_the_former_owner_may_leave(room, ada, bob):
    # What staff do in the admin: another member becomes the owner.
    Room.objects.filter(pk=room.pk).update(owner=bob)
    room.refresh_from_db()

    change = services.room_leave(user=ada, room=room)

    assert change.changed is True
    assert members(room) == ["bob"]


def test_other_members_still_leave_and_are_removed(room, ada, bob):
    carol = UserFactory(username="carol")
    services.room_join(user=carol, room=room)

    assert services.room_leave(user=bob, room=room).changed is True
    assert services.membership_remove(actor=ada, room=room, username="carol").changed is True
    assert members(room) == ["ada"]


def test_an_owner_who_is_not_a_member_leaving_changes_nothing(ada):
    # Rooms made before the rule may have lost their owner's membership: leaving is a no-op,
    # as for anyone who is not a member, not a refusal.
    room = make_room(ada, slug="left-before")
    Membership.objects.filter(room=room, user=ada).delete()

    change = services.room_leave(user=ada, room=room)

    assert (change.changed, change.event) == (False, None)
