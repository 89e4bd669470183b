"""send: the ack, the message item to every subscriber, idempotent client ids, body rules."""

import re

import pytest

from tests.support.data import join, leave, make_room, make_user, post, stored, stored_messages
from tests.support.socket import connect, error_code, seqs

pytestmark = pytest.mark.django_db(transaction=True)

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def send(body: str = "hello", client_id: str = "c1", room: str = "general", **extra) -> dict:
    return {"type": "send", "room": room, "body": body, "client_id": client_id, **extra}


async def test_send_acks_the_sender_and_delivers_the_message_to_every_subscriber(
    ada, bob, general_with_bob
):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        await writer.subscribe("general")
        ack = await writer.request(send("hello", "8c1c-1", ref="s1"))
        assert ack["type"] == "ack"
        assert ack["ref"] == "s1"
        assert ack["client_id"] == "8c1c-1"
        assert ack["seq"] == 3
        assert isinstance(ack["id"], int)
        assert TS.match(ack["ts"])
        (row,) = await stored_messages("general")
        assert (row.seq, row.id, row.body, row.username) == (3, ack["id"], "hello", "bob")
        expected = {
            "type": "message",
            "room": "general",
            "seq": 3,
            "id": ack["id"],
            "author": {"username": "bob"},
            "body": "hello",
            "ts": ack["ts"],
            "client_id": "8c1c-1",
        }
        for socket in (reader, writer):  # the sender's own socket gets the item too
            item = await socket.item("general")
            assert {key: item.get(key) for key in expected} == expected
            await socket.assert_quiet()


async def test_the_ack_goes_only_to_the_sending_socket_the_item_to_all_of_them(
    ada, bob, general_with_bob
):
    async with connect(bob) as tab1, connect(bob) as tab2, connect(ada) as reader:
        for socket in (tab1, tab2, reader):
            await socket.subscribe("general")
        ack = await tab1.request(send("from tab 1"))
        for socket in (tab1, tab2, reader):
            item = await socket.item("general")
            assert (item["seq"], item["id"], item["body"]) == (3, ack["id"], "from tab 1")
        # The author's other tab learns that its read pointer moved to the message.
        read = await tab2.wait_for(lambda f: f["type"] == "read")
        assert read == {"type": "read", "room": "general", "seq": 3}
        for socket in (tab1, tab2, reader):
            await socket.assert_quiet()  # tab2 and the reader got no ack


async def test_sending_without_subscribing_is_acked(ada, bob, general_with_bob):
    async with connect(bob) as client:
        ack = await client.request(send("fire and forget"))
        assert (ack["type"], ack["seq"]) == ("ack", 3)
        await client.assert_quiet()


async def test_the_same_client_id_again_gets_the_same_ack_and_stores_one_row(
    ada, bob, general_with_bob
):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        first = await writer.request(send("once", "dup", ref="a"))
        again = await writer.request(send("once", "dup", ref="b"))
        assert first["type"] == again["type"] == "ack"
        assert {**again, "ref": "a"} == first  # the same ack, answering the new ref
        assert seqs(await reader.items("general", 1)) == [3]
        await reader.assert_quiet()  # no second item
    assert len(await stored_messages("general")) == 1


async def test_the_same_client_id_on_another_socket_gets_the_same_ack(ada, bob, general_with_bob):
    async with connect(bob) as tab1, connect(bob) as tab2:
        first = await tab1.request(send("retry elsewhere", "dup"))
        again = await tab2.request(send("retry elsewhere", "dup"))
        assert (again["seq"], again["id"], again["ts"]) == (first["seq"], first["id"], first["ts"])
    assert len(await stored_messages("general")) == 1


async def test_the_same_client_id_with_another_body_gets_the_original_ack(
    ada, bob, general_with_bob
):
    async with connect(bob) as client:
        first = await client.request(send("original", "dup"))
        again = await client.request(send("edited", "dup"))
        empty = await client.request(send("", "dup"))
        for answer in (again, empty):
            assert answer["type"] == "ack"
            assert (answer["seq"], answer["id"], answer["ts"]) == (
                first["seq"],
                first["id"],
                first["ts"],
            )
    assert [row.body for row in await stored_messages("general")] == ["original"]


async def test_a_resent_client_id_is_acked_whatever_changed_since(ada, bob, general_with_bob):
    async with connect(bob) as client:
        first = await client.request(send("before leaving", "dup"))
        await leave(bob, "general")
        again = await client.request(send("before leaving", "dup"))
        assert (again["type"], again["seq"], again["id"]) == ("ack", first["seq"], first["id"])
        fresh = await client.request(send("after leaving", "new"))
        assert error_code(fresh) == "forbidden"
    assert [row.body for row in await stored_messages("general")] == ["before leaving"]


async def test_a_client_id_is_scoped_to_its_user_and_room(ada, bob, general_with_bob):
    await make_room(bob, "random")
    async with connect(ada) as a, connect(bob) as b:
        ada_ack = await a.request(send("ada's", "same"))
        bob_ack = await b.request(send("bob's", "same"))
        other_room = await b.request(send("bob's in random", "same", room="random"))
        assert [ada_ack["seq"], bob_ack["seq"]] == [3, 4]
        assert other_room["seq"] == 2
        assert len({ada_ack["id"], bob_ack["id"], other_room["id"]}) == 3
    assert [row.body for row in await stored_messages("general")] == ["ada's", "bob's"]


async def test_client_sent_author_id_seq_and_ts_are_ignored(ada, bob, general_with_bob):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        forged = send(
            "honest",
            "c1",
            author={"username": "ada"},
            user={"username": "ada"},
            id=999_999,
            seq=999,
            ts="1999-01-01T00:00:00.000Z",
            room_id=12345,
        )
        ack = await writer.request(forged)
        assert ack["type"] == "ack"
        assert ack["seq"] == 3 and ack["id"] != 999_999
        assert ack["ts"] != "1999-01-01T00:00:00.000Z"
        item = await reader.item("general")
        assert item["author"] == {"username": "bob"}
        assert (item["seq"], item["id"], item["ts"]) == (3, ack["id"], ack["ts"])
    (row,) = await stored_messages("general")
    assert (row.username, row.seq) == ("bob", 3)


async def test_a_non_member_of_a_public_room_is_forbidden_to_send_and_nothing_is_stored(
    ada, general_with_bob
):
    carol = await make_user("carol")
    async with connect(carol) as client, connect(ada) as reader:
        await reader.subscribe("general")
        await client.subscribe("general")  # reading a public room needs no membership
        reply = await client.request(send("let me in", "c1", ref="f"))
        assert error_code(reply) == "forbidden"
        assert reply["ref"] == "f"
        assert reply["message"]
        await client.ping_works()
        await client.assert_quiet()
        await reader.assert_quiet()
    assert await stored_messages("general") == []


# -- bodies ------------------------------------------------------------------------------------


INVALID_BODIES = {
    "empty": "",
    "space": " ",
    "whitespace": "   \t\n  ",
    "newline": "\n",
    "4001": "x" * 4001,
    "4001-emoji": "\U0001f600" * 4001,
    "nul": "nul\x00inside",
    "only-nul": "\x00",
}


async def test_a_body_out_of_bounds_is_invalid_and_nothing_is_stored(ada, bob, general_with_bob):
    async with connect(bob) as client, connect(ada) as reader:
        await reader.subscribe("general")
        for case, body in INVALID_BODIES.items():
            reply = await client.request(send(body, "c1", ref=case))
            assert (error_code(reply), reply["ref"]) == ("invalid", case)
        await client.ping_works()
        # The refused client_id was not used up: it can carry a good body now.
        ack = await client.request(send("fixed", "c1"))
        assert (ack["type"], ack["seq"]) == ("ack", 3)
        # The reader's first item is that one: nothing of the refused frames came before it.
        assert [(i["seq"], i["body"]) for i in await reader.items("general", 1)] == [(3, "fixed")]
    assert [row.body for row in await stored_messages("general")] == ["fixed"]


@pytest.mark.parametrize(
    "body",
    ["x" * 4000, "\U0001f600" * 4000, "e\u0301" * 2000, " padded \n"],
    ids=["4000", "4000-emoji", "4000-combining", "padded"],
)
async def test_a_body_within_bounds_is_stored_exactly(ada, bob, general_with_bob, body):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        ack = await writer.request(send(body))
        assert ack["type"] == "ack"
        assert (await reader.item("general"))["body"] == body
    assert [row.body for row in await stored_messages("general")] == [body]


UNICODE_BODIES = {
    "emoji": "hi \U0001f600\U0001f389",
    "zwj": "\U0001f469\u200d\U0001f4bb \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "flags-and-skin-tones": "\U0001f1eb\U0001f1f7 \U0001f44d\U0001f3fd",
    "rtl": "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u200fmixed\u200e",
    "bidi-controls": "abc\u202edcba\u202c",
    "zero-width": "a\u200bb\u200cc\ufeffd\u2060",
    "combining": "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319",
    "nfd": "Cafe\u0301 Ame\u0301lie",
    "nfc": "Caf\u00e9",
    "astral": "\U00010348\U0001d11e\U0002a6a5",
    "markup": '<script>alert(1)</script><img src=x onerror="x()"> javascript:alert(1)',
    "escapes": 'quote " backslash \\ tab \t newline \n slash /',
    "controls": "bell\x07 escape\x1b[31m delete\x7f",
}


async def test_unicode_and_markup_bodies_come_back_byte_identical(ada, bob, general_with_bob):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        acks = [await writer.request(send(body, case)) for case, body in UNICODE_BODIES.items()]
        live = await reader.items("general", len(UNICODE_BODIES))
        history = await reader.request({"type": "history", "room": "general"})
    rows = await stored_messages("general")
    assert [ack["type"] for ack in acks] == ["ack"] * len(UNICODE_BODIES)
    for n, body in enumerate(UNICODE_BODIES.values()):
        expected = body.encode("utf-8")
        assert live[n]["body"].encode("utf-8") == expected
        assert history["items"][2 + n]["body"].encode("utf-8") == expected
        assert rows[n].body.encode("utf-8") == expected


@pytest.mark.parametrize(
    ("client_id", "ok"),
    [("", False), ("x" * 64, True), ("x" * 65, False), ("\U0001f600" * 64, True)],
    ids=["empty", "64", "65", "64-emoji"],
)
async def test_client_id_is_one_to_64_characters(ada, bob, general_with_bob, client_id, ok):
    async with connect(bob) as client:
        reply = await client.request(send("hi", client_id))
        if ok:
            assert (reply["type"], reply["client_id"]) == ("ack", client_id)
        else:
            assert error_code(reply) == "invalid"
    assert len(await stored_messages("general")) == (1 if ok else 0)


# -- the timeline --------------------------------------------------------------------------------


async def test_seq_is_gapless_across_messages_and_events(ada, bob, general_with_bob):
    carol = await make_user("carol")
    async with connect(ada) as reader, connect(carol) as client:
        await reader.subscribe("general")
        await client.request({"type": "join", "room": "general"})  # 3
        await client.request(send("hi", "c1"))  # 4
        await post(bob, "general", "hello carol", "b1")  # 5
        await client.request({"type": "leave", "room": "general"})  # 6
        await join(carol, "general")  # 7
        await client.request(send("back", "c2"))  # 8
        items = await reader.items("general", 6)
        assert seqs(items) == [3, 4, 5, 6, 7, 8]
        assert [item.get("kind", item["type"]) for item in items] == [
            "join",
            "message",
            "message",
            "leave",
            "join",
            "message",
        ]
        await reader.assert_quiet()
    assert [row.seq for row in await stored("general")] == list(range(1, 9))
