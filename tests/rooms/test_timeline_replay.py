"""Property: a client that applies a room's items in seq order ends with the room as the server
shows it (PROTOCOL.md, "Conversations (contract)": "a client that applies the items in `seq`
order ends with the same room as everyone else").

Hypothesis drives three users through random sends, replies, edits, deletions, reactions
(added and removed), leaves and joins in one room, through the services; many are refused (a
reaction twice, an edit of someone else's message, a member who left), which is expected: a
refusal stores nothing and is skipped. Every item a service stores is kept as the frame that
goes out live. Then:

- the kept items are exactly the room's timeline: seqs 1..last_seq, none missing, none twice;
- replaying them in seq order with `replay` below (a reference reducer written from the
  contract, independent of the server's code) gives, for every message, exactly what
  `room_history` shows now: body, html, deleted, edited, reactions, replies, last_reply_ts,
  state_seq, thread.

Each example runs in a transaction rolled back at its end (the test is `django_db`, so the
whole test is in one transaction and each example in a savepoint of it).
"""

import itertools
import tempfile

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from parley.core.errors import ParleyError
from parley.rooms import selectors, services
from parley.rooms.models import Room
from parley.rooms.values import item_value
from parley.wire import frames
from tests.factories import UserFactory, make_room

# Hypothesis keeps caches in ./.hypothesis; this suite leaves the work tree as it found it.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="parley-hypothesis-"))

pytestmark = pytest.mark.django_db

USERS = ("ada", "bob", "carol")  # ada owns the room: she may delete anyone's message
CLIENT_IDS = itertools.count(1)
EMOJI = ("👍", "🎉", "❤️")
BODIES = ("hi", "hello @bob", "@room look", "*bold* <b>", "line\n\nbreak")

# A target: mostly one of the last few messages ("recent", k: the k-th newest), sometimes any
# seq at all (an event, a change, the next seq, 0 or -1: refused).
target = st.one_of(
    st.tuples(st.just("recent"), st.integers(0, 3)),
    st.tuples(st.just("recent"), st.integers(0, 1)),
    st.tuples(st.just("seq"), st.integers(-1, 40)),
)
send = st.tuples(st.just("send"), st.integers(0, 2), st.sampled_from(BODIES))
operation = st.one_of(
    send,
    send,
    st.tuples(st.just("reply"), st.integers(0, 2), target),
    st.tuples(st.just("edit"), st.integers(0, 2), target, st.sampled_from(BODIES)),
    st.tuples(st.just("delete"), st.integers(0, 2), target),
    st.tuples(
        st.just("react"),
        st.integers(0, 2),
        target,
        st.sampled_from(EMOJI),
        st.sampled_from(("add", "remove")),
    ),
    st.tuples(
        st.just("react"),
        st.integers(0, 2),
        target,
        st.sampled_from(EMOJI),
        st.just("add"),
    ),
    st.tuples(st.just("leave"), st.integers(0, 2)),
    st.tuples(st.just("join"), st.integers(0, 2)),
)


def replay(items: list[dict]) -> dict[int, dict]:
    """The messages as a client ends up showing them, from the items as they were sent."""
    shown: dict[int, dict] = {}
    for item in sorted(items, key=lambda i: i["seq"]):
        kind, seq = item["type"], item["seq"]
        if kind == "message":
            shown[seq] = {
                "body": item["body"], "html": item["html"], "thread": item.get("thread"),
                "deleted": False, "edited": None, "reactions": [], "replies": 0,
                "last_reply_ts": None, "state_seq": None,
            }  # fmt: skip
            root = item.get("thread")
            if root is not None:
                shown[root]["replies"] += 1
                shown[root]["last_reply_ts"] = item["ts"]
                shown[root]["state_seq"] = seq
            continue
        if kind == "event":
            continue
        message = shown[item["target"]]
        message["state_seq"] = seq
        if kind == "edit":
            message.update(body=item["body"], html=item["html"], edited=item["ts"])
        elif kind == "delete":
            message.update(body="", html="", deleted=True, reactions=[])
        elif kind == "reaction":
            user = item["user"]["username"]
            entry = next((e for e in message["reactions"] if e["emoji"] == item["emoji"]), None)
            if item["op"] == "add":
                if entry is None:
                    message["reactions"].append({"emoji": item["emoji"], "users": [user]})
                else:
                    entry["users"].append(user)
            else:
                entry["users"].remove(user)
                if not entry["users"]:
                    message["reactions"].remove(entry)
    return shown


def as_shown(frame: dict) -> dict:
    """A message frame from history, in the reducer's terms."""
    return {
        "body": frame["body"],
        "html": frame["html"],
        "thread": frame.get("thread"),
        "deleted": frame.get("deleted", False),
        "edited": frame.get("edited"),
        "reactions": frame.get("reactions", []),
        "replies": frame.get("replies", 0),
        "last_reply_ts": frame.get("last_reply_ts"),
        "state_seq": frame.get("state_seq"),
    }


def seq_of(target: tuple[str, int], sent: list[dict]) -> int:
    how, n = target
    if how == "seq":
        return n
    messages = [f["seq"] for f in sent if f["type"] == "message"]
    return messages[-1 - n] if n < len(messages) else 0


def run(ops, users, sent: list[dict]) -> None:
    """Apply `ops`, keeping the frame of every item stored; refusals are expected."""
    for op in ops:
        kind, user = op[0], users[op[1]]
        client_id = f"op-{next(CLIENT_IDS)}"
        last_seq = Room.objects.get(slug="general").last_seq
        try:
            if kind == "send":
                result = services.message_post(
                    user=user, room_slug="general", body=op[2], client_id=client_id
                )
            elif kind == "reply":
                result = services.message_post(
                    user=user, room_slug="general", body="re", client_id=client_id,
                    thread=seq_of(op[2], sent),
                )  # fmt: skip
            elif kind == "edit":
                result = services.message_edit(
                    user=user, room_slug="general", target=seq_of(op[2], sent), body=op[3],
                    client_id=client_id,
                )  # fmt: skip
            elif kind == "delete":
                result = services.message_delete(
                    user=user, room_slug="general", target=seq_of(op[2], sent),
                    client_id=client_id,
                )  # fmt: skip
            elif kind == "react":
                result = services.reaction_set(
                    user=user, room_slug="general", target=seq_of(op[2], sent), emoji=op[3],
                    op=op[4], client_id=client_id,
                )  # fmt: skip
            elif kind == "leave":
                change = services.room_leave_by_slug(user=user, slug="general")
                if change.event is not None:
                    sent.append(frames.item(item_value(change.event, room_slug="general")))
                continue
            else:
                change = services.room_join_by_slug(user=user, slug="general")
                if change.event is not None:
                    sent.append(frames.item(item_value(change.event, room_slug="general")))
                continue
        except ParleyError:
            assert Room.objects.get(slug="general").last_seq == last_seq  # nothing stored
            continue
        assert result.created
        sent.append(frames.item(item_value(result.item, room_slug="general")))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=10, max_size=40))
def test_replaying_the_items_in_seq_order_gives_the_room_history_shows(ops):
    with transaction.atomic():
        users = [UserFactory(username=name) for name in USERS]
        room = make_room(users[0], slug="general")
        for user in users[1:]:
            services.room_join(user=user, room=room)
        sent: list[dict] = []
        # Something to reply to, edit, delete and react to from the start: one message each.
        run([("send", n, f"first of {name}") for n, name in enumerate(USERS)], users, sent)
        run(ops, users, sent)

        room.refresh_from_db()
        _, page = selectors.room_history(user=users[0], slug="general", before=None, limit=200)
        history = [frames.item(item_value(i, room_slug="general")) for i in page.items]
        assert [f["seq"] for f in history] == list(range(1, room.last_seq + 1))
        # What was sent is the whole timeline past the three joins, once each, same kinds.
        assert [f["seq"] for f in sent] == list(range(4, room.last_seq + 1))
        assert [f["type"] for f in sent] == [f["type"] for f in history[3:]]

        expected = replay(sent)
        now = {f["seq"]: as_shown(f) for f in history if f["type"] == "message"}
        assert now == expected
        transaction.set_rollback(True)
