"""The sans-I/O room stream (parley/realtime/stream.py) with plain integers: no loop, no layer.

The hub hands it each item the layer brings; it answers which items go to subscribers now and
when the database must fill a gap. These tests play the hub and the database by hand.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from parley.realtime.stream import RoomStream


def seqs(forward) -> list[int]:
    return [seq for seq, _ in forward]


def started(cursor: int = 0) -> RoomStream[str]:
    stream: RoomStream[str] = RoomStream()
    stream.start(cursor)
    return stream


def test_items_in_order_are_forwarded_at_once_and_duplicates_dropped():
    stream = started(0)
    assert seqs(stream.offer(1, "a").forward) == [1]
    assert seqs(stream.offer(2, "b").forward) == [2]
    again = stream.offer(2, "b")
    assert (again.forward, again.fill) == ([], None)
    assert seqs(stream.offer(1, "a").forward) == []
    assert stream.cursor == 2


def test_items_before_the_start_wait_and_those_the_backlog_covered_are_dropped():
    stream: RoomStream[str] = RoomStream()
    assert stream.offer(5, "e").forward == []
    assert stream.offer(6, "f").forward == []
    step = stream.start(5)  # the subscriber's backlog went up to 5
    assert [(seq, p) for seq, p in step.forward] == [(6, "f")]
    assert step.fill is None
    assert stream.held == {}


def test_a_gap_is_held_and_asks_for_one_fill_up_to_the_missing_seq():
    stream = started(1)
    step = stream.offer(4, "d")
    assert (step.forward, step.fill) == ([], 3)
    # While the fill runs, later items wait too and ask for no second fill.
    step = stream.offer(5, "e")
    assert (step.forward, step.fill) == ([], None)
    assert stream.fill_range(3) == (1, 3)
    forward = stream.refilled([(2, "b"), (3, "c")])
    assert seqs(forward) == [2, 3]
    step = stream.fill_ended()
    assert seqs(step.forward) == [4, 5]
    assert (stream.cursor, stream.held, stream.filling) == (5, {}, False)


def test_a_late_item_that_closes_the_gap_makes_the_fill_read_nothing():
    stream = started(1)
    assert stream.offer(3, "c").fill == 2
    assert stream.offer(2, "b").forward == []  # held while the fill is pending
    assert stream.fill_range(2) is None  # the grace passed: nothing left to read
    assert seqs(stream.fill_ended().forward) == [2, 3]


def test_a_failed_fill_tries_again_for_what_is_still_missing():
    stream = started(1)
    assert stream.offer(4, "d").fill == 3
    step = stream.fill_ended()  # the database call failed: nothing was refilled
    assert step.forward == []
    assert step.fill == 3
    assert stream.filling


def test_refilled_rows_past_a_hole_wait_for_it():
    stream = started(1)
    stream.offer(6, "f")
    forward = stream.refilled([(3, "c"), (4, "d")])  # 2 is still missing
    assert forward == []
    assert set(stream.held) == {3, 4, 6}


def test_while_paused_nothing_is_forwarded_and_resume_drains_in_order():
    stream = started(0)
    stream.pause()
    assert stream.offer(1, "a").forward == []
    assert stream.offer(2, "b").forward == []
    assert stream.refilled([(3, "c")]) == []
    stream.pause()
    assert stream.resume().forward == []  # paused twice: still paused
    assert seqs(stream.resume().forward) == [1, 2, 3]


def test_the_sweep_fills_items_the_database_had_last_time_but_were_never_forwarded():
    stream = started(3)
    assert stream.overdue(5) is None  # first look: 4 and 5 may still be on their way
    assert stream.overdue(5) == 5  # still not forwarded at the next sweep: fill up to 5
    assert stream.filling
    assert stream.overdue(5) is None  # a fill is already running
    stream.refilled([(4, "d"), (5, "e")])
    stream.fill_ended()
    assert stream.cursor == 5
    assert stream.overdue(5) is None  # everything the database had is forwarded


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=80),
    st.integers(min_value=0, max_value=5),
)
def test_whatever_the_layer_drops_repeats_or_reorders_each_item_goes_out_once_in_order(
    arrivals, start_at
):
    """The layer brings `arrivals` (any order, repeats, losses); the database holds 1..top.
    The hub answers every fill at once. Forwarded: exactly start_at+1..top, in order."""
    top = max(arrivals)
    stream: RoomStream[int] = RoomStream()
    forwarded: list[int] = []
    fills: list[int] = []

    def run(step) -> None:
        forwarded.extend(seqs(step.forward))
        if step.fill is not None:
            fills.append(step.fill)

    for i, seq in enumerate(arrivals):
        if i == len(arrivals) // 2:
            run(stream.start(start_at))
        run(stream.offer(seq, seq))
    if stream.cursor is None:
        run(stream.start(start_at))
    # The sweep sees the database's last seq twice, as the hub's does over two periods.
    for _ in range(2):
        upto = stream.overdue(top)
        if upto is not None:
            fills.append(upto)
        while fills:
            span = stream.fill_range(fills.pop(0))
            if span is not None:
                after, upto = span
                forwarded.extend(
                    seqs(stream.refilled([(s, s) for s in range(after + 1, upto + 1)]))
                )
            run(stream.fill_ended())
    expected = list(range(start_at + 1, top + 1))
    assert forwarded == expected
