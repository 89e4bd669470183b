"""Read pointers and unread counts through the real ASGI application: the `read` frame, the
other tabs, sending, `subscribed` after a reconnect or on another device, and read receipts."""

import pytest
from channels.db import database_sync_to_async

from parley.rooms.models import Membership
from tests.support.data import post
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def pointer(user, slug: str) -> int:
    return Membership.objects.get(user=user, room__slug=slug).last_read_seq


async def post_many(user, count: int, *, slug="general", prefix="m") -> None:
    for n in range(count):
        await post(user, slug, f"{prefix}{n}", f"{prefix}-{n}")


def read(seq, room="general", **fields):
    return {"type": "read", "room": room, "seq": seq, **fields}


async def test_the_pointer_moves_forward_only_and_never_past_the_last_seq(people):
    ada, bob, _ = people
    await post_many(ada, 4)  # seqs 3..6
    async with connect(bob) as client:
        assert await client.request(read(4, ref="a")) == {
            "type": "read",
            "room": "general",
            "seq": 4,
            "ref": "a",
        }
        assert (await client.request(read(2)))["seq"] == 4  # never backwards
        assert (await client.request(read(10**6)))["seq"] == 6  # never past the last seq
        assert (await client.request(read(0)))["seq"] == 6
        await client.assert_quiet()
    assert await pointer(bob, "general") == 6


async def test_bad_read_frames_are_refused_and_change_nothing(people):
    ada, bob, carol = people
    await post_many(ada, 2)
    async with connect(bob) as member, connect(carol) as outsider:
        assert error_code(await member.request(read(-1))) == "invalid"
        for seq in ("3", 1.5, True, None):
            assert error_code(await member.request(read(seq))) == "bad_frame"
        assert error_code(await member.request({"type": "read", "room": "general"})) == (
            "bad_frame"
        )
        assert error_code(await member.request(read(1, room="nowhere"))) == "room_not_found"
        # Not a member: forbidden in a public room (before `invalid`), not found in a private one.
        assert error_code(await outsider.request(read(1))) == "forbidden"
        assert error_code(await outsider.request(read(-1))) == "forbidden"
        assert error_code(await outsider.request(read(1, room="secret"))) == "room_not_found"
        await member.ping_works()
    assert await pointer(bob, "general") == 2  # where bob joined


async def test_the_users_other_tabs_get_the_new_pointer_at_once(people):
    ada, bob, _ = people
    await post_many(ada, 3)  # seqs 3..5
    async with connect(bob) as tab1, connect(bob) as tab2, connect(ada) as other_user:
        await tab2.subscribe("general")
        answer = await tab1.request(read(4, ref="r"))
        assert answer == {"type": "read", "room": "general", "seq": 4, "ref": "r"}
        # Other tabs learn it (subscribed to the room or not), without the ref.
        assert await tab2.wait_for(lambda f: f["type"] == "read") == {
            "type": "read",
            "room": "general",
            "seq": 4,
        }
        # tab2 subscribes to this small room: it also sees bob's receipt, like everyone there.
        assert (await tab2.wait_for(lambda f: f["type"] == "receipt"))["seq"] == 4
        await tab1.assert_quiet()  # the asking tab got its answer once
        # A `read` that moves nothing answers the asker only.
        assert (await tab1.request(read(3)))["seq"] == 4
        await tab2.assert_quiet()
        await other_user.assert_quiet()


async def test_sending_moves_the_authors_pointer_and_tells_their_other_tabs(people):
    ada, bob, _ = people
    async with connect(ada) as sender, connect(ada) as other_tab:
        await sender.subscribe("general")
        ack = await sender.request(
            {"type": "send", "room": "general", "body": "mine", "client_id": "c1"}
        )
        assert ack["type"] == "ack"
        assert await other_tab.wait_for(lambda f: f["type"] == "read") == {
            "type": "read",
            "room": "general",
            "seq": ack["seq"],
        }
        # The sender has its ack and the item, not a `read`.
        assert (await sender.item("general"))["seq"] == ack["seq"]
        await sender.assert_quiet()
    assert await pointer(ada, "general") == ack["seq"]
    assert await pointer(bob, "general") == 2
    # One's own messages never count as unread.
    async with connect(ada) as again, connect(bob) as reader:
        mine = await again.subscribe("general")
        assert (mine["last_read"], mine["unread"]) == (ack["seq"], 0)
        theirs = await reader.subscribe("general")
        assert (theirs["last_read"], theirs["unread"]) == (2, 1)


async def test_unread_counts_are_right_after_a_reconnect_and_on_another_device(people):
    ada, bob, _ = people
    async with connect(bob) as laptop:
        first = await laptop.subscribe("general")
        # A member's pointer starts at their join (seq 2): nothing before it is unread.
        assert (first["last_seq"], first["last_read"], first["unread"]) == (2, 2, 0)
    await post_many(ada, 5)  # seqs 3..7, while bob is offline
    async with connect(bob) as laptop:
        resumed = await laptop.subscribe("general", after=2)
        assert (resumed["last_seq"], resumed["last_read"], resumed["unread"]) == (7, 2, 5)
        await laptop.items("general", 5)
        assert (await laptop.request(read(5)))["seq"] == 5
    # Another device: a new session, a new socket; the pointer lives on the server.
    async with connect(bob) as phone:
        reply = await phone.subscribe("general")
        assert (reply["last_read"], reply["unread"]) == (5, 2)


async def test_a_non_member_reading_a_public_room_has_no_pointer(people):
    ada, _, carol = people
    await post_many(ada, 3)
    async with connect(carol) as reader:
        reply = await reader.subscribe("general")
        # No pointer: 0, and every message counts as after it.
        assert (reply["last_read"], reply["unread"]) == (0, 3)


async def test_small_rooms_carry_read_receipts(people):
    ada, bob, _ = people
    await post_many(ada, 2)  # seqs 3, 4: ada's pointer is 4
    async with connect(ada) as watcher, connect(bob) as bob_tab:
        reply = await watcher.subscribe("general")
        assert reply["read_by"] == {"ada": 4, "bob": 2}
        await bob_tab.subscribe("general")
        await bob_tab.request(read(3))
        receipt = await watcher.wait_for(lambda f: f["type"] == "receipt")
        assert receipt == {"type": "receipt", "room": "general", "user": {"username": "bob"},
                           "seq": 3}  # fmt: skip
        # The reader's own subscribers see it too (it is the room's state, like a message).
        assert (await bob_tab.wait_for(lambda f: f["type"] == "receipt"))["seq"] == 3


async def test_rooms_over_the_receipt_size_have_no_receipts(people, settings):
    settings.PARLEY = {**settings.PARLEY, "RECEIPTS_MAX_MEMBERS": 1}
    ada, bob, _ = people
    await post_many(ada, 1)
    async with connect(ada) as watcher, connect(bob) as bob_tab:
        reply = await watcher.subscribe("general")
        assert "read_by" not in reply
        await bob_tab.request(read(3))
        await watcher.assert_quiet()
