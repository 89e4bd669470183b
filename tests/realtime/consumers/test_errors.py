"""Bad frames through the real socket: the right error, nothing stored, the socket still works."""

import json

import pytest
from django.db import OperationalError, transaction

from parley.rooms import selectors
from parley.rooms.services import messages as message_service
from parley.rooms.services.sequence import next_seq
from tests.support.data import make_room, post, stored, stored_messages
from tests.support.socket import connect, error_code, seqs

pytestmark = pytest.mark.django_db(transaction=True)

MAX_FRAME_BYTES = 64 * 1024


async def answer_to_text(client, text: str) -> dict:
    """The error for a raw text frame; frames that cannot be parsed have no ref to match."""
    await client.send_text(text)
    return await client.wait_for(lambda f: f["type"] == "error")


MALFORMED = {
    "not-json": "{not json",
    "array": "[]",
    "string": '"x"',
    "number": "42",
    "null": "null",
    "true": "true",
    "trailing-garbage": '{"type": "ping"} {"type": "ping"}',
    "single-quotes": "{'type': 'ping'}",
    "nan": '{"type": "history", "room": "general", "limit": NaN}',
    "infinity": '{"type": "history", "room": "general", "before": Infinity}',
    "huge-exponent": '{"type": "history", "room": "general", "before": 1e999}',
    "lone-surrogate": '{"type": "send", "room": "general", "body": "\\ud800", "client_id": "c"}',
    "deep-nesting": "[" * 5000 + "]" * 5000,
    "deep-nesting-in-field": '{"type": "ping", "x": ' + "[" * 5000 + "]" * 5000 + "}",
    "deep-objects": '{"a":' * 5000 + "1" + "}" * 5000,
}


async def test_malformed_frames_are_bad_frame_and_the_socket_stays_usable(
    ada, bob, general_with_bob
):
    async with connect(bob) as client:
        for case, text in MALFORMED.items():
            reply = await answer_to_text(client, text)
            assert error_code(reply) == "bad_frame", case
            assert "ref" not in reply, case
            assert reply["message"], case
            await client.ping_works()
        ack = await client.request(
            {"type": "send", "room": "general", "body": "still fine", "client_id": "c"}
        )
        assert ack["type"] == "ack"
    assert [row.body for row in await stored_messages("general")] == ["still fine"]


async def test_a_binary_frame_is_bad_frame(ada, bob, general_with_bob):
    async with connect(bob) as client:
        frame = {"type": "send", "room": "general", "body": "as bytes", "client_id": "c"}
        await client.send_bytes(json.dumps(frame).encode())
        reply = await client.wait_for(lambda f: f["type"] == "error")
        assert error_code(reply) == "bad_frame"
        await client.ping_works()
    assert await stored_messages("general") == []


WRONG_TYPES = [
    {"room": "general"},
    {"type": None},
    {"type": 7},
    {"type": "send", "room": "general", "body": 123, "client_id": "c1"},
    {"type": "send", "room": [], "body": "hi", "client_id": "c1"},
    {"type": "send", "room": "general", "body": "hi", "client_id": {}},
    {"type": "send", "room": "general", "body": "hi"},
    {"type": "send", "room": "general", "client_id": "c1"},
    {"type": "subscribe", "room": "general", "after": "3"},
    {"type": "subscribe", "room": "general", "after": True},
    {"type": "history", "room": "general", "limit": 1.5},
    {"type": "join", "room": None},
]


async def test_a_missing_type_or_a_field_of_the_wrong_type_is_bad_frame(ada, bob, general_with_bob):
    async with connect(bob) as client:
        for n, frame in enumerate(WRONG_TYPES):
            reply = await client.request({**frame, "ref": f"w{n}"})
            assert error_code(reply) == "bad_frame", frame
            assert reply["ref"] == f"w{n}"
        await client.ping_works()
        await client.assert_quiet()
    assert [row.seq for row in await stored("general")] == [1, 2]


@pytest.mark.parametrize("ref", [7, "x" * 65, ["r"]], ids=["number", "65-chars", "list"])
async def test_a_bad_ref_is_bad_frame(ada, bob, general_with_bob, ref):
    async with connect(bob) as client:
        frame = {"type": "send", "room": "general", "body": "hi", "client_id": "c", "ref": ref}
        reply = await answer_to_text(client, json.dumps(frame))
        assert error_code(reply) == "bad_frame"
        await client.ping_works()
    assert await stored_messages("general") == []


async def test_a_ref_of_64_characters_is_echoed(ada, general_with_bob):
    async with connect(ada) as client:
        ref = "\u00e9" * 64
        assert await client.request({"type": "ping", "ref": ref}) == {"type": "pong", "ref": ref}


async def test_an_unknown_type_is_unknown_type_with_its_ref(ada, general_with_bob):
    async with connect(ada) as client:
        for kind in ["typo", "SEND", "message", "subscribed", "ack", ""]:
            reply = await client.request({"type": kind, "room": "general", "ref": f"u-{kind}"})
            assert (error_code(reply), reply["ref"]) == ("unknown_type", f"u-{kind}")
        await client.ping_works()


# -- size ------------------------------------------------------------------------------------


def send_frame_of_bytes(size: int, *, char: str = "x", ref: str = "big") -> str:
    """A well-formed send frame of exactly `size` UTF-8 bytes (char is 1 or 3 bytes here)."""
    head = json.dumps(
        {"type": "send", "room": "general", "client_id": "big", "ref": ref, "body": ""},
        ensure_ascii=False,
    )[:-2]
    room = size - len(head.encode()) - 2
    width = len(char.encode())
    text = head + char * (room // width) + "x" * (room % width) + '"}'
    assert len(text.encode()) == size
    return text


@pytest.mark.parametrize(
    ("size", "char"),
    [(MAX_FRAME_BYTES + 1, "x"), (MAX_FRAME_BYTES + 1, "\u20ac"), (1024 * 1024, "x")],
    ids=["64KiB+1", "64KiB+1-multibyte", "1MiB"],
)
async def test_a_frame_over_64_kib_is_too_large_and_nothing_is_stored(
    ada, bob, general_with_bob, size, char
):
    async with connect(bob) as client, connect(ada) as reader:
        await reader.subscribe("general")
        text = send_frame_of_bytes(size, char=char)
        await client.send_text(text)
        reply = await client.wait_for(lambda f: f["type"] == "error")
        assert (error_code(reply), reply["ref"]) == ("too_large", "big")
        await client.ping_works()
        # Other traffic is unaffected, and nothing of the big frame reached the reader first.
        ack = await client.request(
            {"type": "send", "room": "general", "body": "small", "client_id": "small"}
        )
        assert ack["seq"] == 3
        assert [(i["seq"], i["body"]) for i in await reader.items("general", 1)] == [(3, "small")]
    assert [row.body for row in await stored_messages("general")] == ["small"]


async def test_a_frame_of_exactly_64_kib_is_not_too_large(ada, bob, general_with_bob):
    # Exactly at the limit the frame is read; its 65k-character body is then `invalid`.
    async with connect(bob) as client:
        await client.send_text(send_frame_of_bytes(MAX_FRAME_BYTES))
        reply = await client.wait_for(lambda f: f["type"] == "error")
        assert error_code(reply) == "invalid"
    assert await stored_messages("general") == []


async def test_a_frame_under_64_kib_in_characters_but_over_it_in_bytes_is_too_large(
    ada, bob, general_with_bob
):
    text = send_frame_of_bytes(MAX_FRAME_BYTES + 3, char="\u20ac")
    assert len(text) < MAX_FRAME_BYTES
    async with connect(bob) as client:
        await client.send_text(text)
        reply = await client.wait_for(lambda f: f["type"] == "error")
        assert error_code(reply) == "too_large"
    assert await stored_messages("general") == []


# -- precedence --------------------------------------------------------------------------------


PADDING = "x" * (MAX_FRAME_BYTES + 1)


PRECEDENCE = [
    # bad_frame first
    ({"type": "send", "room": "no-such-room", "body": 123, "client_id": "c"}, "bad_frame"),
    ({"type": 5, "room": "no-such-room", "pad": PADDING}, "bad_frame"),
    ({"type": "send", "room": "general", "body": PADDING, "client_id": 1}, "bad_frame"),
    ({"type": "send", "room": "secret", "body": "", "client_id": []}, "bad_frame"),
    # then unknown_type
    ({"type": "shout", "room": "no-such-room", "pad": PADDING}, "unknown_type"),
    # then too_large
    ({"type": "send", "room": "no-such-room", "body": PADDING, "client_id": "c"}, "too_large"),
    ({"type": "send", "room": "secret", "body": PADDING, "client_id": "c"}, "too_large"),
    ({"type": "subscribe", "room": "general", "after": -1, "pad": PADDING}, "too_large"),
    # then room_not_found
    ({"type": "send", "room": "no-such-room", "body": "", "client_id": "c"}, "room_not_found"),
    ({"type": "send", "room": "secret", "body": "", "client_id": "c"}, "room_not_found"),
    ({"type": "send", "room": "secret", "body": "x" * 4001, "client_id": ""}, "room_not_found"),
    ({"type": "subscribe", "room": "secret", "after": -1}, "room_not_found"),
    ({"type": "history", "room": "no-such-room", "limit": 0}, "room_not_found"),
    ({"type": "history", "room": "secret", "before": -5}, "room_not_found"),
    # then forbidden
    ({"type": "send", "room": "open", "body": "", "client_id": "c"}, "forbidden"),
    ({"type": "send", "room": "open", "body": "x" * 4001, "client_id": "c"}, "forbidden"),
    ({"type": "send", "room": "open", "body": "a\x00", "client_id": ""}, "forbidden"),
    # then invalid
    ({"type": "send", "room": "general", "body": "", "client_id": "c"}, "invalid"),
    ({"type": "send", "room": "general", "body": "x" * 4001, "client_id": ""}, "invalid"),
]


async def test_when_a_frame_breaks_several_rules_the_first_in_contract_order_wins(
    ada, bob, general_with_bob
):
    await make_room(ada, "secret", visibility="private")
    await make_room(ada, "open")  # public; bob is not a member
    async with connect(bob) as client:
        for n, (frame, code) in enumerate(PRECEDENCE):
            reply = await client.request({**frame, "ref": f"p{n}"})
            assert error_code(reply) == code, (n, code, reply)
        await client.ping_works()
    for slug in ("general", "secret", "open"):
        assert await stored_messages(slug) == []


# -- odd room names ----------------------------------------------------------------------------

ODD_SLUGS = {
    "dot-dot": "../",
    "path": "../../etc/passwd",
    "slash": "general/",
    "empty": "",
    "space": " ",
    "uppercase": "GENERAL",
    "trailing-newline": "general\n",
    "leading-space": " general",
    "10k": "g" * 10_000,
    "51-chars": "g" * 51,
    "unicode": "g\u00e9n\u00e9ral",
    "confusable": "g\u0435neral",  # Cyrillic e
    "emoji": "\U0001f600",
    "nul": "general\x00",
    "percent": "general%00",
    "sql": "general' OR '1'='1",
    "wildcard": "gen%",
    "rtl": "\u202egeneral",
}


async def test_odd_room_slugs_are_room_not_found_for_every_frame(ada, bob, general_with_bob):
    async with connect(bob) as client:
        for case, slug in ODD_SLUGS.items():
            frames = [
                {"type": "subscribe", "room": slug, "after": 0},
                {"type": "unsubscribe", "room": slug},
                {"type": "history", "room": slug},
                {"type": "join", "room": slug},
                {"type": "leave", "room": slug},
                {"type": "send", "room": slug, "body": "hi", "client_id": "c1"},
            ]
            for frame in frames:
                ref = f"{case}-{frame['type']}"
                reply = await client.request({**frame, "ref": ref})
                unknown = await client.request({**frame, "room": "no-such-room", "ref": ref})
                assert error_code(reply) == "room_not_found", (case, frame["type"], reply)
                assert reply == unknown, case
        await client.ping_works()
        await client.assert_quiet()
    assert [row.seq for row in await stored("general")] == [1, 2]


async def test_every_kind_of_error_leaves_the_connection_usable(ada, bob, general_with_bob):
    await make_room(ada, "open")
    async with connect(bob) as client:
        await client.subscribe("general")
        await answer_to_text(client, "{oops")
        await client.send_bytes(b"\x00\x01")
        await client.wait_for(lambda f: f["type"] == "error")
        errors = [
            await client.request({"type": "nope"}),
            await client.request({"type": "send", "room": "general", "body": PADDING}),
            await client.request(
                {"type": "send", "room": "general", "body": PADDING, "client_id": "c"}
            ),
            await client.request({"type": "subscribe", "room": "nope"}),
            await client.request({"type": "send", "room": "open", "body": "x", "client_id": "c"}),
            await client.request(
                {"type": "send", "room": "general", "body": " ", "client_id": "c"}
            ),
            await client.request({"type": "history", "room": "general", "limit": 0}),
        ]
        assert [error_code(frame) for frame in errors] == [
            "unknown_type",
            "bad_frame",
            "too_large",
            "room_not_found",
            "forbidden",
            "invalid",
            "invalid",
        ]
        await client.ping_works()
        ack = await client.request(
            {"type": "send", "room": "general", "body": "all good", "client_id": "c"}
        )
        assert ack["type"] == "ack"
        assert seqs(await client.items("general", 1)) == [3]
        await client.assert_quiet()


# -- the database fails ------------------------------------------------------------------------


async def test_a_failed_write_is_unavailable_nothing_is_stored_and_the_retry_is_acked(
    ada, bob, general_with_bob, monkeypatch
):
    def append_then_fail(*, room, **fields):
        with transaction.atomic():  # as the real write is atomic (one statement on PostgreSQL)
            next_seq(room.pk)  # the counter moves, then the insert fails: the rollback undoes both
            raise OperationalError("disk I/O error")

    frame = {"type": "send", "room": "general", "body": "retry me", "client_id": "r1"}
    async with connect(ada) as reader, connect(bob) as client:
        await reader.subscribe("general")
        with monkeypatch.context() as patch:
            patch.setattr(message_service, "message_append_with_read_pointer", append_then_fail)
            reply = await client.request({**frame, "ref": "first"})
            assert (error_code(reply), reply["ref"]) == ("unavailable", "first")
        await reader.assert_quiet()
        assert await stored_messages("general") == []
        ack = await client.request(frame)  # the same client_id, once the database is back
        assert (ack["type"], ack["seq"]) == ("ack", 3)
        assert seqs(await reader.items("general", 1)) == [3]
        await reader.assert_quiet()


async def test_a_failed_subscribe_is_unavailable_and_leaves_no_half_subscription(
    ada, bob, general_with_bob, monkeypatch
):
    def fail(*args, **kwargs):
        raise OperationalError("database is locked")

    async with connect(ada) as client:
        with monkeypatch.context() as patch:
            patch.setattr(selectors, "room_backlog", fail)
            reply = await client.request({"type": "subscribe", "room": "general", "after": 0})
            assert error_code(reply) == "unavailable"
        await post(bob, "general", "not subscribed yet", "b1")
        await client.assert_quiet()
        await client.subscribe("general", after=2)
        assert seqs(await client.items("general", 1)) == [3]
        await post(bob, "general", "live", "b2")
        assert seqs(await client.items("general", 1)) == [4]
        await client.assert_quiet()
