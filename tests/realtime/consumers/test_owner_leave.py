"""The socket's `leave` from a room's owner: `forbidden`, and she stays (issue 15, item 12)."""

import pytest

from tests.support.data import make_room, make_user, post, stored
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)


async def test_owner_leave_is_forbidden_and_she_stays_a_member():
    ada = await make_user("ada")
    bob = await make_user("bob")
    await make_room(ada, "secret", visibility="private", members=[bob])

    async with connect(ada) as owner, connect(bob) as member:
        await member.subscribe("secret")

        reply = await owner.request({"type": "leave", "room": "secret", "ref": "bye"})

        assert error_code(reply) == "forbidden"
        assert reply["ref"] == "bye"
        assert "You own this room, so you cannot leave it" in reply["message"]
        # The connection stays usable and she is still a member: she can post, and the next
        # item bob receives is her message, not a leave event.
        await post(ada, "secret", "still here", "c1")
        item = await member.item("secret")
        assert (item["type"], item["body"]) == ("message", "still here")
        subscribed = await owner.subscribe("secret")
        assert sorted(m["username"] for m in subscribed["members"]) == ["ada", "bob"]
    assert [item.kind for item in await stored("secret")] == ["join", "join", "message"]
