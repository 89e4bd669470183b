"""The member lists kept per process (parley/realtime/member_lists.py): the order pages list
members in, a big room's first page encoded once, and when a kept one serves again."""

from datetime import UTC, datetime

import orjson
import pytest

from parley.realtime import member_lists as module
from parley.realtime.member_lists import MemberLists, presence_order
from parley.realtime.presence import Status
from parley.rooms.selectors import MemberProfile

ON, IDLE, OFF = Status.ACTIVE, Status.IDLE, Status.OFFLINE
V1 = (1, datetime(2026, 1, 1, tzinfo=UTC))
NAMES = ["ada", "bob", "carol", "dave", "erin"]


def decoded(fragment) -> list[dict]:
    return orjson.loads(orjson.dumps(fragment))


@pytest.fixture
def clock(monkeypatch):
    """The lists' monotonic clock, moved by the test."""
    now = [100.0]
    monkeypatch.setattr(module, "_monotonic", lambda: now[0])
    return now


def test_presence_order_is_active_then_idle_then_offline_each_in_the_order_given():
    assert presence_order([OFF, IDLE, ON, OFF, ON]) == [2, 4, 1, 0, 3]
    assert presence_order([OFF, IDLE, ON, OFF, ON], [0, 1, 3]) == [1, 0, 3]


def test_a_first_page_lists_the_first_members_in_presence_order_with_their_profiles():
    lists = MemberLists()
    profiles = {"erin": MemberProfile("Erin E", "", "", None)}
    page = lists.encoded(V1, 7, NAMES, [OFF, IDLE, OFF, OFF, ON], profiles=profiles, first=2)
    assert decoded(page) == [
        {"username": "erin", "online": True, "idle": False, "display_name": "Erin E"},
        {"username": "bob", "online": True, "idle": True},
    ]


def test_a_kept_page_serves_the_same_statuses_and_not_a_whole_list(clock):
    lists = MemberLists()
    page = lists.encoded(V1, 7, NAMES, [OFF, IDLE, OFF, OFF, ON], epoch=3, profiles={}, first=2)
    assert lists.current(V1, 7, 3, first=2) is page
    assert lists.current(V1, 7, 3) is None  # the whole list was never built
    # Read again with other statuses of members not on it: the same page, encoded once.
    again = lists.encoded(V1, 7, NAMES, [OFF, IDLE, OFF, IDLE, ON], epoch=4, first=2)
    assert again is page
    assert lists.current(V1, 7, 4, first=2) is page
    other = lists.encoded(V1, 7, NAMES, [ON, IDLE, OFF, OFF, ON], epoch=5, first=2)
    assert [m["username"] for m in decoded(other)] == ["ada", "erin"]


def test_a_page_serves_for_max_age_seconds_whatever_the_epoch(clock):
    lists = MemberLists()
    page = lists.encoded(V1, 7, NAMES, [OFF] * 5, epoch=None, profiles={}, first=2)
    assert lists.current(V1, 7, None, first=2) is None  # no epoch, no age allowed
    clock[0] += 0.9
    assert lists.current(V1, 7, None, first=2, max_age=1.0) is page
    clock[0] += 0.2
    assert lists.current(V1, 7, None, first=2, max_age=1.0) is None
    # Found right again (the same statuses read): it serves for another max_age.
    assert lists.encoded(V1, 7, NAMES, [OFF] * 5, first=2) is page
    assert lists.current(V1, 7, None, first=2, max_age=1.0) is page
    lists.forget(1)  # a member's profile changed
    assert lists.current(V1, 7, None, first=2, max_age=1.0) is None


def test_profiles_kept_for_pages_are_not_kept_when_read_across_a_change():
    lists = MemberLists()
    profiles = {"ada": MemberProfile("Ada", "", "", None)}
    since = lists.mark(1)
    lists.forget(1)
    lists.keep_profiles(V1, 7, profiles, since=since)
    assert lists.profiles(V1, 7) is None
    lists.keep_profiles(V1, 7, profiles, since=lists.mark(1))
    assert lists.profiles(V1, 7) is profiles
    assert lists.profiles(V1, 8) is None  # another last seq: other members
