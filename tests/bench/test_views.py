"""bench/views.py: a load generator client's view of who is online, from the frames it gets."""

from __future__ import annotations

import json
from array import array

from bench.views import PAGE_LIMIT, OnlineView


def frame(**fields) -> bytes:
    return json.dumps(fields, separators=(",", ":")).encode()


def entry(index: int, online: bool) -> dict:
    return {"username": f"u{index:05d}", "online": online, "idle": False}


def subscribed(members: list[dict], total: int | None = None) -> bytes:
    fields = {"type": "subscribed", "room": "crowd", "last_seq": 1, "members": members}
    if total is not None:
        fields["members_total"] = total
    return frame(**fields)


def one(index: int, online: bool) -> bytes:
    user = {"username": f"u{index:05d}"}
    return frame(type="presence", room="crowd", user=user, online=online, idle=False)


def batch(*changes: tuple[int, bool]) -> bytes:
    users = [entry(index, online) for index, online in changes]
    return frame(type="presence", room="crowd", users=users)


def page(offset: int, members: list[dict]) -> bytes:
    return frame(type="members", room="crowd", offset=offset, members_total=4, members=members)


def test_a_small_room_is_known_from_subscribed_and_presence_in_both_forms():
    view = OnlineView(own=0, size=4)
    assert (
        view.on_subscribed(subscribed([entry(0, True), entry(1, True), entry(2, False)]), 1) == []
    )
    view.on_presence(one(2, True), 2)
    assert not view.right
    view.on_presence(batch((3, True), (0, True)), 3)
    assert view.right and view.complete_us == 3


def test_the_clients_own_user_and_strangers_are_left_out():
    view = OnlineView(own=1, size=3)
    view.on_subscribed(subscribed([entry(1, False), entry(7, True)]), 1)
    view.on_presence(batch((0, True), (2, True), (1, False)), 2)
    assert view.right
    assert view.strangers == 1


def test_a_big_room_asks_for_the_members_after_the_first_page():
    view = OnlineView(own=0, size=450)
    asks = view.on_subscribed(subscribed([entry(1, True)], total=450), 1)
    offsets = [json.loads(ask)["offset"] for ask in asks]
    assert offsets == [1, 1 + PAGE_LIMIT, 1 + 2 * PAGE_LIMIT]
    assert {json.loads(ask)["limit"] for ask in asks} == {PAGE_LIMIT}


def test_a_page_does_not_override_what_a_presence_frame_told_since():
    view = OnlineView(own=0, size=4)
    view.on_subscribed(subscribed([entry(1, True)], total=4), 1)
    view.on_presence(one(2, True), 2)  # came online after the page's snapshot was taken
    view.on_members(page(1, [entry(2, False), entry(3, True)]), 3)
    assert view.right


def test_a_member_announced_offline_makes_the_view_wrong():
    view = OnlineView(own=0, size=3)
    view.on_subscribed(subscribed([entry(1, True), entry(2, True)]), 1)
    view.on_presence(one(2, False), 2)
    assert not view.right and view.count == 1


def test_latency_counts_only_members_a_presence_frame_announced():
    view = OnlineView(own=0, size=3)
    view.on_subscribed(subscribed([entry(1, True)]), 1_000)
    view.on_presence(one(2, True), 9_000)
    opened = array("q", [0, 500, 4_000])
    assert list(view.latencies_ms(opened)) == [5.0]
