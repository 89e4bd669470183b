import pytest
from channels.db import database_sync_to_async

from tests.conftest import receive_until, request, ws_client
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db(transaction=True)


async def test_two_users_chat_in_one_room():
    ada = await database_sync_to_async(UserFactory)(username="ada")
    bob = await database_sync_to_async(UserFactory)(username="bob")
    await database_sync_to_async(make_room)(ada, slug="general")
    async with ws_client(ada) as a, ws_client(bob) as b:
        sub = await request(a, {"type": "subscribe", "room": "general"})
        assert sub["type"] == "subscribed" and sub["last_seq"] == 1
        await request(b, {"type": "subscribe", "room": "general"})
        assert (await request(b, {"type": "join", "room": "general"}))["type"] == "joined"
        join_event = await a.receive_json_from(timeout=5)
        assert join_event["type"] == "event" and join_event["kind"] == "join"
        assert join_event["seq"] == 2
        # The new member is online: the room's subscribers are told so after the join.
        presence = await a.receive_json_from(timeout=5)
        assert presence["type"] == "presence" and presence["user"] == {"username": "bob"}
        assert presence["online"] is True
        await b.send_json_to({"type": "send", "room": "general", "body": "hi", "client_id": "c1"})
        got_a = await a.receive_json_from(timeout=5)
        assert got_a["type"] == "message" and got_a["body"] == "hi" and got_a["seq"] == 3
        # The sender gets its ack and, as a subscriber, the message itself (in either order).
        frames = await receive_until(b, lambda f: f["type"] == "ack")
        if not any(f["type"] == "message" for f in frames):
            frames.append(await b.receive_json_from(timeout=5))
        message = next(f for f in frames if f["type"] == "message")
        ack = next(f for f in frames if f["type"] == "ack")
        assert message["seq"] == ack["seq"] == 3 and ack["client_id"] == "c1"
