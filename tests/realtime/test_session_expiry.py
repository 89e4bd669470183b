"""The bookkeeping of when the sessions of open sockets expire (parley.realtime.session_expiry)."""

from parley.realtime.session_expiry import SessionExpiry


def test_nothing_is_due_before_the_earliest_date():
    sessions = SessionExpiry()
    sessions.opened("a", user_id=1, expires_at=100.0)
    sessions.opened("b", user_id=2, expires_at=50.0)
    assert sessions.due(49.9) == []
    assert sessions.due(50.0) == ["b"]
    assert sorted(sessions.due(100.0)) == ["a", "b"]


def test_a_due_session_stays_due_until_renewed_or_ended():
    sessions = SessionExpiry()
    sessions.opened("a", user_id=1, expires_at=10.0)
    sessions.opened("b", user_id=2, expires_at=10.0)
    assert sorted(sessions.due(11.0)) == ["a", "b"]
    # The check failed (database down): the next sweep asks again.
    assert sorted(sessions.due(12.0)) == ["a", "b"]
    sessions.renewed("a", 500.0)
    assert sessions.ended("b") == 2
    assert sessions.due(13.0) == []
    assert sessions.due(499.0) == []
    assert sessions.due(500.0) == ["a"]
    assert len(sessions) == 1


def test_one_entry_per_session_kept_while_any_of_its_sockets_is_open():
    sessions = SessionExpiry()
    sessions.opened("a", user_id=1, expires_at=10.0)
    sessions.opened("a", user_id=1, expires_at=10.0)
    assert len(sessions) == 1
    sessions.closed("a")
    assert sessions.due(10.0) == ["a"]
    sessions.closed("a")
    assert len(sessions) == 0 and sessions.due(10.0) == []
    sessions.closed("a")  # closed after `ended` forgot it: nothing to do
    assert sessions.ended("a") is None


def test_a_later_handshake_of_the_same_session_keeps_the_later_date():
    sessions = SessionExpiry()
    sessions.opened("a", user_id=1, expires_at=10.0)
    sessions.opened("a", user_id=1, expires_at=90.0)  # the session was saved again meanwhile
    assert sessions.due(50.0) == []
    sessions.opened("a", user_id=1, expires_at=20.0)  # an older read never shortens it
    assert sessions.due(50.0) == [] and sessions.due(90.0) == ["a"]
