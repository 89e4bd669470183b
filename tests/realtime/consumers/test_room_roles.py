"""Room roles on the socket (issue 22): the room's own changes reach subscribers live as
`event` frames and come back the same on resume; a read-only or archived room answers a
refused `send`, `react` or `join` with `forbidden` and stores nothing."""

import pytest
from channels.db import database_sync_to_async

from parley.rooms import services
from parley.rooms.models import Room
from tests.support.data import join, make_user, post, stored_messages
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)


def send(body: str, client_id: str, room: str = "general") -> dict:
    return {"type": "send", "room": room, "body": body, "client_id": client_id}


def particulars(event: dict) -> dict:
    """An event frame without what changes from run to run (its id and time)."""
    assert event["ts"].endswith("Z")
    return {key: value for key, value in event.items() if key not in ("id", "ts")}


@database_sync_to_async
def act(service: str, actor, **fields) -> None:
    room = Room.objects.get(slug="general")
    getattr(services, service)(actor=actor, room=room, **fields)


@pytest.fixture
async def carol(db):
    return await make_user("carol")


async def test_subscribers_see_each_change_of_the_room_live(ada, bob, carol, general_with_bob):
    await join(carol, "general")
    async with connect(carol) as reader:
        await reader.subscribe("general")
        await act("moderator_set", ada, username="bob", moderator=True)
        await act("room_read_only_set", bob, on=True)
        await act("room_rename", ada, name="Announcements")
        await act("membership_remove", bob, username="carol")
        events = [particulars(event) for event in await reader.items("general", 4)]

    assert events == [
        {
            "type": "event",
            "room": "general",
            "seq": 4,
            "kind": "role",
            "user": {"username": "bob"},
            "by": {"username": "ada"},
            "role": "moderator",
        },
        {
            "type": "event",
            "room": "general",
            "seq": 5,
            "kind": "read_only",
            "user": {"username": "bob"},
            "on": True,
        },
        {
            "type": "event",
            "room": "general",
            "seq": 6,
            "kind": "rename",
            "user": {"username": "ada"},
            "name": "Announcements",
            "previous": "General",
        },
        {
            "type": "event",
            "room": "general",
            "seq": 7,
            "kind": "leave",
            "user": {"username": "carol"},
            "by": {"username": "bob"},
        },
    ]


async def test_resume_replays_the_changes_as_they_were_sent_live(ada, bob, general_with_bob):
    async with connect(bob) as live:
        await live.subscribe("general")
        await act("room_owner_transfer", ada, username="bob")
        await act("room_archive", bob, archived=True)
        sent = await live.items("general", 2)
    async with connect(ada) as later:
        await later.subscribe("general", after=2)
        replayed = await later.items("general", 2)

    assert replayed == sent
    assert [(e["kind"], e.get("previous"), e.get("archived")) for e in sent] == [
        ("owner", {"username": "ada"}, None),
        ("archive", None, True),
    ]


async def test_a_member_cannot_send_in_a_read_only_room_but_a_moderator_can(
    ada, bob, carol, general_with_bob
):
    await join(carol, "general")
    await act("moderator_set", ada, username="bob", moderator=True)
    await act("room_read_only_set", ada, on=True)
    async with connect(carol) as member, connect(bob) as moderator:
        refused = await member.request(send("me too", "c1"))
        assert error_code(refused) == "forbidden"
        assert "read-only" in refused["message"]
        ack = await moderator.request(send("Release on Friday", "b1"))
        assert ack["type"] == "ack"
        news = await post(bob, "general", "Thanks all", "b2")
        reaction = await member.request(
            {
                "type": "react",
                "room": "general",
                "target": news.seq,
                "emoji": "👍",
                "op": "add",
                "client_id": "r1",
            }
        )
        assert reaction["type"] == "ack"
    assert [row.body for row in await stored_messages("general")] == [
        "Release on Friday",
        "Thanks all",
    ]


async def test_an_archived_room_refuses_sends_reactions_and_joins(ada, bob, general_with_bob):
    message = await post(bob, "general", "last words", "b0")
    await act("room_archive", ada, archived=True)
    dan = await make_user("dan")
    async with connect(bob) as member, connect(dan) as newcomer:
        refused = await member.request(send("anyone?", "b1"))
        assert error_code(refused) == "forbidden"
        assert "archived" in refused["message"]
        reaction = await member.request(
            {
                "type": "react",
                "room": "general",
                "target": message.seq,
                "emoji": "👍",
                "op": "add",
                "client_id": "r1",
            }
        )
        assert error_code(reaction) == "forbidden"
        joined = await newcomer.request({"type": "join", "room": "general"})
        assert error_code(joined) == "forbidden"
        # Still readable.
        history = await newcomer.request({"type": "history", "room": "general"})
        assert history["items"][-1]["kind"] == "archive"
    assert [row.body for row in await stored_messages("general")] == ["last words"]
