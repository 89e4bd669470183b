"""The live features' frames in the pure protocol layer: typing, read, activity, and the frames
the server builds for them."""

import json

import pytest

from parley.wire import frames
from parley.wire.commands import Activity, ErrorCode, FrameError, Read, Typing, parse_frame

MAX = 64 * 1024


def parse(frame: dict):
    return parse_frame(json.dumps(frame), max_bytes=MAX)


def refused(frame: dict) -> FrameError:
    with pytest.raises(FrameError) as caught:
        parse(frame)
    return caught.value


@pytest.mark.parametrize(
    ("frame", "command"),
    [
        ({"type": "typing", "room": "general"}, Typing(ref=None, room="general")),
        ({"type": "typing", "room": "general", "ref": "t"}, Typing(ref="t", room="general")),
        ({"type": "read", "room": "general", "seq": 7}, Read(ref=None, room="general", seq=7)),
        ({"type": "read", "room": "general", "seq": -1}, Read(ref=None, room="general", seq=-1)),
        ({"type": "activity", "state": "idle"}, Activity(ref=None, state="idle")),
        ({"type": "activity", "state": "active"}, Activity(ref=None, state="active")),
        # A state outside active/idle parses; the consumer answers it with `invalid`.
        ({"type": "activity", "state": "away"}, Activity(ref=None, state="away")),
    ],
)
def test_live_frames_parse_to_their_commands(frame, command):
    assert parse(frame) == command


def test_a_seq_beyond_64_bits_is_still_an_integer():
    command = parse_frame('{"type": "read", "room": "r", "seq": 1e30}', max_bytes=MAX)
    assert isinstance(command, Read) and command.seq >= 10**30


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "typing"},
        {"type": "typing", "room": 5},
        {"type": "read", "room": "general"},
        {"type": "read", "room": "general", "seq": None},
        {"type": "read", "room": "general", "seq": "3"},
        {"type": "read", "room": "general", "seq": 1.5},
        {"type": "read", "room": "general", "seq": True},
        {"type": "read", "room": None, "seq": 3},
        {"type": "activity"},
        {"type": "activity", "state": True},
    ],
)
def test_a_live_frame_with_a_field_of_the_wrong_type_is_bad_frame(frame):
    error = refused({**frame, "ref": "x"})
    assert (error.code, error.ref) == (ErrorCode.BAD_FRAME, "x")


def test_rendered_live_frames_have_the_documented_shapes():
    assert json.loads(frames.typing_text(room="general", username="ada")) == {
        "type": "typing",
        "room": "general",
        "user": {"username": "ada"},
    }
    assert json.loads(
        frames.presence_text(room="general", username="ada", online=True, idle=False)
    ) == {
        "type": "presence",
        "room": "general",
        "user": {"username": "ada"},
        "online": True,
        "idle": False,
    }
    assert json.loads(frames.receipt_text(room="general", username="bob", seq=4)) == {
        "type": "receipt",
        "room": "general",
        "user": {"username": "bob"},
        "seq": 4,
    }
