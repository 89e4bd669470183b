"""Conversation frames through the real ASGI application (PROTOCOL.md, "Conversations
(contract)"): `edit`, `delete`, `react` and `send` with `thread` acked and delivered to every
subscriber; the error order; one item for one client_id raced on two sockets; `dm` and
`notify`; what `subscribed` says of mentions, levels and direct rooms; resuming with `after`.
"""

import asyncio
import threading
from unittest import mock

import pytest
from channels.db import database_sync_to_async

from parley.realtime import subscribe as subscribe_module
from parley.realtime.room_cache import room_cache
from parley.rooms import selectors, services
from tests.support.data import make_room, make_user, post, stored
from tests.support.socket import connect, error_code, seqs

pytestmark = pytest.mark.django_db(transaction=True)

TIMELINE_TYPES = frozenset({"message", "event", "edit", "delete", "reaction"})


async def timeline(socket, room: str, count: int) -> list[dict]:
    """The next `count` timeline items of `room` (changes included), in arrival order."""
    got = []
    for _ in range(count):
        got.append(
            await socket.wait_for(lambda f: f["type"] in TIMELINE_TYPES and f.get("room") == room)
        )
    return got


def edit(target, body="edited", client_id="e1", room="general", **extra) -> dict:
    return {
        "type": "edit", "room": room, "target": target, "body": body, "client_id": client_id,
        **extra,
    }  # fmt: skip


def delete(target, client_id="d1", room="general", **extra) -> dict:
    return {"type": "delete", "room": room, "target": target, "client_id": client_id, **extra}


def react(target, emoji="👍", op="add", client_id="r1", room="general", **extra) -> dict:
    return {
        "type": "react", "room": room, "target": target, "emoji": emoji, "op": op,
        "client_id": client_id, **extra,
    }  # fmt: skip


def send(body="hello", client_id="s1", room="general", **extra) -> dict:
    return {"type": "send", "room": room, "body": body, "client_id": client_id, **extra}


@database_sync_to_async
def service_edit(user, slug, target, body, client_id):
    return services.message_edit(
        user=user, room_slug=slug, target=target, body=body, client_id=client_id
    ).item.seq


@database_sync_to_async
def service_delete(user, slug, target, client_id):
    return services.message_delete(
        user=user, room_slug=slug, target=target, client_id=client_id
    ).item.seq


@database_sync_to_async
def service_react(user, slug, target, emoji, op, client_id):
    return services.reaction_set(
        user=user, room_slug=slug, target=target, emoji=emoji, op=op, client_id=client_id
    ).item.seq


@database_sync_to_async
def service_reply(user, slug, body, client_id, thread):
    return services.message_post(
        user=user, room_slug=slug, body=body, client_id=client_id, thread=thread
    ).item.seq


def picked(frame: dict, keys) -> dict:
    return {key: frame.get(key) for key in keys}


def assert_ack(ack: dict, item: dict) -> None:
    assert ack["type"] == "ack", ack
    assert picked(ack, ("room", "client_id", "seq", "id", "ts")) == picked(
        item, ("room", "client_id", "seq", "id", "ts")
    )


# --- each frame: its ack, and its item to every subscriber --------------------------------------


async def test_edit_delete_and_react_are_acked_and_reach_every_subscriber(
    ada, bob, general_with_bob
):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        await writer.subscribe("general")
        sent = await writer.request(send("hello", "m1"))
        assert sent["seq"] == 3
        for socket in (reader, writer):
            await timeline(socket, "general", 1)

        edited = await writer.request(edit(3, "hello *world*", "e1", ref="E"))
        reacted = await reader.request(react(3, "🎉", "add", "r1", ref="R"))
        deleted = await writer.request(delete(3, "d1", ref="D"))

        assert (edited["ref"], reacted["ref"], deleted["ref"]) == ("E", "R", "D")
        assert [edited["seq"], reacted["seq"], deleted["seq"]] == [4, 5, 6]
        for socket in (reader, writer):
            e, r, d = await timeline(socket, "general", 3)
            assert picked(e, ("type", "room", "seq", "target", "body", "user")) == {
                "type": "edit",
                "room": "general",
                "seq": 4,
                "target": 3,
                "body": "hello *world*",
                "user": {"username": "bob"},
            }
            assert isinstance(e["html"], str) and "world" in e["html"]
            assert picked(r, ("type", "seq", "target", "emoji", "op", "user")) == {
                "type": "reaction",
                "seq": 5,
                "target": 3,
                "emoji": "🎉",
                "op": "add",
                "user": {"username": "ada"},
            }
            assert picked(d, ("type", "seq", "target", "user")) == {
                "type": "delete",
                "seq": 6,
                "target": 3,
                "user": {"username": "bob"},
            }
            assert_ack(edited, e)
            assert_ack(reacted, r)
            assert_ack(deleted, d)
            await socket.assert_quiet()
    assert [(i.seq, i.kind, i.body) for i in await stored("general")][2:] == [
        (3, "message", ""),
        (4, "edit", ""),  # the edit's text went with the message
        (5, "reaction", ""),
        (6, "delete", ""),
    ]


async def test_a_reply_is_a_message_with_thread_mentions_and_html(ada, bob, general_with_bob):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        await writer.subscribe("general")
        root = await reader.request(send("root", "root"))
        ack = await writer.request(send("hi @ada & <b>", "reply", thread=root["seq"]))
        for socket in (reader, writer):
            _, reply = await timeline(socket, "general", 2)
            assert reply["type"] == "message"
            assert (reply["thread"], reply["mentions"]) == (root["seq"], ["ada"])
            assert reply["html"] == (
                '<p>hi <span class="mention" data-user="ada">@ada</span> &amp; &lt;b&gt;</p>'
            )
            assert "replies" not in reply and "state_seq" not in reply  # as sent
            assert_ack(ack, reply)
        await reader.assert_quiet()
        history = await writer.request({"type": "history", "room": "general", "thread": 3})
        assert [i["seq"] for i in history["items"]] == [3, 4]
        assert history["thread"] == 3
        assert history["items"][0]["replies"] == 1
        assert history["items"][0]["state_seq"] == 4


# --- errors ------------------------------------------------------------------------------------


@pytest.fixture
async def room_with_message(people):
    """`general` (ada's, bob a member) with ada's message at seq 3; carol is in no room."""
    ada, bob, carol = people
    await post(ada, "general", "hello", "m1")
    return people


WRONG_TYPES = {
    "edit target as a string": edit("3"),
    "edit target as a float": edit(3.5),
    "edit target as a bool": edit(True),
    "edit without target": {"type": "edit", "room": "general", "body": "x", "client_id": "e"},
    "edit body as a number": edit(3, 123),
    "edit client_id as a number": edit(3, "x", 7),
    "delete target as a string": delete("3"),
    "delete target as null": delete(None),
    "react target as a string": react("3"),
    "react emoji as a number": react(3, 1),
    "react op as null": react(3, "👍", None),
    "react without client_id": {
        "type": "react",
        "room": "general",
        "target": 3,
        "emoji": "👍",
        "op": "add",
    },
    "send thread as a string": send("x", "t", thread="3"),
    "history thread as a string": {"type": "history", "room": "general", "thread": "3"},
    "history around as a bool": {"type": "history", "room": "general", "around": True},
    "dm users as a string": {"type": "dm", "users": "bob"},
    "dm users of numbers": {"type": "dm", "users": [1]},
    "dm without users": {"type": "dm"},
    "notify level as a number": {"type": "notify", "room": "general", "level": 1},
    "notify without room": {"type": "notify", "level": "all"},
    # A frame of the wrong types in a room that does not exist: bad_frame comes first.
    "edit in no room, target as a string": edit("3", room="nowhere"),
    "react in a hidden room, emoji as a number": react(3, 5, room="secret"),
}


@pytest.mark.parametrize("frame", WRONG_TYPES.values(), ids=WRONG_TYPES)
async def test_a_field_of_the_wrong_type_is_bad_frame_first(room_with_message, frame):
    ada, bob, carol = room_with_message
    before = await stored("general")
    async with connect(carol) as outsider, connect(bob) as member:
        for socket in (outsider, member):
            assert error_code(await socket.request(frame)) == "bad_frame"
            await socket.ping_works()
    assert await stored("general") == before


# Each frame, broken in every later way at once, then in fewer: the first of the order wins.
BROKEN = {
    "edit": lambda room, target: edit(target, "", room=room),
    "delete": lambda room, target: delete(target, room=room),
    "react": lambda room, target: react(target, "not an emoji", room=room),
    "reply": lambda room, target: send("", "s", room=room, thread=target),
    "notify": lambda room, target: {"type": "notify", "room": room, "level": "loud"},
}


@pytest.mark.parametrize("make", BROKEN.values(), ids=BROKEN)
async def test_errors_come_in_the_contract_order(room_with_message, make):
    ada, bob, carol = room_with_message
    before = await stored("general")
    async with connect(carol) as outsider, connect(bob) as member:
        # room_not_found: no such room, or one this user may not see (`secret` is private).
        assert error_code(await outsider.request(make("nowhere", -1))) == "room_not_found"
        assert error_code(await outsider.request(make("secret", -1))) == "room_not_found"
        # forbidden: a non-member, however invalid the rest.
        assert error_code(await outsider.request(make("general", -1))) == "forbidden"
        # invalid: a member with a bad target or value.
        assert error_code(await member.request(make("general", 0))) == "invalid"
        assert error_code(await member.request(make("general", 2**70))) == "invalid"
        for socket in (outsider, member):
            await socket.ping_works()
    assert await stored("general") == before


async def test_forbidden_edits_and_deletes_of_someone_elses_message(room_with_message):
    ada, bob, carol = room_with_message
    async with connect(bob) as member:
        assert error_code(await member.request(edit(3, "mine now"))) == "forbidden"
        assert error_code(await member.request(delete(3))) == "forbidden"
        # Someone else's message is forbidden before an invalid body.
        assert error_code(await member.request(edit(3, ""))) == "forbidden"
        await member.subscribe("general", after=2)
        assert (await timeline(member, "general", 1))[0]["body"] == "hello"
        await member.assert_quiet()


async def test_history_around_with_before_is_invalid_and_around_alone_is_centred(
    room_with_message,
):
    ada, bob, carol = room_with_message
    for n in range(6):
        await post(ada, "general", f"m{n}", f"more-{n}")  # seqs 4..9
    async with connect(bob) as member:
        refused = await member.request(
            {"type": "history", "room": "general", "around": 5, "before": 7}
        )
        assert error_code(refused) == "invalid"
        page = await member.request({"type": "history", "room": "general", "around": 5, "limit": 4})
        assert [i["seq"] for i in page["items"]] == [3, 4, 5, 6]
        assert (page["has_more"], page["has_newer"]) == (True, True)


# --- one client_id raced on two sockets ---------------------------------------------------------


async def test_the_same_react_client_id_at_once_on_two_sockets_is_one_item_with_one_ack(
    ada, bob, general_with_bob
):
    await post(ada, "general", "react to me", "m1")  # seq 3
    async with connect(bob) as tab1, connect(bob) as tab2, connect(ada) as reader:
        await reader.subscribe("general")
        for n in range(5):
            frame = react(3, "👍", "add" if n % 2 == 0 else "remove", client_id=f"race-{n}")
            first, second = await asyncio.gather(tab1.request(frame), tab2.request(frame))
            assert first["type"] == second["type"] == "ack", (first, second)
            assert picked(first, ("seq", "id", "ts", "client_id")) == picked(
                second, ("seq", "id", "ts", "client_id")
            )
            (item,) = await timeline(reader, "general", 1)
            assert_ack(first, item)
            assert item["op"] == ("add" if n % 2 == 0 else "remove")
        await reader.assert_quiet()
    rows = [i for i in await stored("general") if i.kind == "reaction"]
    assert [i.client_id for i in rows] == [f"race-{n}" for n in range(5)]


async def test_an_edit_again_with_its_client_id_gets_the_same_ack_and_no_item(
    ada, bob, general_with_bob
):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        await writer.request(send("hello", "m1"))
        first = await writer.request(edit(3, "first", "e1"))
        again = await writer.request(edit(3, "second", "e1"))
        deleted = await writer.request(delete(3, "d1"))
        deleted_again = await writer.request(delete(3, "d1"))
        assert picked(again, ("seq", "id", "ts")) == picked(first, ("seq", "id", "ts"))
        assert picked(deleted_again, ("seq", "id", "ts")) == picked(deleted, ("seq", "id", "ts"))
        assert seqs(await timeline(reader, "general", 3)) == [3, 4, 5]
        await reader.assert_quiet()


# --- dm and notify ------------------------------------------------------------------------------


async def test_dm_answers_the_one_direct_room_of_that_set_of_people(ada, bob):
    carol = await make_user("carol")
    staff = await make_user("root", is_staff=True, is_superuser=True)
    async with connect(ada) as a, connect(bob) as b, connect(carol) as c, connect(staff) as s:
        opened = await a.request({"type": "dm", "users": ["bob"], "ref": "dm1"})
        assert set(opened) == {"type", "room", "users", "ref"}
        assert (opened["type"], opened["users"], opened["ref"]) == ("dm", ["ada", "bob"], "dm1")
        slug = opened["room"]
        again = await b.request({"type": "dm", "users": ["ada", "ada", "bob"]})
        assert (again["room"], again["users"]) == (slug, ["ada", "bob"])
        for frame in ({"type": "dm", "users": []}, {"type": "dm", "users": ["ada"]},
                      {"type": "dm", "users": ["nobody"]}):  # fmt: skip
            assert error_code(await a.request(frame)) == "invalid"

        subscribed = await b.subscribe(slug)
        assert (subscribed["kind"], subscribed["users"]) == ("direct", ["ada", "bob"])
        assert (subscribed["level"], subscribed["mentions"]) == ("all", 0)
        assert error_code(await b.request({"type": "leave", "room": slug})) == "forbidden"
        assert error_code(await b.request({"type": "join", "room": slug})) == "forbidden"
        for outsider in (c, s):  # staff included
            for frame in (
                {"type": "subscribe", "room": slug},
                {"type": "history", "room": slug},
                {"type": "join", "room": slug},
                send("hi", "x", room=slug),
                {"type": "notify", "room": slug, "level": "all"},
            ):
                assert error_code(await outsider.request(frame)) == "room_not_found", frame
        ack = await a.request(send("just us", "p1", room=slug))
        item = (await timeline(b, slug, 1))[0]
        assert_ack(ack, item)
        await b.wait_for(lambda f: f["type"] == "dm" and "ref" not in f)  # the room's notice
        await b.assert_quiet()


async def test_notify_answers_and_tells_the_users_other_sockets(ada, bob, general_with_bob):
    async with connect(bob) as tab1, connect(bob) as tab2, connect(ada) as other:
        answer = await tab1.request(
            {"type": "notify", "room": "general", "level": "none", "ref": "n1"}
        )
        assert answer == {"type": "notify", "room": "general", "level": "none", "ref": "n1"}
        news = await tab2.wait_for(lambda f: f["type"] == "notify")
        assert news == {"type": "notify", "room": "general", "level": "none"}
        for socket in (tab1, tab2, other):
            await socket.assert_quiet()  # one answer, no echo, nothing to ada
        assert (await tab2.subscribe("general"))["level"] == "none"
        assert (await other.subscribe("general"))["level"] == "mentions"
        refused = await tab1.request({"type": "notify", "room": "general", "level": "loud"})
        assert error_code(refused) == "invalid"
        await tab2.assert_quiet()


# --- subscribed ----------------------------------------------------------------------------------


async def test_subscribed_carries_the_mentions_after_the_read_pointer_and_the_level(
    ada, bob, general_with_bob
):
    await post(ada, "general", "@bob one", "m1")  # 3
    await post(ada, "general", "@room two", "m2")  # 4
    await post(ada, "general", "nothing", "m3")  # 5
    await post(bob, "general", "@bob @room mine", "m4")  # 6: moves bob's pointer to 6
    await post(ada, "general", "@bob three", "m5")  # 7
    async with connect(bob) as client, connect(ada) as author:
        subscribed = await client.subscribe("general")
        assert picked(subscribed, ("last_read", "unread", "mentions", "level")) == {
            "last_read": 6,
            "unread": 1,
            "mentions": 1,
            "level": "mentions",
        }
        assert "kind" not in subscribed and "users" not in subscribed
        await client.request({"type": "read", "room": "general", "seq": 7})
        assert (await client.subscribe("general"))["mentions"] == 0
        assert (await author.subscribe("general"))["mentions"] == 0  # only others' mentions


# --- resuming -----------------------------------------------------------------------------------


async def test_resume_replays_edits_deletions_and_reactions_made_while_away_in_order_once(
    ada, bob, general_with_bob
):
    await post(ada, "general", "first", "m1")  # 3
    await post(ada, "general", "second", "m2")  # 4
    async with connect(bob) as client:
        last_seen = (await client.subscribe("general"))["last_seq"]
    assert last_seen == 4
    # While bob is away:
    await service_edit(ada, "general", 3, "first, edited", "e1")  # 5
    await service_react(ada, "general", 3, "👍", "add", "r1")  # 6
    await service_delete(ada, "general", 4, "d1")  # 7
    await service_reply(ada, "general", "a reply", "t1", 3)  # 8
    await service_react(ada, "general", 3, "👍", "remove", "r2")  # 9
    async with connect(bob) as client:
        subscribed = await client.subscribe("general", after=last_seen)
        assert subscribed["last_seq"] == 9
        backlog = await timeline(client, "general", 5)
        assert [(f["seq"], f["type"], f.get("target")) for f in backlog] == [
            (5, "edit", 3),
            (6, "reaction", 3),
            (7, "delete", 4),
            (8, "message", None),
            (9, "reaction", 3),
        ]
        assert backlog[0]["body"] == "first, edited"
        assert (backlog[1]["op"], backlog[4]["op"]) == ("add", "remove")
        assert backlog[3]["thread"] == 3
        await client.assert_quiet()


async def test_a_backlog_shows_each_message_as_it_is_now_with_state_seq(ada, bob, general_with_bob):
    await post(ada, "general", "first", "m1")  # 3
    await post(bob, "general", "second", "m2")  # 4
    async with connect(bob) as early:
        # A subscriber before the changes: this process keeps the rendered items.
        await early.subscribe("general", after=2)
        assert [f["body"] for f in await timeline(early, "general", 2)] == ["first", "second"]
        await service_edit(ada, "general", 3, "first, edited", "e1")  # 5
        await service_react(bob, "general", 3, "🎉", "add", "r1")  # 6
        await service_delete(bob, "general", 4, "d1")  # 7
        await service_reply(bob, "general", "reply", "t1", 3)  # 8
        assert seqs(await timeline(early, "general", 4)) == [5, 6, 7, 8]
        async with connect(ada) as late:
            await late.subscribe("general", after=2)
            backlog = await timeline(late, "general", 6)
            await late.assert_quiet()
    first, second = backlog[0], backlog[1]
    assert picked(first, ("seq", "body", "state_seq", "replies")) == {
        "seq": 3,
        "body": "first, edited",
        "state_seq": 8,
        "replies": 1,
    }
    assert first["reactions"] == [{"emoji": "🎉", "users": ["bob"]}]
    assert "edited" in first and "last_reply_ts" in first
    assert picked(second, ("seq", "body", "html", "deleted", "state_seq")) == {
        "seq": 4,
        "body": "",
        "html": "",
        "deleted": True,
        "state_seq": 7,
    }
    # Then the changes themselves, each once: a client skips those at or below state_seq.
    assert [(f["seq"], f["type"]) for f in backlog[2:]] == [
        (5, "edit"),
        (6, "reaction"),
        (7, "delete"),
        (8, "message"),
    ]


async def test_a_backlog_read_after_its_subscribers_left_shows_later_changes(
    ada, bob, general_with_bob
):
    await post(ada, "general", "first", "m1")  # 3
    async with connect(bob) as early:
        await early.subscribe("general", after=2)
        await timeline(early, "general", 1)
    await service_edit(ada, "general", 3, "changed while nobody listened", "e1")  # 4
    async with connect(bob) as late:
        await late.subscribe("general", after=2)
        message, change = await timeline(late, "general", 2)
    assert (message["body"], message["state_seq"]) == ("changed while nobody listened", 4)
    assert change["type"] == "edit"


async def test_a_removed_private_member_cannot_react_or_learn_the_room_exists(
    ada, bob, general_with_bob
):
    secret = await make_room(ada, "hideout", visibility="private", members=[bob])
    await post(ada, "hideout", "hello", "m1")  # seq 3
    async with connect(bob) as client:
        assert (await client.request(react(3, room="hideout", client_id="k1")))["type"] == "ack"
        await database_sync_to_async(services.membership_remove)(
            actor=ada, room=secret, username="bob"
        )
        # Even the client_id that was acked: the room is now one bob may not see.
        again = await client.request(react(3, room="hideout", client_id="k1"))
        assert error_code(again) == "room_not_found"
        assert error_code(await client.request(edit(3, room="hideout"))) == "room_not_found"


# --- rate limits --------------------------------------------------------------------------------


async def test_edit_delete_and_react_count_as_sends_and_their_resends_do_not(
    rate_limits, ada, bob, general_with_bob
):
    rate_limits.configure(send="4,1/m")
    async with connect(bob) as client:
        sent = await client.request(send("hello", "m1"))  # 1
        assert (await client.request(react(sent["seq"], client_id="r1")))["type"] == "ack"  # 2
        assert (await client.request(edit(sent["seq"], "hi", "e1")))["type"] == "ack"  # 3
        # A refused one counts too (seq 1 is an event: invalid, and still counted).
        assert error_code(await client.request(delete(1, "d0"))) == "invalid"  # 4
        before = await stored("general")
        for frame in (delete(sent["seq"], "d1"), react(sent["seq"], "🎉", client_id="r2")):
            refused = await client.request(frame)
            assert error_code(refused) == "rate_limited"
            assert refused["retry_after"] > 0
        # Re-sent acked client_ids get their ack and do not count.
        assert (await client.request(react(sent["seq"], client_id="r1")))["type"] == "ack"
        assert (await client.request(edit(sent["seq"], "changed", "e1")))["type"] == "ack"
        assert await stored("general") == before
        rate_limits.advance(60)
        assert (await client.request(delete(sent["seq"], "d1")))["type"] == "ack"


async def test_a_message_deleted_while_a_backlog_is_read_is_not_served_again_with_its_text(
    ada, bob, general_with_bob
):
    """A subscriber reads the backlog (message 3 with its text); the deletion of 3 commits and
    passes the hub before that subscriber keeps what it read in the process's room cache. A
    later subscriber must not be served the erased text from memory."""
    await post(ada, "general", "secret text", "m1")  # 3
    forgotten = threading.Event()
    real_forget = room_cache.forget
    real_backlog = selectors.room_backlog
    calls = []

    def forget(room_id, seq):
        real_forget(room_id, seq)
        forgotten.set()

    def backlog_then_delete(*args, **kwargs):
        backlog = real_backlog(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:  # the first subscriber's read: the deletion commits right after it
            services.message_delete(user=ada, room_slug="general", target=3, client_id="d1")
            assert forgotten.wait(timeout=5), "the hub never passed the deletion on"
        return backlog

    async with connect(ada) as follower:
        await follower.subscribe("general")  # the hub follows the room from now on
        with (
            mock.patch.object(room_cache, "forget", side_effect=forget),
            mock.patch.object(subscribe_module.selectors, "room_backlog", backlog_then_delete),
        ):
            async with connect(bob) as first:
                await first.subscribe("general", after=2)
                message, deletion = await timeline(first, "general", 2)
                assert message["body"] == "secret text"  # as read, then its deletion
                assert (deletion["type"], deletion["target"]) == ("delete", 3)
            async with connect(bob) as later:
                await later.subscribe("general", after=2)
                message, deletion = await timeline(later, "general", 2)
    assert (message["body"], message.get("deleted")) == ("", True)
    assert deletion["type"] == "delete"


async def test_a_new_direct_room_is_announced_to_its_people_only(ada, bob):
    carol = await make_user("carol")
    async with connect(ada) as a, connect(bob) as b, connect(carol) as c:
        opened = await a.request({"type": "dm", "users": ["bob"], "ref": "dm1"})
        for socket in (a, b):
            notice = await socket.wait_for(lambda f: f["type"] == "dm" and "ref" not in f)
            assert notice == {"type": "dm", "room": opened["room"], "users": ["ada", "bob"]}
        assert not [f for f in await c.drain() if f["type"] == "dm"]
        # Found again, not made: no second notice.
        await b.request({"type": "dm", "users": ["ada"], "ref": "dm2"})
        later = await b.drain()
        assert not [f for f in later if f["type"] == "dm" and "ref" not in f]
