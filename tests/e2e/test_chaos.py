"""The fault script (`make chaos`, tests/e2e/chaos.py): its checker, its client, and a short run.

The checker and the client's timeline are tested on plain data first, so that "lost 0" from a
real run means something: each kind of damage is shown to be counted.
"""

import os
import secrets
from collections import Counter

import pytest

from tests.e2e.chaos import ChaosConfig, order_breaks, run_chaos, tally
from tests.e2e.conversations import differing_views, message_views
from tests.e2e.resilient_client import Timeline


def message(seq, client_id, id_=None):
    item = {"type": "message", "seq": seq, "id": id_ or 1000 + seq, "client_id": client_id}
    return {**item, "body": f"{client_id} says hi"}


def event(seq):
    return {"type": "event", "seq": seq, "id": 1000 + seq, "kind": "join"}


SERVER = {"r": [event(1), message(2, "a-1"), message(3, "a-2"), message(4, "b-1")]}
SENT = {"a-1": "r", "a-2": "r", "b-1": "r"}
ACKS = {"a-1": 2, "a-2": 3, "b-1": 4}


def judge(*views):
    return tally(SENT, ACKS, {f"c{n}": {"r": v} for n, v in enumerate(views)}, SERVER)


def test_a_complete_run_is_clean():
    result = judge(SERVER["r"], list(SERVER["r"]))
    assert result.line() == (
        "sent 3, acked 3, delivered-to-all 3, lost 0, duplicated 0, out-of-order 0, views differ 0"
    )
    assert result.clean


def test_a_message_missing_from_one_client_is_lost():
    result = judge(SERVER["r"], SERVER["r"][:3])
    assert (result.lost, result.delivered, result.clean) == (1, 2, False)


def test_a_message_shown_twice_is_duplicated_and_breaks_the_order():
    doubled = [*SERVER["r"][:3], message(4, "a-2", id_=1003)]
    result = judge(SERVER["r"], doubled)
    assert (result.duplicated, result.lost, result.out_of_order, result.mismatched) == (1, 1, 0, 1)
    assert judge(SERVER["r"], [*SERVER["r"], message(5, "b-1")]).duplicated == 1


def test_reordered_or_holey_lists_are_out_of_order():
    r = SERVER["r"]
    assert order_breaks([r[0], r[2], r[1], r[3]]) == 3
    assert order_breaks([r[0], r[1], r[3]]) == 1
    assert judge(r, [r[0], r[2], r[1], r[3]]).out_of_order == 3


def test_an_unacked_message_or_a_wrong_ack_seq_fails_the_run():
    assert not tally(SENT | {"c-1": "r"}, ACKS, {"c0": SERVER}, SERVER).clean
    assert tally(SENT, ACKS | {"b-1": 3}, {"c0": SERVER}, SERVER).mismatched == 1


# -- conversations: changes are items too, and every view must reduce to the server's --------


def msg(seq, body, **fields):
    return {"type": "message", "seq": seq, "id": 1000 + seq, "client_id": f"m{seq}",
            "body": body, "html": f"<p>{body}</p>", "ts": f"t{seq}", **fields}  # fmt: skip


def change(seq, kind, target, **fields):
    user = {"user": {"username": fields.pop("by", "ada")}}
    return {"type": kind, "seq": seq, "id": 1000 + seq, "client_id": f"x{seq}",
            "target": target, "ts": f"t{seq}", **user, **fields}  # fmt: skip


LIVE = [
    event(1),
    msg(2, "root"),
    msg(3, "doomed"),
    change(4, "reaction", 2, emoji="👍", op="add"),
    msg(5, "a reply", thread=2),
    change(6, "edit", 2, body="root!", html="<p>root!</p>"),
    change(7, "reaction", 3, emoji="🎉", op="add"),
    change(8, "reaction", 2, emoji="🎉", op="add", by="bob"),
    change(9, "reaction", 2, emoji="👍", op="add", by="bob"),
    change(10, "reaction", 2, emoji="👍", op="remove"),
    change(11, "delete", 3),
]
# The same room read from the database at the end: messages as they are now.
FINAL = [
    event(1),
    msg(2, "root!", html="<p>root!</p>", edited="t6", replies=1, last_reply_ts="t5",
        reactions=[{"emoji": "👍", "users": ["bob"]}, {"emoji": "🎉", "users": ["bob"]}],
        state_seq=10),
    msg(3, "", html="", deleted=True, state_seq=11),
    *LIVE[3:4],
    msg(5, "a reply", thread=2),
    *LIVE[5:],
]  # fmt: skip


def test_items_reduce_to_the_message_as_the_server_shows_it_now():
    assert message_views(LIVE) == message_views(FINAL)
    assert message_views(LIVE)[2]["reactions"] == [["👍", ["bob"]], ["🎉", ["bob"]]]
    assert differing_views({"c0": {"r": LIVE}, "c1": {"r": FINAL}}, {"r": FINAL}) == []


def test_a_snapshot_already_includes_the_changes_up_to_its_state_seq():
    # Read at seq 6 (a reconnect's backlog): the reply and the edit are in it, counted once.
    root_then = msg(2, "root!", html="<p>root!</p>", edited="t6", replies=1, last_reply_ts="t5",
                    reactions=[{"emoji": "👍", "users": ["ada"]}], state_seq=6)  # fmt: skip
    resumed = [event(1), root_then, *LIVE[2:]]
    assert message_views(resumed) == message_views(FINAL)
    # Ignoring state_seq would count the reply twice and the 👍 twice.
    without = [event(1), {k: v for k, v in root_then.items() if k != "state_seq"}, *LIVE[2:]]
    assert differing_views({"c0": {"r": without}}, {"r": FINAL}) == [("r", 2)]


def test_a_missed_change_or_one_in_the_wrong_place_is_counted():
    missed = [*LIVE[:9], event(10), LIVE[10]]  # bob's 👍 removal replaced
    assert differing_views({"c0": {"r": missed}, "c1": {"r": LIVE}}, {"r": FINAL}) == [("r", 2)]
    sent = {item["client_id"]: "r" for item in LIVE if "client_id" in item}
    acks = {item["client_id"]: item["seq"] for item in LIVE if "client_id" in item}
    kinds = {item["client_id"]: item["type"] for item in LIVE if "client_id" in item}
    assert tally(sent, acks, {"c0": {"r": LIVE}}, {"r": FINAL}, kinds).clean
    retyped = [*LIVE[:10], {**LIVE[10], "type": "edit", "body": "", "html": ""}]
    result = tally(sent, acks, {"c0": {"r": retyped}}, {"r": FINAL}, kinds)
    assert (result.mismatched, result.views_differ, result.clean) == (1, 1, False)
    assert tally(sent, acks, {"c0": {"r": missed}}, {"r": FINAL}, kinds).lost == 1


def test_the_timeline_holds_items_past_a_gap_and_asks_for_exactly_the_gap():
    timeline = Timeline("r")
    assert [i["seq"] for i in timeline.offer(event(1))] == [1]
    assert timeline.offer(message(5, "x")) == []
    assert timeline.next_gap() == (5, 3)
    assert [i["seq"] for i in timeline.offer(message(2, "y"))] == [2]
    assert timeline.offer(message(2, "y")) == []
    assert timeline.next_gap() == (5, 2)
    assert [i["seq"] for i in timeline.offer(message(4, "z"))] == []
    assert [i["seq"] for i in timeline.offer(message(3, "w"))] == [3, 4, 5]
    assert timeline.next_gap() is None and not timeline.held


def test_a_truncated_backlog_is_paged_from_the_top_at_most_200_at_a_time():
    timeline = Timeline("r", fill_to=900)
    timeline.offer(event(1))
    assert timeline.next_gap() == (901, 200)
    timeline.offer(message(1000, "live"))
    assert timeline.next_gap() == (1000, 200)


@pytest.mark.live
async def test_a_short_chaos_run_loses_doubles_and_reorders_nothing():
    # Redis, when the suite has one, carries the layer but is not restarted: other test
    # processes may share it. `make chaos` with REDIS_URL restarts it.
    config = ChaosConfig(
        seed=secrets.randbelow(10**6),
        messages=150,
        kills=1,
        terms=1,
        clients=3,
        drops=4,
        duration=12.0,
        replay_limit=10,  # reconnecting clients get backlog_truncated and page with history
        database_url=os.environ.get("DATABASE_URL") or None,
        redis_url=os.environ.get("REDIS_URL") or None,
    )
    result = await run_chaos(config)
    report = result.report()
    assert result.faults.done["kill"] == 1 and result.faults.done["term"] == 1, report
    assert result.tally.acked == result.tally.sent == 150, report
    assert result.tally.delivered == 150, report
    assert (result.tally.lost, result.tally.duplicated, result.tally.out_of_order) == (0, 0, 0)
    # Replies, edits, deletions and reactions (added and removed) were among the frames, all
    # acked and delivered, and every client sees every message as the server shows it.
    sent = result.traffic.sent
    assert all(sent[kind] > 0 for kind in ("reply", "edit", "delete", "reaction add")), report
    assert sent["reaction remove"] > 0, report
    kinds = Counter(k for c in result.clients for k in c.kinds.values())
    assert kinds["edit"] + kinds["delete"] + kinds["reaction"] >= 20, report
    assert result.tally.views_differ == 0 and not result.unlike_intent, report
    assert result.ok, report
