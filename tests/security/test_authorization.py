"""Only members speak, removal takes effect at once, and a private room cannot be found out.

Authorisation is checked on every frame (each frame's service call looks the room and the
membership up again), not only at subscribe; a removal reaches open sockets through the hub.
"""

import re

import pytest
from channels.db import database_sync_to_async

from parley.rooms.models import Membership
from tests.support.data import make_room, make_user, post
from tests.support.sessions import signed_in_client
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)


async def assert_cut_off(bob_socket, ada, slug: str) -> None:
    """bob got the leave and `unsubscribed` (removed), then nothing more of the room."""
    leave = await bob_socket.item(slug)
    assert (leave["kind"], leave["user"]) == ("leave", {"username": "bob"})
    notice = await bob_socket.wait_for(lambda f: f["type"] == "unsubscribed")
    assert notice == {"type": "unsubscribed", "room": slug, "reason": "removed"}
    await post(ada, slug, "after the removal", "after-1")
    await bob_socket.assert_quiet()
    for frame in (
        {"type": "send", "room": slug, "body": "still here?", "client_id": "b-2"},
        {"type": "history", "room": slug},
        {"type": "subscribe", "room": slug},
    ):
        assert error_code(await bob_socket.request(frame)) == "room_not_found"


@pytest.fixture
async def private_room():
    ada, bob = await make_user("ada"), await make_user("bob")
    await make_room(ada, "secret", visibility="private", members=[bob])
    return ada, bob


async def test_a_member_removed_by_the_owner_stops_receiving_and_cannot_send(private_room):
    ada, bob = private_room
    async with connect(bob) as bob_socket:
        await bob_socket.subscribe("secret")
        sent = await bob_socket.request(
            {"type": "send", "room": "secret", "body": "hi", "client_id": "b-1"}
        )
        assert sent["type"] == "ack"
        await bob_socket.item("secret")  # bob's own message

        def remove_on_the_settings_page():
            return signed_in_client(ada).post(
                "/rooms/secret/settings/", {"username": "bob", "action": "remove"}
            )

        response = await database_sync_to_async(remove_on_the_settings_page)()
        assert response.status_code == 302
        await assert_cut_off(bob_socket, ada, "secret")


async def test_a_member_removed_in_the_admin_stops_receiving_and_cannot_send(private_room):
    ada, bob = private_room
    root = await make_user("root", is_staff=True, is_superuser=True)

    def remove_in_admin():
        membership = Membership.objects.get(room__slug="secret", user=bob)
        return signed_in_client(root).post(
            f"/admin/rooms/membership/{membership.pk}/delete/", {"post": "yes"}
        )

    async with connect(bob) as bob_socket:
        await bob_socket.subscribe("secret")
        response = await database_sync_to_async(remove_in_admin)()
        assert response.status_code == 302
        await assert_cut_off(bob_socket, ada, "secret")


def _without_csrf_token(content: bytes) -> bytes:
    """A page with its CSRF token blanked: the header's log-out form carries a fresh random mask
    of it on every render, which tells nothing about the room."""
    return re.sub(rb'(name="csrfmiddlewaretoken" value=")[^"]*', rb"\1", content)


async def test_a_non_member_cannot_tell_a_private_room_from_a_missing_one(private_room):
    eve = await make_user("eve")
    frames = [
        {"type": "subscribe", "room": "{slug}"},
        {"type": "subscribe", "room": "{slug}", "after": 0},
        {"type": "history", "room": "{slug}"},
        {"type": "join", "room": "{slug}"},
        {"type": "leave", "room": "{slug}"},
        {"type": "unsubscribe", "room": "{slug}"},
        {"type": "send", "room": "{slug}", "body": "hello", "client_id": "e-1"},
    ]

    async with connect(eve) as socket:
        for frame in frames:
            answers = []
            for slug in ("secret", "no-such-room"):
                filled = {k: (v.format(slug=slug) if k == "room" else v) for k, v in frame.items()}
                answers.append(await socket.request({**filled, "ref": "r"}))
            assert answers[0] == answers[1]
            assert error_code(answers[0]) == "room_not_found"

    def pages():
        client = signed_in_client(eve)
        return [
            [
                (response.status_code, _without_csrf_token(response.content))
                for response in (
                    client.get(f"/rooms/{slug}/"),
                    client.get(f"/rooms/{slug}/settings/"),
                    client.post(f"/rooms/{slug}/join/"),
                    client.post(f"/rooms/{slug}/leave/"),
                )
            ]
            for slug in ("secret", "no-such-room")
        ]

    secret, missing = await database_sync_to_async(pages)()
    assert secret == missing
    assert {status for status, _ in secret} == {404}
    assert not await database_sync_to_async(
        Membership.objects.filter(user=eve, room__slug="secret").exists
    )()


async def test_only_members_may_send_to_a_public_room(private_room):
    ada, bob = private_room
    await make_room(ada, "general")
    async with connect(bob) as socket:
        refused = await socket.request(
            {"type": "send", "room": "general", "body": "hi", "client_id": "b-1"}
        )
        joined = await socket.request({"type": "join", "room": "general"})
        accepted = await socket.request(
            {"type": "send", "room": "general", "body": "hi", "client_id": "b-1"}
        )
    assert error_code(refused) == "forbidden"
    assert joined["type"] == "joined"
    assert accepted["type"] == "ack"


async def test_the_author_is_the_session_user_whatever_the_frame_says(private_room):
    ada, bob = private_room
    async with connect(bob) as socket:
        await socket.subscribe("secret")
        await socket.request(
            {
                "type": "send",
                "room": "secret",
                "body": "it was ada",
                "client_id": "spoof-1",
                "author": {"username": "ada"},
                "user": "ada",
                "user_id": ada.pk,
            }
        )
        item = await socket.item("secret")
    assert item["author"] == {"username": "bob"}
