"""Room roles (issue 22): moderators remove members and make a room read-only; the owner
renames, gives away and archives it. Each change is an `event` item of the timeline, emitted
after commit and written to the audit log; refusals change nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parley.accounts.models import AuditEntry
from parley.core.errors import Forbidden, InvalidInput, NotAMember, OwnerCannotLeave
from parley.rooms import selectors, services
from parley.rooms.models import Item, Membership, Room
from parley.rooms.values import item_value
from parley.wire import frames
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def dan(db):
    return UserFactory(username="dan")


@pytest.fixture
def room(ada, bob, carol, dan):
    """ada's public `general`: bob a moderator, carol and dan plain members (seqs 1-5)."""
    room = make_room(ada, slug="general")
    for user in (bob, carol, dan):
        services.room_join(user=user, room=room)
    services.moderator_set(actor=ada, room=room, username="bob", moderator=True)
    return fresh(room)


def fresh(room: Room) -> Room:
    return Room.objects.get(pk=room.pk)


def members(room: Room) -> list[str]:
    return sorted(Membership.objects.filter(room=room).values_list("user__username", flat=True))


def last_event(room: Room) -> dict:
    """The room's last item as every client gets it (live, in history and on resume)."""
    item = selectors.room_latest_items(room.pk, limit=1)[0]
    return frames.item(item_value(item, room_slug=room.slug))


def post(user, body="hi", client_id="c1", slug="general", **extra):
    return services.message_post(
        user=user, room_slug=slug, body=body, client_id=client_id, **extra
    ).item


# -- removing members ---------------------------------------------------------------------------


def test_a_moderator_removes_a_plain_member_and_the_leave_event_says_by_whom(room, bob, carol):
    services.membership_remove(actor=bob, room=room, username="carol")

    assert members(room) == ["ada", "bob", "dan"]
    event = last_event(room)
    assert (event["kind"], event["user"], event["by"]) == (
        "leave",
        {"username": "carol"},
        {"username": "bob"},
    )
    entry = AuditEntry.objects.get(action="member_remove")
    assert (entry.actor, entry.target_user) == (bob, carol)


def test_leaving_by_yourself_has_no_by(room, carol):
    services.room_leave(user=carol, room=room)

    event = last_event(room)
    assert event["kind"] == "leave" and "by" not in event


def test_a_moderator_cannot_remove_the_owner(room, bob):
    with pytest.raises(Forbidden):
        services.membership_remove(actor=bob, room=room, username="ada")
    assert members(room) == ["ada", "bob", "carol", "dan"]


def test_a_moderator_cannot_remove_another_moderator(room, ada, bob, carol):
    services.moderator_set(actor=ada, room=room, username="carol", moderator=True)
    seq = fresh(room).last_seq

    with pytest.raises(Forbidden, match="not the owner or other moderators"):
        services.membership_remove(actor=bob, room=room, username="carol")
    assert members(room) == ["ada", "bob", "carol", "dan"]
    assert fresh(room).last_seq == seq


def test_the_owner_removes_a_moderator(room, ada):
    services.membership_remove(actor=ada, room=room, username="bob")
    assert members(room) == ["ada", "carol", "dan"]


def test_staff_cannot_remove_the_owner(room):
    staff = UserFactory(username="root", is_staff=True)
    with pytest.raises(OwnerCannotLeave):
        services.membership_remove(actor=staff, room=room, username="ada")


def test_a_plain_member_cannot_remove_anyone(room, carol):
    with pytest.raises(Forbidden):
        services.membership_remove(actor=carol, room=room, username="dan")
    assert members(room) == ["ada", "bob", "carol", "dan"]


def test_a_moderator_of_one_room_cannot_remove_members_of_another(room, ada, bob, carol):
    other = make_room(ada, slug="other")
    services.room_join(user=carol, room=other)
    services.room_join(user=bob, room=other)

    with pytest.raises(Forbidden):
        services.membership_remove(actor=bob, room=other, username="carol")
    with pytest.raises(Forbidden):
        services.room_read_only_set(actor=bob, room=other, on=True)
    assert members(other) == ["ada", "bob", "carol"]
    assert not fresh(other).read_only


def test_naming_a_moderator_is_a_role_event(room):
    assert last_event(room) | {"ts": None, "id": None} == {
        "type": "event",
        "room": "general",
        "seq": 5,
        "id": None,
        "kind": "role",
        "user": {"username": "bob"},
        "by": {"username": "ada"},
        "role": "moderator",
        "ts": None,
    }


# -- read-only rooms ----------------------------------------------------------------------------


def test_a_moderator_makes_the_room_read_only_and_then_only_moderators_post(room, bob, carol):
    assert services.room_read_only_set(actor=bob, room=room, on=True) is True

    event = last_event(room)
    assert (event["kind"], event["user"], event["on"]) == ("read_only", {"username": "bob"}, True)
    assert "by" not in event
    assert AuditEntry.objects.filter(action="room_read_only", actor=bob).exists()
    seq = fresh(room).last_seq
    with pytest.raises(Forbidden, match="read-only"):
        post(carol)
    assert fresh(room).last_seq == seq
    assert post(bob, client_id="b1").seq == seq + 1


def test_owner_and_staff_post_in_a_read_only_room(room, ada):
    services.room_read_only_set(actor=ada, room=room, on=True)
    staff = UserFactory(username="root", is_staff=True)
    services.room_join(user=staff, room=room)

    post(ada, client_id="a1")
    post(staff, client_id="s1")


def test_a_read_only_room_refuses_replies_edits_and_uploads_of_members(room, bob, carol):
    root = post(bob, client_id="root")
    own = post(carol, client_id="mine")
    services.room_read_only_set(actor=bob, room=room, on=True)

    with pytest.raises(Forbidden):
        post(carol, client_id="r1", thread=root.seq)
    with pytest.raises(Forbidden):
        services.message_edit(
            user=carol, room_slug="general", target=own.seq, body="new", client_id="e1"
        )
    with pytest.raises(Forbidden):
        services.attachment_post(
            user=carol, room_slug="general", upload=SimpleUploadedFile("a.txt", b"hello")
        )


def test_reactions_stay_open_in_a_read_only_room(room, bob, carol):
    news = post(bob, body="Release on Friday", client_id="n1")
    services.room_read_only_set(actor=bob, room=room, on=True)

    services.reaction_set(
        user=carol, room_slug="general", target=news.seq, emoji="👍", op="add", client_id="x1"
    )


def test_making_a_read_only_room_read_only_again_writes_nothing(room, bob):
    services.room_read_only_set(actor=bob, room=room, on=True)
    seq = fresh(room).last_seq

    assert services.room_read_only_set(actor=bob, room=room, on=True) is False
    assert fresh(room).last_seq == seq


def test_a_plain_member_cannot_make_the_room_read_only(room, carol):
    with pytest.raises(Forbidden):
        services.room_read_only_set(actor=carol, room=room, on=True)
    assert not fresh(room).read_only


def test_the_change_is_emitted_after_commit(room, bob, publish, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.room_read_only_set(actor=bob, room=room, on=True)
        publish.assert_not_called()

    (call,) = publish.call_args_list
    assert '"kind":"read_only"' in call.args[1]["frame"]


# -- renaming -----------------------------------------------------------------------------------


def test_the_owner_renames_the_room_and_its_address_stays(room, ada):
    assert services.room_rename(actor=ada, room=room, name="  Town square ") is True

    stored = fresh(room)
    assert (stored.name, stored.slug) == ("Town square", "general")
    event = last_event(room)
    assert (event["kind"], event["user"], event["name"], event["previous"]) == (
        "rename",
        {"username": "ada"},
        "Town square",
        "General",
    )
    assert AuditEntry.objects.get(action="room_rename").detail["from"] == "General"


def test_a_moderator_cannot_rename_the_room(room, bob):
    with pytest.raises(Forbidden):
        services.room_rename(actor=bob, room=room, name="Mine now")
    assert fresh(room).name == "General"


def test_a_blank_name_is_refused(room, ada):
    seq = fresh(room).last_seq
    with pytest.raises(InvalidInput):
        services.room_rename(actor=ada, room=room, name="   ")
    assert fresh(room).last_seq == seq


# -- ownership ----------------------------------------------------------------------------------


def test_the_owner_gives_the_room_to_a_member_and_stays_as_a_moderator(room, ada, carol):
    assert services.room_owner_transfer(actor=ada, room=room, username="carol") is True

    stored = fresh(room)
    assert stored.owner == carol
    assert Membership.objects.get(room=room, user=ada).role == "moderator"
    event = last_event(room)
    assert (event["kind"], event["user"], event["by"], event["previous"]) == (
        "owner",
        {"username": "carol"},
        {"username": "ada"},
        {"username": "ada"},
    )
    # The former owner may now leave; the new one may not.
    services.room_leave(user=ada, room=stored)
    with pytest.raises(OwnerCannotLeave):
        services.room_leave(user=carol, room=stored)


def test_ownership_goes_only_to_a_member(room, ada):
    outsider = UserFactory(username="eve")
    with pytest.raises(InvalidInput, match="not a member"):
        services.room_owner_transfer(actor=ada, room=room, username=outsider.username)
    assert fresh(room).owner == ada


def test_a_moderator_cannot_take_the_room(room, bob):
    with pytest.raises(Forbidden):
        services.room_owner_transfer(actor=bob, room=room, username="bob")
    assert fresh(room).owner.username == "ada"


# -- archiving ----------------------------------------------------------------------------------


def test_an_archived_room_is_read_only_for_everyone(room, ada, bob, carol, dan):
    message = post(carol, client_id="c0")
    assert services.room_archive(actor=ada, room=room, archived=True) is True
    event = last_event(room)
    assert (event["kind"], event["archived"]) == ("archive", True)
    seq = fresh(room).last_seq

    for user in (ada, bob, carol):
        with pytest.raises(Forbidden, match="archived"):
            post(user, client_id=f"{user.username}-late")
    with pytest.raises(Forbidden, match="archived"):
        services.reaction_set(
            user=dan, room_slug="general", target=message.seq, emoji="👍", op="add", client_id="x"
        )
    with pytest.raises(Forbidden, match="archived"):
        services.message_edit(
            user=carol, room_slug="general", target=message.seq, body="b", client_id="e"
        )
    newcomer = UserFactory(username="eve")
    with pytest.raises(Forbidden, match="archived"):
        services.room_join(user=newcomer, room=fresh(room))
    with pytest.raises(Forbidden, match="archived"):
        services.room_read_only_set(actor=bob, room=fresh(room), on=True)
    assert fresh(room).last_seq == seq
    # Still readable.
    _, page = selectors.room_history(user=newcomer, slug="general", before=None, limit=50)
    assert page.items[-1].kind == Item.Kind.ARCHIVE


def test_unarchiving_opens_the_room_again(room, ada, carol):
    services.room_archive(actor=ada, room=room, archived=True)
    services.room_archive(actor=ada, room=fresh(room), archived=False)

    assert fresh(room).archived_at is None
    assert last_event(room)["archived"] is False
    post(carol, client_id="back")
    assert [e.action for e in AuditEntry.objects.order_by("pk")][-2:] == [
        "room_archive",
        "room_unarchive",
    ]


def test_a_moderator_cannot_archive_the_room(room, bob):
    with pytest.raises(Forbidden):
        services.room_archive(actor=bob, room=room, archived=True)
    assert fresh(room).archived_at is None


def test_archived_rooms_leave_your_rooms_and_are_listed_apart(room, ada, carol):
    services.room_archive(actor=ada, room=room, archived=True)

    split = selectors.home_rooms(selectors.home_room_list(carol))
    assert [r.slug for r in split.yours] == []
    assert [r.slug for r in split.archived] == ["general"]


# -- direct rooms -------------------------------------------------------------------------------


def test_none_of_this_applies_to_direct_rooms(ada, bob):
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room

    with pytest.raises(Forbidden):
        services.room_read_only_set(actor=ada, room=direct, on=True)
    with pytest.raises(Forbidden):
        services.room_rename(actor=ada, room=direct, name="Us")
    with pytest.raises(Forbidden):
        services.room_archive(actor=ada, room=direct, archived=True)
    with pytest.raises(Forbidden):
        services.room_owner_transfer(actor=ada, room=direct, username="bob")
    with pytest.raises(Forbidden):
        services.membership_remove(actor=ada, room=direct, username="bob")


def test_a_non_member_sender_is_still_told_not_a_member_first(room):
    services.room_read_only_set(actor=UserFactory(is_staff=True), room=room, on=True)
    with pytest.raises(NotAMember):
        post(UserFactory(username="eve"))


def test_in_an_archived_room_only_moderators_delete_messages(room, ada, bob, carol):
    own = post(carol, client_id="c-own")
    other = post(carol, client_id="c-other")
    services.room_archive(actor=ada, room=room, archived=True)

    with pytest.raises(Forbidden, match="archived"):
        services.message_delete(user=carol, room_slug="general", target=own.seq, client_id="d1")
    services.message_delete(user=bob, room_slug="general", target=other.seq, client_id="d2")
    assert Item.objects.get(pk=other.pk).deleted
    assert not Item.objects.get(pk=own.pk).deleted
