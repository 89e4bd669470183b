"""The audit log (parley/accounts/audit.py): one entry per moderation of someone else (staff
deactivating, a moderator deleting another's message, an owner removing a member, moderators
named), none for what people do to their own things."""

import pytest

from parley.accounts.models import AuditEntry
from parley.accounts.moderation import user_deactivate, user_reactivate
from parley.core.errors import Forbidden
from parley.rooms import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(username="mod", is_staff=True)


@pytest.fixture
def carol(general_with_bob):
    carol = UserFactory(username="carol")
    services.room_join(user=carol, room=general_with_bob)
    return carol


def entries() -> list[tuple]:
    """The log as staff read it, oldest first: (actor, action, target, room)."""
    return [
        (
            entry.actor.username if entry.actor else None,
            entry.action,
            entry.target_user.username if entry.target_user else None,
            entry.room,
        )
        for entry in AuditEntry.objects.select_related("actor", "target_user").order_by("id")
    ]


def post(user, body: str, client_id: str) -> int:
    return services.message_post(
        user=user, room_slug="general", body=body, client_id=client_id
    ).item.seq


def test_deactivating_and_reactivating_are_recorded_with_the_reason(staff, bob):
    user_deactivate(user=bob, by=staff, reason="  spam links  ")
    user_reactivate(user=bob, by=staff, reason="appealed")

    assert entries() == [
        ("mod", "user_deactivate", "bob", ""),
        ("mod", "user_reactivate", "bob", ""),
    ]
    deactivation, reactivation = AuditEntry.objects.order_by("id")
    assert deactivation.detail["reason"] == "spam links"
    assert deactivation.detail["delete_messages"] is False
    assert reactivation.detail == {"reason": "appealed"}


def test_a_refused_deactivation_records_nothing(ada, bob):
    with pytest.raises(Forbidden):
        user_deactivate(user=bob, by=ada)
    assert entries() == []


def test_deleting_all_messages_records_each_deletion_and_the_count(staff, bob, general_with_bob):
    post(bob, "spam one", "s1")
    post(bob, "spam two", "s2")

    user_deactivate(user=bob, by=staff, delete_messages=True, reason="spam")

    assert entries() == [
        ("mod", "user_deactivate", "bob", ""),
        ("mod", "message_delete", "bob", "general"),
        ("mod", "message_delete", "bob", "general"),
        ("mod", "messages_delete_all", "bob", ""),
    ]
    summary = AuditEntry.objects.get(action="messages_delete_all")
    assert summary.detail == {
        "reason": "spam",
        "deleted": 2,
        "failed": 0,
        "direct_messages_kept": 0,
    }


def test_a_moderator_deleting_someone_elses_message_is_recorded(ada, bob, carol, general_with_bob):
    services.moderator_set(actor=ada, room=general_with_bob, username="carol", moderator=True)
    seq = post(bob, "rude", "r1")

    services.message_delete(user=carol, room_slug="general", target=seq, client_id="d1")

    assert entries()[-1] == ("carol", "message_delete", "bob", "general")
    assert AuditEntry.objects.get(action="message_delete").detail["seq"] == seq


def test_an_author_deleting_their_own_message_is_not_recorded(bob, general_with_bob):
    seq = post(bob, "typo", "t1")
    services.message_delete(user=bob, room_slug="general", target=seq, client_id="d1")
    assert entries() == []


def test_an_owner_removing_a_member_is_recorded_and_leaving_is_not(
    ada, bob, carol, general_with_bob
):
    room = general_with_bob
    services.membership_remove(actor=ada, room=room, username="bob")
    services.room_leave(user=carol, room=room)

    assert entries() == [("ada", "member_remove", "bob", "general")]


def test_naming_and_unnaming_a_moderator_is_recorded_once_per_change(ada, bob, general_with_bob):
    room = general_with_bob
    services.moderator_set(actor=ada, room=room, username="bob", moderator=True)
    services.moderator_set(actor=ada, room=room, username="bob", moderator=True)  # no change
    services.moderator_set(actor=ada, room=room, username="bob", moderator=False)

    assert entries() == [
        ("ada", "moderator_set", "bob", "general"),
        ("ada", "moderator_unset", "bob", "general"),
    ]
