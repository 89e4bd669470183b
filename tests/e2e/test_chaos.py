"""The fault script (`make chaos`, tests/e2e/chaos.py): its checker, its client, and a short run.

The checker and the client's timeline are tested on plain data first, so that "lost 0" from a
real run means something: each kind of damage is shown to be counted.
"""

import os
import secrets

import pytest

from tests.e2e.chaos import ChaosConfig, order_breaks, run_chaos, tally
from tests.e2e.resilient_client import Timeline


def message(seq, client_id, id_=None):
    return {"type": "message", "seq": seq, "id": id_ or 1000 + seq, "client_id": client_id}


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
        "sent 3, acked 3, delivered-to-all 3, lost 0, duplicated 0, out-of-order 0"
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
    assert result.ok, report
