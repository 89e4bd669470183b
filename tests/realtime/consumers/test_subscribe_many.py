"""A user in many rooms: the `subscribe` frames a client sends at once are served together
(parley/realtime/subscribe_batch.py), in a number of queries that does not grow with the rooms,
and each room's answer is exactly what a subscribe of its own gets."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from parley.accounts.models import Profile
from parley.bots import dispatch
from parley.notify import worker
from parley.realtime.member_lists import member_lists
from parley.realtime.room_cache import room_cache
from parley.rooms import services
from parley.rooms.models import Room
from tests.factories import UserFactory
from tests.factories import make_room as make_room_sync
from tests.support.data import make_user, post
from tests.support.queries import queries_on_all_threads
from tests.support.sessions import session_cookie_for
from tests.support.socket import connect

pytestmark = pytest.mark.django_db(transaction=True)


async def _background_work_done() -> None:
    """The workers that answer the setup's posts (notifications, outgoing webhooks) are idle:
    their queries are not the socket's, and the test database outlives them."""
    assert await asyncio.to_thread(worker.wait_idle, 20)
    assert await asyncio.to_thread(dispatch.wait_idle, 20)


@database_sync_to_async
def _rooms_of(user, other, count: int) -> list[str]:
    """`count` public rooms `user` made, each with `other` in it and a message of theirs that
    mentions `user` (unread, with a mention)."""
    slugs = []
    with transaction.atomic():
        for n in range(count):
            room = make_room_sync(user, slug=f"room-{n:03}")
            services.room_join(user=other, room=room)
            services.message_post(
                user=other, room_slug=room.slug, body=f"@{user.username} hi {n}", client_id=f"c{n}"
            )
            slugs.append(room.slug)
    return slugs


async def _subscribe_all(user, slugs: list[str]) -> tuple[list[dict], list[str], float]:
    """Connect as `user` and subscribe to every room at once: the replies in the order of
    `slugs`, the statements the server ran from the handshake to the last reply, the seconds."""
    cookie = await database_sync_to_async(session_cookie_for)(user)
    with queries_on_all_threads() as queries:
        began = time.perf_counter()
        async with connect(cookie=cookie) as client:
            for n, slug in enumerate(slugs):
                await client.send({"type": "subscribe", "room": slug, "ref": f"s{n}"})
            replies = [
                await client.wait_for(lambda f, ref=f"s{n}": f.get("ref") == ref)
                for n in range(len(slugs))
            ]
            elapsed = time.perf_counter() - began
            statements = list(queries.statements)
    return replies, statements, elapsed


# The handshake (the session and its user), then a batch: the rooms and the access to them, their
# last seqs, backlogs, member rows (and last seqs again), access again, pointers and levels,
# unread counts, mentions, read receipts, profiles. Whatever the number of rooms.
MAX_QUERIES = 16


@pytest.mark.parametrize("rooms", [20, 200])
async def test_subscribing_to_every_room_at_once_costs_queries_that_do_not_grow_with_the_rooms(
    rooms,
):
    ada = await make_user("ada")
    bob = await make_user("bob")
    slugs = await _rooms_of(ada, bob, rooms)
    await _background_work_done()
    replies, statements, elapsed = await _subscribe_all(ada, slugs)
    print(f"\n{rooms} rooms: {len(statements)} queries, {elapsed:.3f} s")
    assert [(r["type"], r["room"], r["unread"], r["mentions"]) for r in replies] == [
        ("subscribed", slug, 1, 1) for slug in slugs
    ]
    assert len(statements) <= MAX_QUERIES, "\n".join(statements)


async def test_a_client_opening_with_200_rooms_is_not_refused_by_the_default_read_limit(
    rate_limits,
):
    """The read limit (100 at once) counts a batch once per 20 rooms: all 200 are answered,
    the socket stays open."""
    rate_limits.configure(enabled=False)  # making 200 rooms is limited too
    ada = await make_user("ada")
    bob = await make_user("bob")
    slugs = await _rooms_of(ada, bob, 200)
    await _background_work_done()
    rate_limits.configure()
    replies, _, _ = await _subscribe_all(ada, slugs)
    assert [r["type"] for r in replies] == ["subscribed"] * 200


@database_sync_to_async
def _mixed_rooms(ada, bob, carol) -> list[dict]:
    """Rooms of every kind and state for ada, and the subscribe frames for them (refs s0…)."""
    Profile.objects.create(user=bob, display_name="Bob Builder", status_text="on a roof")
    public = make_room_sync(bob, slug="public")
    services.room_join(user=ada, room=public)
    for n in range(4):
        services.message_post(user=bob, room_slug="public", body=f"m{n} @ada", client_id=f"p{n}")
    services.read_pointer_move_by_slug(user=ada, slug="public", seq=3)
    private = make_room_sync(ada, slug="private", visibility="private")
    services.room_join(user=bob, room=private)
    services.message_post(user=bob, room_slug="private", body="@room look", client_id="r1")
    services.notify_level_set(user=ada, slug="private", level="all")
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room
    services.message_post(user=bob, room_slug=direct.slug, body="psst", client_id="d1")
    quiet = make_room_sync(ada, slug="read-only")
    services.room_read_only_set(actor=ada, room=quiet, on=True)
    old = make_room_sync(ada, slug="archived")
    services.room_archive(actor=ada, room=old, archived=True)
    make_room_sync(bob, slug="long")  # ada reads it, she is no member
    for n in range(8):
        services.message_post(user=bob, room_slug="long", body=f"l{n}", client_id=f"l{n}")
    crowd = make_room_sync(ada, slug="crowd")  # above the receipts' and big rooms' sizes
    for person in (bob, carol, UserFactory(username="dan")):
        services.room_join(user=person, room=crowd)
    make_room_sync(carol, slug="carols", visibility="private")  # not ada's to see
    return [
        {"type": "subscribe", "room": "public", "after": 1},
        {"type": "subscribe", "room": "private"},
        {"type": "subscribe", "room": direct.slug, "after": 0},
        {"type": "subscribe", "room": "carols"},
        {"type": "subscribe", "room": "read-only"},
        {"type": "subscribe", "room": "archived", "after": 0},
        {"type": "subscribe", "room": "long", "after": 1},  # cut at REPLAY_LIMIT
        {"type": "subscribe", "room": "long", "after": -1},  # invalid
        {"type": "subscribe", "room": "no-such-room"},
        {"type": "subscribe", "room": "crowd"},
    ]


def _forget_everything() -> None:
    room_cache.clear()
    for room_id in Room.objects.values_list("pk", flat=True):
        member_lists.forget(room_id)


async def _answers(user, subscribes: list[dict], *, at_once: bool) -> list[dict]:
    """Every frame the subscribes get, on a new socket: sent at once or each after the answer to
    the one before."""
    async with connect(user) as client:
        for n, frame in enumerate(subscribes):
            if at_once:
                await client.send({**frame, "ref": f"s{n}"})
            else:
                await client.request({**frame, "ref": f"s{n}"})
        await client.drain()
        return list(client.frames)


def _without_pong(frames: list[dict]) -> list[dict]:
    return [frame for frame in frames if frame["type"] != "pong"]


async def test_each_room_of_a_batch_gets_exactly_what_a_subscribe_alone_gets(settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "REPLAY_LIMIT": 5,
        "RECEIPTS_MAX_MEMBERS": 3,
        "BIG_ROOM_MEMBERS": 3,
        "MEMBERS_PAGE": 2,
    }
    ada, bob, carol = [await make_user(name) for name in ("ada", "bob", "carol")]
    subscribes = await _mixed_rooms(ada, bob, carol)
    await _background_work_done()
    forget = database_sync_to_async(_forget_everything)
    await forget()
    alone = _without_pong(await _answers(ada, subscribes, at_once=False))
    await forget()
    together = _without_pong(await _answers(ada, subscribes, at_once=True))
    # What a subscriber before kept (the room cache, the member lists) changes nothing either.
    kept = _without_pong(await _answers(ada, subscribes, at_once=True))
    assert together == alone
    assert kept == alone
    # Each frame answered in its order; the bad ones each with their own error.
    answers = [(f["type"], f.get("ref")) for f in alone if "ref" in f]
    assert answers == [
        ("subscribed", "s0"),
        ("subscribed", "s1"),
        ("subscribed", "s2"),
        ("error", "s3"),
        ("subscribed", "s4"),
        ("subscribed", "s5"),
        ("subscribed", "s6"),
        ("error", "s7"),
        ("error", "s8"),
        ("subscribed", "s9"),
    ]
    replies = {f["ref"]: f for f in alone if "ref" in f}
    assert (replies["s0"]["unread"], replies["s0"]["mentions"]) == (3, 3)
    assert replies["s1"]["level"] == "all" and replies["s1"]["mentions"] == 1
    assert replies["s2"]["kind"] == "direct"
    assert [replies[ref]["code"] for ref in ("s3", "s7", "s8")] == [
        "room_not_found",
        "invalid",
        "room_not_found",
    ]
    assert replies["s4"]["read_only"] and replies["s5"]["archived"]
    assert "read_by" in replies["s0"] and "read_by" not in replies["s9"]
    assert replies["s9"]["members_total"] == 4
    assert any(m.get("display_name") == "Bob Builder" for m in replies["s0"]["members"])
    assert [f["type"] for f in alone if f.get("room") == "long"] == [
        "subscribed",
        *["message"] * 5,
        "backlog_truncated",
    ]


async def test_a_frame_after_subscribes_is_answered_after_them(ada, bob, general_with_bob):
    async with connect(ada) as client:
        await client.send({"type": "subscribe", "room": "general", "ref": "s1"})
        await client.send({"type": "subscribe", "room": "nowhere", "ref": "s2"})
        await client.send(
            {"type": "send", "room": "general", "body": "hi", "client_id": "c1", "ref": "p1"}
        )
        await client.send({"type": "subscribe", "room": "general", "after": 2, "ref": "s3"})
        ack = await client.wait_for(lambda f: f.get("ref") == "p1")
        again = await client.wait_for(lambda f: f.get("ref") == "s3")
        answers = [(f["type"], f["ref"]) for f in client.frames if "ref" in f]
        assert answers == [
            ("subscribed", "s1"),
            ("error", "s2"),
            ("ack", "p1"),
            ("subscribed", "s3"),
        ]
        assert (ack["seq"], again["last_seq"]) == (3, 3)


async def test_rooms_subscribed_together_then_get_each_live_item_once(ada, bob):
    slugs = await _rooms_of(ada, bob, 5)  # seqs 1-3 in each: the joins and a message
    await _background_work_done()
    async with connect(ada) as client:
        for n, slug in enumerate(slugs):
            await client.send({"type": "subscribe", "room": slug, "after": 1, "ref": f"s{n}"})
        for n, slug in enumerate(slugs):
            reply = await client.wait_for(lambda f, ref=f"s{n}": f.get("ref") == ref)
            assert reply["last_seq"] == 3
            assert [item["seq"] for item in await client.items(slug, 2)] == [2, 3]
        for slug in slugs:
            await post(bob, slug, "live", f"live-{slug}")
        for slug in slugs:
            assert (await client.item(slug))["seq"] == 4
        await client.assert_quiet()
