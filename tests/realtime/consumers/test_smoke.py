import pytest

from tests.support.socket import connect

pytestmark = pytest.mark.django_db(transaction=True)

EVERYTHING = frozenset()  # ada sees `presence` frames too: bob comes online


async def test_two_users_chat_in_one_room(ada, bob, general):
    async with connect(ada, ignore=EVERYTHING) as a, connect(bob) as b:
        sub = await a.request({"type": "subscribe", "room": "general"})
        assert sub["type"] == "subscribed" and sub["last_seq"] == 1
        await b.request({"type": "subscribe", "room": "general"})
        assert (await b.request({"type": "join", "room": "general"}))["type"] == "joined"
        join_event = await a.next()
        assert join_event["type"] == "event" and join_event["kind"] == "join"
        assert join_event["seq"] == 2
        # The new member is online: the room's subscribers are told so after the join.
        presence = await a.next()
        assert presence["type"] == "presence" and presence["user"] == {"username": "bob"}
        assert presence["online"] is True
        await b.send({"type": "send", "room": "general", "body": "hi", "client_id": "c1"})
        got_a = await a.next()
        assert got_a["type"] == "message" and got_a["body"] == "hi" and got_a["seq"] == 3
        # The sender gets its ack and, as a subscriber, the message itself (in either order).
        ack = await b.wait_for(lambda f: f["type"] == "ack")
        message = await b.wait_for(lambda f: f["type"] == "message")
        assert message["seq"] == ack["seq"] == 3 and ack["client_id"] == "c1"
