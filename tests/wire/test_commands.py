"""The pure wire layer with plain strings: no Django, no database, no sockets."""

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from parley.wire import frames
from parley.wire.commands import (
    ErrorCode,
    FrameError,
    History,
    Join,
    Leave,
    Ping,
    Send,
    Subscribe,
    Unsubscribe,
    parse_frame,
)
from parley.wire.values import ItemValue

MAX = 64 * 1024


def parse(frame: object, *, max_bytes: int = MAX):
    text = frame if isinstance(frame, str) else json.dumps(frame)
    return parse_frame(text, max_bytes=max_bytes)


def refused(text: str | None, *, max_bytes: int = MAX) -> FrameError:
    with pytest.raises(FrameError) as caught:
        parse_frame(text, max_bytes=max_bytes)
    return caught.value


# -- every frame type ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "command"),
    [
        ({"type": "subscribe", "room": "general"}, Subscribe(ref=None, room="general", after=None)),
        ({"type": "subscribe", "room": "general", "after": 0}, Subscribe(None, "general", 0)),
        ({"type": "subscribe", "room": "general", "after": 41}, Subscribe(None, "general", 41)),
        ({"type": "unsubscribe", "room": "general"}, Unsubscribe(ref=None, room="general")),
        ({"type": "join", "room": "general"}, Join(ref=None, room="general")),
        ({"type": "leave", "room": "general"}, Leave(ref=None, room="general")),
        (
            {"type": "send", "room": "general", "body": "hi", "client_id": "c1"},
            Send(ref=None, room="general", body="hi", client_id="c1"),
        ),
        (
            {"type": "history", "room": "general"},
            History(ref=None, room="general", before=None, limit=50),
        ),
        (
            {"type": "history", "room": "general", "before": 10, "limit": 200},
            History(ref=None, room="general", before=10, limit=200),
        ),
        ({"type": "ping"}, Ping(ref=None)),
    ],
)
def test_each_frame_type_parses_to_its_command(frame, command):
    assert parse(frame) == command


def test_ref_is_carried_by_the_command():
    assert parse({"type": "ping", "ref": "abc"}) == Ping(ref="abc")
    assert parse({"type": "join", "room": "r", "ref": ""}) == Join(ref="", room="r")


def test_ref_of_64_characters_is_accepted():
    assert parse({"type": "ping", "ref": "x" * 64}).ref == "x" * 64


def test_unknown_extra_fields_are_ignored():
    frame = {
        "type": "send",
        "room": "general",
        "body": "hi",
        "client_id": "c1",
        "author": {"username": "mallory"},
        "id": 7,
        "seq": 99,
        "ts": "1999-01-01T00:00:00.000Z",
        "user": "root",
    }
    assert parse(frame) == Send(ref=None, room="general", body="hi", client_id="c1")


def test_null_optional_fields_mean_absent():
    assert parse({"type": "subscribe", "room": "r", "after": None}).after is None
    command = parse({"type": "history", "room": "r", "before": None, "limit": None})
    assert command == History(ref=None, room="r", before=None, limit=50)


def test_negative_cursors_parse_and_are_left_to_the_bounds_check():
    # A negative seq is `invalid`, not `bad_frame`: the services judge bounds after the room.
    assert parse({"type": "subscribe", "room": "r", "after": -1}).after == -1
    assert parse({"type": "history", "room": "r", "before": -1, "limit": 0}).limit == 0


@pytest.mark.parametrize(
    ("literal", "at_least"),
    [("18446744073709551615", 2**64 - 1), ("18446744073709551616", 2**64), ("1" + "0" * 30, 2**64)],
)
def test_integers_beyond_64_bits_are_still_integers(literal, at_least):
    # orjson reads them as floats; they are whole numbers (beyond any seq), not a wrong type.
    command = parse('{"type": "subscribe", "room": "r", "after": ' + literal + "}")
    assert isinstance(command.after, int) and command.after >= at_least
    command = parse(
        '{"type": "history", "room": "r", "before": ' + literal + ', "limit": -' + literal + "}"
    )
    assert command.before >= at_least and command.limit <= -at_least


def test_frames_keep_non_ascii_text_exactly():
    body = "e\u0301 \U0001f469\u200d\U0001f4bb \u05e9\u05dc\u05d5\u05dd \u200f!"
    assert parse({"type": "send", "room": "r", "body": body, "client_id": "c"}).body == body


# -- malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "",
        " ",
        "[]",
        '"x"',
        "42",
        "null",
        "true",
        '{"type": "ping"} trailing',
        '{"type": "ping",}',
        "{'type': 'ping'}",
        '{"type": NaN}',
        '{"type": "history", "room": "r", "limit": NaN}',
        '{"type": "history", "room": "r", "limit": Infinity}',
        '{"type": "history", "room": "r", "limit": -Infinity}',
        '{"type": "history", "room": "r", "limit": 1e400}',
        '{"type": "send", "room": "r", "body": "\\ud800", "client_id": "c"}',
        '{"type": "send", "room": "r", "body": "\\udc00x", "client_id": "c"}',
        '{"type": "send", "room": "r", "body": "\ud800", "client_id": "c"}',
    ],
    ids=repr,
)
def test_not_a_strict_json_object_is_bad_frame(text):
    error = refused(text)
    assert error.code == ErrorCode.BAD_FRAME
    assert error.ref is None


def test_binary_frame_is_bad_frame():
    assert refused(None).code == ErrorCode.BAD_FRAME


@pytest.mark.parametrize("depth", [1025, 5000, 100_000])
def test_deep_nesting_is_bad_frame_without_recursion_error(depth):
    assert refused("[" * depth + "]" * depth).code == ErrorCode.BAD_FRAME
    nested = '{"type": "ping", "x": ' + "[" * depth + "]" * depth + "}"
    assert refused(nested).code == ErrorCode.BAD_FRAME


def test_deep_nesting_within_bounds_is_an_ignored_extra_field():
    nested = '{"type": "ping", "x": ' + "[" * 100 + "]" * 100 + "}"
    assert parse(nested) == Ping(ref=None)


@pytest.mark.parametrize(
    "frame",
    [
        {},
        {"ref": "1"},
        {"type": None, "ref": "1"},
        {"type": 5, "ref": "1"},
        {"type": ["ping"], "ref": "1"},
        {"type": {"ping": 1}, "ref": "1"},
    ],
)
def test_missing_or_non_string_type_is_bad_frame(frame):
    error = refused(json.dumps(frame))
    assert error.code == ErrorCode.BAD_FRAME
    assert error.ref == frame.get("ref")


@pytest.mark.parametrize("kind", ["typo", "SEND", "Ping", "", " ping", "message", "ack"])
def test_unknown_type_is_unknown_type(kind):
    error = refused(json.dumps({"type": kind, "ref": "7"}))
    assert error.code == ErrorCode.UNKNOWN_TYPE
    assert error.ref == "7"


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "send", "room": "r", "body": 123, "client_id": "c"},
        {"type": "send", "room": "r", "body": None, "client_id": "c"},
        {"type": "send", "room": "r", "body": ["hi"], "client_id": "c"},
        {"type": "send", "room": [], "body": "hi", "client_id": "c"},
        {"type": "send", "room": "r", "body": "hi", "client_id": {}},
        {"type": "send", "room": "r", "body": "hi", "client_id": 1},
        {"type": "send", "room": "r", "body": "hi"},
        {"type": "send", "room": "r", "client_id": "c"},
        {"type": "send", "body": "hi", "client_id": "c"},
        {"type": "subscribe"},
        {"type": "subscribe", "room": []},
        {"type": "subscribe", "room": 1},
        {"type": "subscribe", "room": "r", "after": "3"},
        {"type": "subscribe", "room": "r", "after": True},
        {"type": "subscribe", "room": "r", "after": False},
        {"type": "subscribe", "room": "r", "after": 3.0},
        {"type": "subscribe", "room": "r", "after": 2.5},
        {"type": "subscribe", "room": "r", "after": [3]},
        {"type": "unsubscribe", "room": None},
        {"type": "join", "room": {"slug": "r"}},
        {"type": "leave"},
        {"type": "history", "room": "r", "limit": 1.5},
        {"type": "history", "room": "r", "limit": "50"},
        {"type": "history", "room": "r", "limit": True},
        {"type": "history", "room": "r", "before": "9"},
        {"type": "history", "room": "r", "before": 9.5},
        {"type": "history", "room": 7},
    ],
    ids=lambda frame: json.dumps(frame),
)
def test_field_of_the_wrong_type_is_bad_frame_with_ref(frame):
    error = refused(json.dumps({**frame, "ref": "q"}))
    assert error.code == ErrorCode.BAD_FRAME
    assert error.ref == "q"


@pytest.mark.parametrize("ref", [1, 1.5, True, [], {}, "x" * 65])
def test_ref_that_is_not_a_short_string_is_bad_frame(ref):
    error = refused(json.dumps({"type": "ping", "ref": ref}))
    assert error.code == ErrorCode.BAD_FRAME
    assert error.ref is None


# -- size and precedence -----------------------------------------------------------------------


@pytest.mark.parametrize("char", ["a", "\u00e9", "\u20ac", "\U0001f600"])
def test_frame_at_the_limit_is_accepted_one_byte_over_is_too_large(char):
    text = '{"type":"ping","pad":"' + char * 300 + '"}'
    size = len(text.encode())
    assert parse_frame(text, max_bytes=size) == Ping(ref=None)
    with pytest.raises(FrameError) as caught:
        parse_frame(text, max_bytes=size - 1)
    assert caught.value.code == ErrorCode.TOO_LARGE


def test_too_large_counts_utf8_bytes_not_characters():
    # 30,000 characters of three bytes each: under 64 Ki characters, over 64 KiB on the wire.
    frame = {"type": "send", "room": "r", "body": "\u20ac" * 30_000, "client_id": "c"}
    text = json.dumps(frame, ensure_ascii=False)
    assert len(text) < MAX < len(text.encode())
    assert refused(text).code == ErrorCode.TOO_LARGE
    # The same frame with ASCII escapes is over the limit in characters too.
    assert refused(json.dumps(frame)).code == ErrorCode.TOO_LARGE


def test_too_large_carries_the_ref():
    text = json.dumps(
        {"type": "send", "room": "r", "body": "x" * MAX, "client_id": "c", "ref": "9"}
    )
    error = refused(text)
    assert (error.code, error.ref) == (ErrorCode.TOO_LARGE, "9")


def test_bad_frame_wins_over_too_large():
    assert refused("{" + "x" * (2 * MAX)).code == ErrorCode.BAD_FRAME
    text = json.dumps({"type": "send", "room": "r", "body": 1, "client_id": "c", "p": "x" * MAX})
    assert refused(text).code == ErrorCode.BAD_FRAME
    assert refused(json.dumps(["x" * (2 * MAX)])).code == ErrorCode.BAD_FRAME


def test_bad_frame_wins_over_unknown_type():
    text = json.dumps({"type": "nope", "ref": 5})
    assert refused(text).code == ErrorCode.BAD_FRAME


def test_unknown_type_wins_over_too_large():
    text = json.dumps({"type": "nope", "pad": "x" * (2 * MAX)})
    assert refused(text).code == ErrorCode.UNKNOWN_TYPE


# -- rendering -------------------------------------------------------------------------------


def test_reply_echoes_ref_only_when_given():
    assert json.loads(frames.reply("pong", "7")) == {"type": "pong", "ref": "7"}
    assert json.loads(frames.reply("pong", "")) == {"type": "pong", "ref": ""}
    assert json.loads(frames.reply("pong", None)) == {"type": "pong"}
    frame = json.loads(frames.reply("joined", "a", room="general"))
    assert frame == {"type": "joined", "room": "general", "ref": "a"}


def test_error_frame_shape():
    frame = json.loads(frames.error_text(ErrorCode.FORBIDDEN, "You are not a member.", "7"))
    assert frame == {
        "type": "error",
        "code": "forbidden",
        "message": "You are not a member.",
        "ref": "7",
    }
    frame = json.loads(frames.error_text(ErrorCode.RATE_LIMITED, "Slow down.", None, retry_after=2))
    assert frame == {
        "type": "error",
        "code": "rate_limited",
        "message": "Slow down.",
        "retry_after": 2,
    }


def test_error_codes_are_the_contract_names():
    assert {code.value for code in ErrorCode} == {
        "bad_frame",
        "unknown_type",
        "room_not_found",
        "forbidden",
        "invalid",
        "too_large",
        "rate_limited",
        "unavailable",
        # The API's (HTTP only): docs/protocol.md, "Search".
        "unauthenticated",
    }


def test_encode_writes_utf8_json_without_escaping_non_ascii():
    body = "h\u00e9 \U0001f469\u200d\U0001f4bb \u05e9\u05dc\u05d5\u05dd e\u0301"
    text = frames.encode({"type": "message", "body": body})
    assert text == '{"type":"message","body":"' + body + '"}'
    assert json.loads(text)["body"] == body


def test_encode_escapes_what_json_must_escape():
    text = frames.encode({"body": 'a"b\\c\n\x00</script>'})
    assert json.loads(text)["body"] == 'a"b\\c\n\x00</script>'


TS_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def test_format_ts_is_iso_utc_with_milliseconds():
    moment = datetime(2026, 11, 21, 8, 0, 0, 123456, tzinfo=UTC)
    assert frames.format_ts(moment) == "2026-11-21T08:00:00.123Z"
    assert TS_SHAPE.match(frames.format_ts(datetime.now(UTC)))


def test_format_ts_converts_other_zones_to_utc():
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 21, 9, 0, 0, 5000, tzinfo=paris)
    assert frames.format_ts(moment) == "2026-11-21T08:00:00.005Z"
    moment = datetime(2027, 1, 1, 0, 30, tzinfo=paris)
    assert frames.format_ts(moment) == "2026-12-31T23:30:00.000Z"


def test_item_frames_have_the_contract_fields():
    message = frames.item(
        ItemValue(
            room="general",
            seq=42,
            id=1042,
            kind="message",
            username="ada",
            body="hello",
            created_at=datetime(2026, 11, 21, 8, 0, 0, 123000, tzinfo=UTC),
            client_id="c1",
            html="<p>hello</p>",
        )
    )
    assert message == {
        "type": "message",
        "room": "general",
        "seq": 42,
        "id": 1042,
        "author": {"username": "ada"},
        "body": "hello",
        "html": "<p>hello</p>",
        "ts": "2026-11-21T08:00:00.123Z",
        "client_id": "c1",
    }
    event = frames.item(
        ItemValue(
            room="general",
            seq=43,
            id=1043,
            kind="join",
            username="bob",
            created_at=datetime(2026, 11, 21, 8, 0, 1, tzinfo=UTC),
        )
    )
    assert {k: event[k] for k in ("type", "room", "seq", "kind", "user", "ts")} == {
        "type": "event",
        "room": "general",
        "seq": 43,
        "kind": "join",
        "user": {"username": "bob"},
        "ts": "2026-11-21T08:00:01.000Z",
    }
