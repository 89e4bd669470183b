"""The presence batch's decisions (sans I/O): at once in a quiet room, then one batch a second."""

from parley.realtime.presence.batch import Change, PresenceBatch

ADA = Change(1, "ada", True, False)
BOB = Change(2, "bob", True, False)
BOB_IDLE = Change(2, "bob", True, True)
CAROL = Change(3, "carol", False, False)


def test_a_change_in_a_quiet_room_goes_out_at_once():
    batch = PresenceBatch(interval=1.0)
    assert batch.add(ADA, now=10.0) == ADA
    assert batch.due is None


def test_changes_within_the_interval_after_a_frame_wait_for_its_end():
    batch = PresenceBatch(interval=1.0)
    batch.sent(10.0, delivered=True)
    assert batch.add(BOB, now=10.2) is None
    assert batch.add(CAROL, now=10.5) is None
    assert batch.due == 11.0
    assert batch.flush() == [BOB, CAROL]
    assert batch.due is None and batch.pending == {}


def test_a_user_is_listed_once_with_their_latest_state_in_first_change_order():
    batch = PresenceBatch(interval=1.0)
    batch.sent(10.0, delivered=True)
    batch.add(BOB, now=10.1)
    batch.add(CAROL, now=10.2)
    batch.add(BOB_IDLE, now=10.3)
    assert batch.flush() == [BOB_IDLE, CAROL]


def test_after_a_flush_the_next_interval_counts_from_the_flush():
    batch = PresenceBatch(interval=1.0)
    batch.sent(10.0, delivered=True)
    batch.add(BOB, now=10.5)
    batch.flush()
    batch.sent(11.0, delivered=True)
    assert batch.add(CAROL, now=11.4) is None
    assert batch.due == 12.0
    batch.flush()
    batch.sent(12.0, delivered=True)
    assert batch.add(ADA, now=13.5) == ADA


def test_a_frame_that_reached_nobody_starts_no_interval():
    batch = PresenceBatch(interval=1.0)
    assert batch.add(ADA, now=10.0) == ADA
    batch.sent(10.0, delivered=False)  # ada was the room's only subscriber here
    assert batch.add(BOB, now=10.1) == BOB


def test_pending_changes_keep_waiting_even_after_the_interval_until_flushed():
    batch = PresenceBatch(interval=1.0)
    batch.sent(10.0, delivered=True)
    batch.add(BOB, now=10.5)
    # The flush is late (a busy loop): a new change joins the batch, not overtaking it.
    assert batch.add(CAROL, now=11.2) is None
    assert batch.flush() == [BOB, CAROL]
