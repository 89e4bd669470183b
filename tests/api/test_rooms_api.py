"""Rooms over the API: the room list, members, join and leave, the read pointer, direct rooms."""

from __future__ import annotations

import uuid

import pytest

from parley.rooms import services
from parley.rooms.models import Membership
from tests.api.conftest import error_of
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


def send(user, slug, body="hi"):
    return services.message_post(
        user=user, room_slug=slug, body=body, client_id=uuid.uuid4().hex
    ).item


def test_the_room_list_has_what_the_user_can_see_with_kind_membership_and_unread(
    bob_api, ada, bob, general
):
    make_room(ada, slug="secret", name="Secret", visibility="private")
    make_room(bob, slug="mine", name="Mine", visibility="private")
    send(ada, "general")
    send(ada, "general")
    dm = services.direct_room_open(user=ada, usernames=["bob"]).room
    send(ada, dm.slug)

    rooms = bob_api.get("/rooms").json()["rooms"]

    assert {room["slug"]: room for room in rooms} == {
        "general": {
            "slug": "general",
            "name": "General",
            "kind": "public",
            "member": False,
            "last_seq": 3,
            "unread": 0,
        },
        "mine": {
            "slug": "mine",
            "name": "Mine",
            "kind": "private",
            "member": True,
            "last_seq": 1,
            "unread": 0,
        },
        dm.slug: {
            "slug": dm.slug,
            "name": "ada",
            "kind": "direct",
            "member": True,
            "last_seq": 1,
            "unread": 1,
        },
    }


def test_members_lists_usernames_with_their_roles(ada_api, ada, bob, general_with_bob):
    carol = UserFactory(username="carol")
    services.room_join(user=carol, room=general_with_bob)
    services.moderator_set(actor=ada, room=general_with_bob, username="carol", moderator=True)

    response = ada_api.get("/rooms/general/members")

    assert response.status_code == 200
    assert response.json() == {
        "room": "general",
        "members": [
            {"username": "ada", "role": "owner"},
            {"username": "bob", "role": "member"},
            {"username": "carol", "role": "moderator"},
        ],
    }


def test_members_of_a_private_room_one_is_not_in_is_404(bob_api, ada):
    make_room(ada, slug="secret", visibility="private")

    response = bob_api.get("/rooms/secret/members")

    assert response.status_code == 404
    assert error_of(response)["code"] == "room_not_found"


def test_join_writes_the_join_event_and_a_second_join_changes_nothing(bob_api, bob, general):
    joined = bob_api.post("/rooms/general/join")
    again = bob_api.post("/rooms/general/join")

    assert joined.status_code == again.status_code == 200
    item = joined.json()["item"]
    assert (joined.json()["member"], item["type"], item["kind"]) == (True, "event", "join")
    assert item["user"] == {"username": "bob"}
    assert again.json() == {"room": "general", "member": True, "item": None}
    assert Membership.objects.filter(room=general, user=bob).exists()


def test_leave_writes_the_leave_event_but_the_owner_may_not_leave(
    ada_api, bob_api, bob, general_with_bob
):
    left = bob_api.post("/rooms/general/leave")
    owner = ada_api.post("/rooms/general/leave")

    assert left.status_code == 200
    assert left.json()["member"] is False
    assert left.json()["item"]["kind"] == "leave"
    assert not Membership.objects.filter(room=general_with_bob, user=bob).exists()
    assert owner.status_code == 403
    assert error_of(owner)["code"] == "forbidden"


def test_joining_a_private_room_is_404(bob_api, ada):
    make_room(ada, slug="secret", visibility="private")

    response = bob_api.post("/rooms/secret/join")

    assert response.status_code == 404
    assert error_of(response)["code"] == "room_not_found"


def test_the_read_pointer_moves_forward_only_and_never_past_the_last_seq(
    bob_api, ada, bob, general_with_bob
):
    for _ in range(3):
        send(ada, "general")  # seqs 3..5

    moved = bob_api.put("/rooms/general/read", {"seq": 4})
    back = bob_api.put("/rooms/general/read", {"seq": 3})
    past = bob_api.put("/rooms/general/read", {"seq": 99})

    assert moved.json() == {"room": "general", "seq": 4}
    assert back.json() == {"room": "general", "seq": 4}
    assert past.json() == {"room": "general", "seq": 5}
    room = next(r for r in bob_api.get("/rooms").json()["rooms"] if r["slug"] == "general")
    assert room["unread"] == 0


@pytest.mark.parametrize("payload", [{"seq": -1}, {"seq": "3"}, {"seq": True}, {}])
def test_a_bad_read_pointer_is_400(ada_api, general, payload):
    response = ada_api.put("/rooms/general/read", payload)

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_only_members_move_a_read_pointer(bob_api, general):
    response = bob_api.put("/rooms/general/read", {"seq": 1})

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_dm_opens_one_room_per_set_of_people(ada_api, bob_api, bob):
    UserFactory(username="carol")

    first = ada_api.post("/dm", {"users": ["bob"]})
    same = bob_api.post("/dm", {"users": ["ada"]})
    three = ada_api.post("/dm", {"users": ["bob", "carol"]})

    assert first.status_code == same.status_code == three.status_code == 200
    assert first.json()["users"] == ["ada", "bob"]
    assert same.json()["room"] == first.json()["room"]
    assert three.json()["room"] != first.json()["room"]
    assert three.json()["users"] == ["ada", "bob", "carol"]


@pytest.mark.parametrize("users", [[], ["ada"], ["nobody"], "bob", [1]])
def test_dm_refuses_nobody_else_unknown_people_and_wrong_types(ada_api, users):
    response = ada_api.post("/dm", {"users": users})

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
