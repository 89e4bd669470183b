"""Room roles over the API (issue 22): the same services as the settings page, the same refusals."""

from __future__ import annotations

import pytest

from parley.rooms import services
from parley.rooms.models import Membership, Room
from tests.api.conftest import ApiClient, error_of, token_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def room(general, ada, bob, carol):
    """ada's `general`: bob a moderator, carol a plain member."""
    services.room_join(user=bob, room=general)
    services.room_join(user=carol, room=general)
    services.moderator_set(actor=ada, room=general, username="bob", moderator=True)
    return general


def fresh(room) -> Room:
    return Room.objects.get(pk=room.pk)


def test_the_owner_renames_and_makes_read_only_in_one_request(ada_api, room):
    answer = ada_api.patch("/rooms/general", {"name": "News", "read_only": True})

    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [(i["kind"], i.get("name"), i.get("on")) for i in items] == [
        ("rename", "News", None),
        ("read_only", None, True),
    ]
    stored = fresh(room)
    assert (stored.name, stored.slug, stored.read_only) == ("News", "general", True)


def test_a_refused_change_changes_nothing_of_the_request(bob_api, room):
    answer = bob_api.patch("/rooms/general", {"read_only": True, "name": "Bob's"})

    assert answer.status_code == 403
    assert error_of(answer)["code"] == "forbidden"
    stored = fresh(room)
    assert (stored.name, stored.read_only) == ("General", False)


def test_a_moderator_removes_a_member_and_the_leave_says_by_whom(bob_api, room):
    answer = bob_api.delete("/rooms/general/members/carol")

    assert answer.status_code == 200
    assert answer.json()["item"]["by"] == {"username": "bob"}
    assert not Membership.objects.filter(room=room, user__username="carol").exists()
    assert bob_api.delete("/rooms/general/members/ada").status_code == 403


def test_a_plain_member_cannot_post_through_the_api_in_a_read_only_room(ada, carol, room):
    services.room_read_only_set(actor=ada, room=room, on=True)
    carol_api = ApiClient(token_of(carol))

    answer = carol_api.post(
        "/rooms/general/messages", {"body": "me too"}, headers={"Idempotency-Key": "k1"}
    )
    assert answer.status_code == 403
    assert "read-only" in error_of(answer)["message"]
