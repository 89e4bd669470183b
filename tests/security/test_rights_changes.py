"""Rights that change while sockets are open take effect at once.

- A user's staff status is read from the database at each access decision, and a change of staff
  or superuser status closes the user's sockets (4409), whose client reconnects with the new rights.
- A room made private or staff-only, or deleted, in the admin ends the subscriptions of everyone
  who may no longer see it: `unsubscribed` (removed), then nothing of the room.
- A re-sent `client_id` is answered with its original `ack` only while the room is visible.
"""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from parley.rooms.models import Membership, Room
from parley.wire.codes import CloseCode
from tests.support.data import make_room, make_user, post
from tests.support.sessions import signed_in_client
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def admin_edits_user(root, user, **changes) -> int:
    """The admin's user change form, posted as a superuser would, with `changes` applied."""
    user.refresh_from_db()
    fields = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **changes,
    }
    data = {key: ("on" if value is True else value) for key, value in fields.items()}
    data = {key: value for key, value in data.items() if value is not False}
    response = signed_in_client(root).post(f"/admin/auth/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    return response.status_code


@database_sync_to_async
def admin_edits_room(root, slug: str, **changes) -> None:
    room = Room.objects.get(slug=slug)
    fields = {
        "name": room.name,
        "visibility": room.visibility,
        "staff_only": room.staff_only,
        "owner": room.owner_id or "",
        **changes,
    }
    data = {key: ("on" if value is True else value) for key, value in fields.items()}
    data = {key: value for key, value in data.items() if value is not False}
    data.update({"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    response = signed_in_client(root).post(f"/admin/rooms/room/{room.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]


@pytest.fixture
async def people():
    root = await make_user("root", is_staff=True, is_superuser=True)
    ada = await make_user("ada")
    sam = await make_user("sam", is_staff=True)
    await make_room(ada, "secret", visibility="private")
    return root, ada, sam


async def close_code_after_admin_edit(root, user, **changes) -> int | None:
    """The close code `user`'s open socket gets when the admin saves `changes` to them."""
    async with connect(user) as socket:
        await socket.ping_works()
        await admin_edits_user(root, user, **changes)
        code, _ = await socket.wait_closed()
    return code


async def test_a_staff_user_demoted_in_the_admin_loses_staff_rights_on_an_open_socket(people):
    root, ada, sam = people
    assert await close_code_after_admin_edit(root, sam, is_staff=False) == CloseCode.RIGHTS_CHANGED

    # Reconnected: the private room he is not in is a room that does not exist.
    async with connect(sam) as socket:
        for frame in (
            {"type": "subscribe", "room": "secret"},
            {"type": "join", "room": "secret"},
            {"type": "send", "room": "secret", "body": "still staff?", "client_id": "s-1"},
        ):
            assert error_code(await socket.request(frame)) == "room_not_found"
    assert not await database_sync_to_async(
        Membership.objects.filter(user=sam, room__slug="secret").exists
    )()


async def test_staff_rights_are_read_from_the_database_at_each_frame(people):
    """Even a change that bypasses save() (a bulk update) counts at the next frame."""
    root, ada, sam = people
    async with connect(sam) as socket:
        assert (await socket.subscribe("secret"))["room"] == "secret"
        await socket.request({"type": "unsubscribe", "room": "secret"})
        await database_sync_to_async(get_user_model().objects.filter(pk=sam.pk).update)(
            is_staff=False
        )
        for frame in (
            {"type": "subscribe", "room": "secret"},
            {"type": "join", "room": "secret"},
            {"type": "history", "room": "secret"},
        ):
            assert error_code(await socket.request(frame)) == "room_not_found"


async def test_superuser_status_and_promotion_also_reconnect_the_users_sockets(people):
    root, ada, sam = people
    promoted = await close_code_after_admin_edit(root, ada, is_staff=True, is_superuser=True)
    assert promoted == CloseCode.RIGHTS_CHANGED
    made_superuser = await close_code_after_admin_edit(root, sam, is_superuser=True)
    assert made_superuser == CloseCode.RIGHTS_CHANGED


async def test_a_user_deactivated_in_the_admin_is_cut_off(people):
    root, ada, sam = people
    assert await close_code_after_admin_edit(root, sam, is_active=False) == CloseCode.SESSION_ENDED


@pytest.mark.parametrize("change", [{"visibility": "private"}, {"staff_only": True}])
async def test_a_room_closed_in_the_admin_stops_feeding_those_who_may_no_longer_see_it(
    people, change
):
    root, ada, sam = people
    bob = await make_user("bob")
    await make_room(root, "town")
    async with (
        connect(bob) as bob_socket,
        connect(sam) as staff_socket,
        connect(root) as root_socket,
    ):
        await bob_socket.subscribe("town")
        await staff_socket.subscribe("town")
        await admin_edits_room(root, "town", **change)
        notice = await bob_socket.wait_for(lambda f: f["type"] == "unsubscribed")
        assert notice == {"type": "unsubscribed", "room": "town", "reason": "removed"}

        # The room goes on: staff still get its messages and typing; bob gets nothing of it.
        await root_socket.send({"type": "typing", "room": "town"})
        await post(root, "town", "after the change", "after-1")
        assert (await staff_socket.wait_for(lambda f: f["type"] == "typing"))["room"] == "town"
        assert (await staff_socket.item("town"))["body"] == "after the change"
        # One hub forwards to both sockets at once: what bob would get is in before his pong.
        await bob_socket.ping_works()
        assert [f for f in bob_socket.pending if f.get("room") == "town"] == []
        refused = await bob_socket.request({"type": "subscribe", "room": "town"})
        assert error_code(refused) == "room_not_found"


async def test_a_room_deleted_in_the_admin_ends_every_subscription(people):
    root, ada, sam = people
    await make_room(ada, "town")
    async with connect(ada) as socket:
        await socket.subscribe("town")
        room = await database_sync_to_async(Room.objects.get)(slug="town")

        def delete_in_admin():
            return signed_in_client(root).post(
                f"/admin/rooms/room/{room.pk}/delete/", {"post": "yes"}
            )

        response = await database_sync_to_async(delete_in_admin)()
        assert response.status_code == 302
        notice = await socket.wait_for(lambda f: f["type"] == "unsubscribed")
        assert notice == {"type": "unsubscribed", "room": "town", "reason": "removed"}
        await socket.ping_works()


async def test_a_removed_member_cannot_learn_the_room_exists_by_resending_a_client_id(people):
    root, ada, sam = people
    bob = await make_user("bob")
    await database_sync_to_async(Membership.objects.create)(
        room=await database_sync_to_async(Room.objects.get)(slug="secret"), user=bob
    )
    frame = {"type": "send", "room": "secret", "body": "hi", "client_id": "b-1"}
    async with connect(bob) as socket:
        assert (await socket.request(frame))["type"] == "ack"

    def remove():
        signed_in_client(ada).post(
            "/rooms/secret/settings/", {"username": "bob", "action": "remove"}
        )

    await database_sync_to_async(remove)()
    async with connect(bob) as socket:
        resent = await socket.request({**frame, "ref": "x"})
        missing = await socket.request({**frame, "room": "no-such-room", "ref": "x"})
    assert error_code(resent) == "room_not_found"
    assert resent == missing
