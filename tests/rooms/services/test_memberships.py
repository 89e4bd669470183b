"""Joining, leaving, adding and removing members: each change is one timeline event."""

import json

import pytest

from parley.core.errors import Forbidden, InvalidInput
from parley.realtime import broadcast
from parley.rooms import services
from parley.rooms.changes import item_added
from parley.rooms.models import Item, Membership, Room
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


def members(room: Room) -> list[str]:
    return sorted(Membership.objects.filter(room=room).values_list("user__username", flat=True))


def events(room: Room) -> list[tuple[int, str, str]]:
    return list(
        Item.objects.filter(room=room)
        .exclude(kind=Item.Kind.MESSAGE)
        .order_by("seq")
        .values_list("seq", "kind", "user__username")
    )


@pytest.fixture
def secret(ada):
    return make_room(ada, slug="secret", visibility="private")


# --- join and leave ------------------------------------------------------------------------


def test_join_makes_a_member_with_a_join_event(general, bob):
    change = services.room_join(user=bob, room=general)

    assert change.changed is True
    assert (change.event.seq, change.event.kind, change.event.user) == (2, "join", bob)
    assert members(general) == ["ada", "bob"]
    assert events(general) == [(1, "join", "ada"), (2, "join", "bob")]


def test_joining_twice_changes_nothing(general, bob):
    services.room_join(user=bob, room=general)

    again = services.room_join(user=bob, room=general)

    assert (again.changed, again.event) == (False, None)
    assert members(general) == ["ada", "bob"]
    assert events(general) == [(1, "join", "ada"), (2, "join", "bob")]
    assert Room.objects.get(pk=general.pk).last_seq == 2


def test_leave_ends_membership_with_a_leave_event(general, bob):
    services.room_join(user=bob, room=general)

    change = services.room_leave(user=bob, room=general)

    assert change.changed is True
    assert (change.event.seq, change.event.kind, change.event.user) == (3, "leave", bob)
    assert members(general) == ["ada"]
    assert events(general)[-1] == (3, "leave", "bob")


def test_leaving_twice_or_without_joining_changes_nothing(general, bob):
    assert services.room_leave(user=bob, room=general).changed is False

    services.room_join(user=bob, room=general)
    services.room_leave(user=bob, room=general)
    again = services.room_leave(user=bob, room=general)

    assert (again.changed, again.event) == (False, None)
    assert [kind for _, kind, _ in events(general)] == ["join", "join", "leave"]
    assert Room.objects.get(pk=general.pk).last_seq == 3


def test_rejoining_after_leaving_is_a_new_join(general, bob):
    services.room_join(user=bob, room=general)
    services.room_leave(user=bob, room=general)

    assert services.room_join(user=bob, room=general).changed is True
    assert events(general)[1:] == [(2, "join", "bob"), (3, "leave", "bob"), (4, "join", "bob")]


def test_staff_only_room_refuses_non_staff_members(db):
    boss = UserFactory(is_staff=True)
    room = make_room(boss, slug="staff", staff_only=True)

    with pytest.raises(InvalidInput):
        services.room_join(user=UserFactory(), room=room)

    assert services.room_join(user=UserFactory(is_staff=True), room=room).changed is True
    assert Membership.objects.filter(room=room).count() == 2
    assert [kind for _, kind, _ in events(room)] == ["join", "join"]


# --- adding and removing others ------------------------------------------------------------


def test_owner_adds_a_member_to_a_private_room(secret, ada, bob):
    change = services.membership_add(actor=ada, room=secret, username="bob")

    assert change.changed is True
    assert members(secret) == ["ada", "bob"]
    assert events(secret)[-1] == (2, "join", "bob")


def test_staff_adds_a_member_to_a_room_they_do_not_own(secret, bob):
    boss = UserFactory(is_staff=True)

    assert services.membership_add(actor=boss, room=secret, username="bob").changed is True
    assert members(secret) == ["ada", "bob"]


def test_adding_an_existing_member_changes_nothing(secret, ada, bob):
    services.membership_add(actor=ada, room=secret, username="bob")

    assert services.membership_add(actor=ada, room=secret, username="bob").changed is False
    assert len(events(secret)) == 2


def test_member_who_is_not_owner_cannot_add(secret, ada, bob):
    services.membership_add(actor=ada, room=secret, username="bob")
    UserFactory(username="carol")

    with pytest.raises(Forbidden) as refused:
        services.membership_add(actor=bob, room=secret, username="carol")

    assert refused.value.code == "forbidden"
    assert members(secret) == ["ada", "bob"]


def test_adding_an_unknown_username_is_invalid(secret, ada):
    with pytest.raises(InvalidInput):
        services.membership_add(actor=ada, room=secret, username="nobody")

    assert members(secret) == ["ada"]


def test_non_owner_learns_nothing_about_unknown_usernames(secret, bob):
    with pytest.raises(Forbidden):
        services.membership_add(actor=bob, room=secret, username="nobody")
    with pytest.raises(Forbidden):
        services.membership_remove(actor=bob, room=secret, username="nobody")


def test_adding_a_non_staff_user_to_a_staff_only_room_is_invalid(db):
    boss = UserFactory(is_staff=True)
    room = make_room(boss, slug="staff", staff_only=True)
    UserFactory(username="bob")

    with pytest.raises(InvalidInput):
        services.membership_add(actor=boss, room=room, username="bob")

    assert Membership.objects.filter(room=room).count() == 1


def test_owner_removes_a_member(secret, ada, bob):
    services.membership_add(actor=ada, room=secret, username="bob")

    change = services.membership_remove(actor=ada, room=secret, username="bob")

    assert change.changed is True
    assert members(secret) == ["ada"]
    assert events(secret)[-1] == (3, "leave", "bob")


def test_staff_removes_a_member(secret, ada, bob):
    services.membership_add(actor=ada, room=secret, username="bob")

    services.membership_remove(actor=UserFactory(is_staff=True), room=secret, username="bob")

    assert members(secret) == ["ada"]


def test_member_who_is_not_owner_cannot_remove_others(secret, ada, bob):
    services.membership_add(actor=ada, room=secret, username="bob")

    with pytest.raises(Forbidden):
        services.membership_remove(actor=bob, room=secret, username="ada")

    assert members(secret) == ["ada", "bob"]


def test_member_may_remove_themselves(secret, ada, bob):
    services.membership_add(actor=ada, room=secret, username="bob")

    change = services.membership_remove(actor=bob, room=secret, username="bob")

    assert change.changed is True
    assert members(secret) == ["ada"]
    assert events(secret)[-1] == (3, "leave", "bob")


def test_removing_a_non_member_changes_nothing(secret, ada, bob):
    change = services.membership_remove(actor=ada, room=secret, username="bob")

    assert (change.changed, change.event) == (False, None)
    assert len(events(secret)) == 1


def test_removing_an_unknown_username_is_invalid(secret, ada):
    with pytest.raises(InvalidInput):
        services.membership_remove(actor=ada, room=secret, username="nobody")


def test_room_without_owner_is_managed_by_staff_only(db, bob):
    room = make_room(UserFactory(), slug="orphan", visibility="private")
    Room.objects.filter(pk=room.pk).update(owner=None)
    room.refresh_from_db()

    with pytest.raises(Forbidden):
        services.membership_add(actor=bob, room=room, username="bob")
    boss = UserFactory(is_staff=True)
    assert services.membership_add(actor=boss, room=room, username="bob").changed is True


# --- broadcasting --------------------------------------------------------------------------


def test_join_publishes_its_event_once_after_commit(
    general, bob, publish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        event = services.room_join(user=bob, room=general).event

    assert len(callbacks) == 1
    publish.assert_not_called()
    callbacks[0]()
    group, message = publish.call_args.args
    assert group == f"parley.room.{general.pk}"
    assert (message["type"], message["room_id"], message["seq"]) == ("room.item", general.pk, 2)
    assert message["revoke"] is None
    frame = json.loads(message["frame"])
    assert frame["type"] == "event"
    assert (frame["kind"], frame["seq"], frame["id"]) == ("join", 2, event.pk)
    assert (frame["room"], frame["user"]) == ("general", {"username": "bob"})


def test_leave_publishes_its_event_once_after_commit(
    general, bob, publish, django_capture_on_commit_callbacks
):
    services.room_join(user=bob, room=general)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.room_leave(user=bob, room=general)

    assert len(callbacks) == 1
    publish.assert_called_once()
    frame = json.loads(publish.call_args.args[1]["frame"])
    assert (frame["type"], frame["kind"], frame["seq"]) == ("event", "leave", 3)


def test_repeated_join_and_leave_publish_nothing(
    general, bob, publish, django_capture_on_commit_callbacks
):
    services.room_join(user=bob, room=general)

    with django_capture_on_commit_callbacks(execute=True) as joined_again:
        services.room_join(user=bob, room=general)
    services.room_leave(user=bob, room=general)
    with django_capture_on_commit_callbacks(execute=True) as left_again:
        services.room_leave(user=bob, room=general)

    assert (joined_again, left_again) == ([], [])
    publish.assert_not_called()


def test_refused_join_publishes_nothing(db, publish, django_capture_on_commit_callbacks):
    room = make_room(UserFactory(is_staff=True), slug="staff", staff_only=True)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InvalidInput):
        services.room_join(user=UserFactory(), room=room)

    assert callbacks == []
    publish.assert_not_called()


def test_removal_from_a_private_room_revokes_the_member(
    secret, ada, bob, publish, django_capture_on_commit_callbacks
):
    services.membership_add(actor=ada, room=secret, username="bob")

    with django_capture_on_commit_callbacks(execute=True):
        services.membership_remove(actor=ada, room=secret, username="bob")

    assert publish.call_args.args[1]["revoke"] == bob.pk


# --- which leave ends access (rooms/changes.py) ---------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "staff_only", "revokes"),
    [("public", False, False), ("private", False, True), ("public", True, True)],
)
def test_only_a_leave_from_a_private_or_staff_only_room_revokes(visibility, staff_only, revokes):
    boss = UserFactory(is_staff=True)
    other = UserFactory(is_staff=True)
    room = make_room(boss, slug="room", visibility=visibility, staff_only=staff_only)

    join = services.room_join(user=other, room=room).event
    leave = services.room_leave(user=other, room=room).event

    assert item_added(join, room=room).ends_access_of is None
    assert item_added(leave, room=room).ends_access_of == (other.pk if revokes else None)
    assert broadcast.item_message(item_added(leave, room=room))["revoke"] == (
        other.pk if revokes else None
    )


def test_a_message_never_revokes(secret, ada):
    item = services.message_post(user=ada, room_slug="secret", body="hi", client_id="c").item

    assert item_added(item, room=secret).ends_access_of is None


def test_a_new_member_starts_with_the_history_read():
    from parley.rooms.selectors import unread_count
    from parley.rooms.services import message_post

    ada, bob = UserFactory(username="ada-read"), UserFactory(username="bob-read")
    room = make_room(ada, slug="history-read")
    for n in range(3):
        message_post(user=ada, room_slug="history-read", body=f"m{n}", client_id=f"h{n}")
    change = services.room_join(user=bob, room=room)
    assert unread_count(user=bob, room_id=room.pk) == (change.event.seq, 0)
    message_post(user=ada, room_slug="history-read", body="after", client_id="h-after")
    assert unread_count(user=bob, room_id=room.pk) == (change.event.seq, 1)
