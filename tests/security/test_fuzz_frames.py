"""Property: no frame a client can send changes anything it may not change, or breaks the socket.

Hypothesis throws JSON objects with valid and invalid `type`s and fields of every type (odd
unicode, huge strings and numbers, NaN and Infinity written raw, deep nesting), non-JSON text,
lone surrogates and binary frames at a signed-in socket on the real ASGI application. The user
belongs to no room, and the only rooms are hidden from them, so no frame may write anything.
For every example:

- the answer is an `error` with a code from the contract (never `unavailable`, which here would
  mean a crash), or a `pong` for a frame that is in fact a ping; a `ref` it echoes is the one sent;
- the socket still answers a ping;
- rooms, memberships and timeline items are exactly as before.

A second property lets a member send fuzzed bodies and client_ids to their room: what is
acked is stored exactly once, byte for byte, and what is refused stores nothing.

Rate limits are off here (the suite's default), so every frame reaches its handler.
"""

import json
import tempfile

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from parley.rooms.models import Item, Membership, Room
from tests.support.data import make_room, make_user
from tests.support.socket import connect

pytestmark = pytest.mark.django_db(transaction=True)

# Hypothesis keeps caches in ./.hypothesis; this suite leaves the work tree as it found it.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="parley-hypothesis-"))

CONTRACT_ERRORS = {
    "bad_frame",
    "unknown_type",
    "too_large",
    "room_not_found",
    "forbidden",
    "invalid",
}
FRAME_TYPES = ["subscribe", "unsubscribe", "join", "leave", "send", "history", "ping"]
ODD_STRINGS = [
    "secret",  # a private room of someone else
    "den",  # a staff-only room
    "general",
    "GENERAL",
    "../etc/passwd",
    "/",
    "",
    " ",
    "a" * 51,
    "-x-",
    "x" * 4001,
    "\u202egnp.exe",
    "\u0000",
    "<script>alert(1)</script>",
    "👩‍👩‍👧‍👦",
    "e\u0301",
    "\u200b",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and ±Infinity included: json.dumps writes them raw, as a client might
    | st.text(max_size=30)
    | st.sampled_from(ODD_STRINGS),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
field_values = json_values | st.sampled_from(ODD_STRINGS) | st.integers(-5, 5)
type_values = st.sampled_from(FRAME_TYPES) | st.sampled_from(["", "PING", "ping ", "typing"])
type_values = type_values | st.text(max_size=12) | json_values

object_frames = st.fixed_dictionaries(
    {},
    optional={
        "type": type_values,
        "room": field_values,
        "body": field_values,
        "client_id": field_values,
        "after": field_values,
        "before": field_values,
        "limit": field_values,
        "ref": field_values,
        "author": field_values,
        "seq": field_values,
    },
).map(lambda frame: json.dumps(frame, ensure_ascii=False))

huge_frames = st.tuples(st.sampled_from(["x", "é", "😀"]), st.integers(16_000, 70_000)).map(
    lambda spec: json.dumps(
        {"type": "send", "room": "secret", "body": spec[0] * spec[1], "client_id": "huge"},
        ensure_ascii=False,
    )
)
deep_frames = st.integers(1, 5_000).map(
    lambda depth: '{"type": "ping", "x": ' + "[" * depth + "]" * depth + "}"
)
raw_json_oddities = st.sampled_from(
    [
        '{"type": "send", "room": "secret", "body": NaN, "client_id": "n"}',
        '{"type": "history", "room": "secret", "limit": Infinity}',
        '{"type": "ping", "x": -Infinity}',
        '{"type": "send", "room": "\\ud800", "body": "x", "client_id": "s"}',
        '{"type": "ping", "ref": "\\udfff"}',
        '{"type": "ping"',
        '{"type": "ping"} {"type": "ping"}',
        "[]",
        "null",
        "42",
        '"ping"',
        "",
        "\ufeff{}",
        '{"type": "ping", "type": "send"}',
    ]
)
surrogate_text = st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3).map(
    lambda junk: '{"type": "send", "room": "secret", "body": "' + junk + '"}'
)

text_frames = (
    object_frames | st.text(max_size=200) | raw_json_oddities | deep_frames | surrogate_text
)
frames = text_frames.map(lambda text: ("text", text)) | huge_frames.map(lambda t: ("text", t))
frames = frames | st.binary(max_size=300).map(lambda data: ("bytes", data))


def snapshot() -> tuple:
    return (
        list(Room.objects.order_by("pk").values_list("pk", "slug", "last_seq", "visibility")),
        list(Membership.objects.order_by("pk").values_list("pk", "room_id", "user_id")),
        Item.objects.count(),
        list(Item.objects.order_by("-pk").values_list("pk", "seq", "body")[:5]),
    )


def parsed_ping(text: str) -> bool:
    """Whether a strict JSON parser sees a ping frame here."""
    try:
        frame = json.loads(
            text, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name))
        )
    except (ValueError, RecursionError):
        return False
    return isinstance(frame, dict) and frame.get("type") == "ping"


def sent_ref(kind: str, payload) -> object:
    if kind != "text":
        return None
    try:
        frame = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    return frame.get("ref") if isinstance(frame, dict) else None


@pytest.fixture
async def world(settings_fixture_off):
    owner = await make_user("owner")
    root = await make_user("root", is_staff=True)
    await make_room(owner, "secret", visibility="private")
    await make_room(root, "den", staff_only=True)
    fuzzer = await make_user("fuzzer")
    return fuzzer, await database_sync_to_async(snapshot)()


@pytest.fixture
def settings_fixture_off(settings):
    settings.PARLEY_RATE_LIMITS = {**settings.PARLEY_RATE_LIMITS, "ENABLED": False}


@settings(
    max_examples=400,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree; a failure prints its example
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frame=frames)
async def test_no_frame_changes_anything_or_breaks_the_socket(world, frame):
    fuzzer, before = world
    kind, payload = frame
    async with connect(fuzzer) as socket:
        await socket.send_raw(kind, payload)
        answer = await socket.next()

        if answer["type"] == "pong":
            assert kind == "text" and parsed_ping(payload), (payload[:200], answer)
        else:
            assert answer["type"] == "error", answer
            assert answer["code"] in CONTRACT_ERRORS, answer
            assert isinstance(answer["message"], str) and answer["message"]
        if "ref" in answer:
            assert answer["ref"] == sent_ref(kind, payload)
        await socket.ping_works()
        await socket.assert_quiet()

    assert await database_sync_to_async(snapshot)() == before


# -- a member's sends: what is acked is stored, exactly; nothing else is ----------------------


def stored_by_client_id(username: str, client_id) -> tuple[int, dict | None]:
    items = Item.objects.filter(room__slug="general", kind=Item.Kind.MESSAGE)
    existing = None
    if isinstance(client_id, str) and "\x00" not in client_id:
        row = items.filter(user__username=username, client_id=client_id).first()
        if row is not None:
            existing = {"seq": row.seq, "id": row.pk, "body": row.body}
    return items.count(), existing


@pytest.fixture
async def member(settings_fixture_off):
    member = await make_user("member")
    await make_room(member, "general")
    return member


@settings(
    max_examples=300,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree; a failure prints its example
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=field_values | st.text(max_size=4100) | st.sampled_from([" \n\t", "\u3000", "a\u0000b"]),
    client_id=field_values | st.text(min_size=1, max_size=70) | st.sampled_from(["c-1", "c-2"]),
)
async def test_a_members_sends_store_what_is_acked_and_nothing_else(member, body, client_id):
    count_before, existing = await database_sync_to_async(stored_by_client_id)("member", client_id)
    frame = {"type": "send", "room": "general", "body": body, "client_id": client_id, "ref": "s"}
    async with connect(member) as socket:
        await socket.send_raw("text", json.dumps(frame, ensure_ascii=False))
        answer = await socket.next()
        await socket.ping_works()

    count_after, stored = await database_sync_to_async(stored_by_client_id)("member", client_id)
    if answer["type"] == "ack":
        assert answer["client_id"] == client_id
        assert stored is not None and (stored["seq"], stored["id"]) == (answer["seq"], answer["id"])
        if existing is None:
            assert count_after == count_before + 1
            assert stored["body"] == body  # byte for byte
        else:
            assert (count_after, stored) == (count_before, existing)  # the original ack
    else:
        assert answer["type"] == "error", answer
        assert answer["code"] in CONTRACT_ERRORS, answer
        assert count_after == count_before
