"""subscribe / unsubscribe: the reply, the backlog after `after`, then live items exactly once."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from parley.realtime import subscribe as subscribing
from parley.rooms import services
from parley.rooms.models import Room
from tests.support.data import make_room, make_user, post, post_many, stored
from tests.support.queries import queries_on_all_threads
from tests.support.socket import connect, error_code, seqs

pytestmark = pytest.mark.django_db(transaction=True)


def usernames(members: list[dict]) -> list[str]:
    return sorted(member["username"] for member in members)


async def test_subscribe_replies_with_room_last_seq_and_members(ada, bob, general_with_bob):
    carol = await make_user("carol")
    await post(bob, "general", "hello", "c1")
    async with connect(carol) as client:
        reply = await client.request({"type": "subscribe", "room": "general", "ref": "s1"})
        assert reply["type"] == "subscribed"
        assert reply["ref"] == "s1"
        assert reply["room"] == "general"
        assert reply["last_seq"] == 3
        assert usernames(reply["members"]) == ["ada", "bob"]  # carol reads, she is no member
        assert all(set(member) >= {"username"} for member in reply["members"])
        await client.assert_quiet()  # no `after`: no backlog


async def test_subscribe_to_an_empty_timeline_has_last_seq_of_its_first_event(ada):
    await make_room(ada, "quiet")
    async with connect(ada) as client:
        reply = await client.subscribe("quiet")
        assert (reply["last_seq"], usernames(reply["members"])) == (1, ["ada"])


async def test_subscribe_without_after_carries_on_with_live_items_only(ada, bob, general_with_bob):
    await post_many(bob, "general", 3)
    async with connect(ada) as client:
        reply = await client.subscribe("general")
        assert reply["last_seq"] == 5
        await post(bob, "general", "live", "live-1")
        item = await client.item("general")
        assert (item["type"], item["seq"], item["body"]) == ("message", 6, "live")
        await client.assert_quiet()


async def test_subscribe_after_replays_exactly_the_missed_items_in_order_then_live(
    ada, bob, general_with_bob
):
    await post_many(bob, "general", 6)  # seqs 3..8
    async with connect(ada) as client:
        reply = await client.subscribe("general", after=4)
        assert reply["last_seq"] == 8
        backlog = await client.items("general", 4)
        assert seqs(backlog) == [5, 6, 7, 8]
        assert [item["body"] for item in backlog] == ["bulk 2", "bulk 3", "bulk 4", "bulk 5"]
        # The reply comes first, then the backlog.
        assert client.position(reply) < client.position(backlog[0])
        await client.assert_quiet()
        await post(bob, "general", "live", "live-1")
        assert seqs(await client.items("general", 1)) == [9]
        await client.assert_quiet()


async def test_subscribe_after_zero_replays_the_whole_timeline_with_events(
    ada, bob, general_with_bob
):
    await post(bob, "general", "hi", "c1")
    async with connect(ada) as client:
        await client.subscribe("general", after=0)
        items = await client.items("general", 3)
        assert [(i["seq"], i["type"], i.get("kind")) for i in items] == [
            (1, "event", "join"),
            (2, "event", "join"),
            (3, "message", None),
        ]
        assert [items[0]["user"], items[1]["user"]] == [{"username": "ada"}, {"username": "bob"}]
        await client.assert_quiet()


@pytest.mark.parametrize("after", [3, 4, 1000, 2**53, 2**63 - 1, 2**64 - 1, 2**64, 10**30])
async def test_after_at_or_beyond_the_last_seq_replays_nothing(ada, bob, general_with_bob, after):
    await post(bob, "general", "hi", "c1")  # last seq 3
    async with connect(ada) as client:
        reply = await client.subscribe("general", after=after)
        assert reply["last_seq"] == 3
        await post(bob, "general", "live", "c2")
        # A replayed item would have come before this live one.
        assert seqs(await client.items("general", 1)) == [4]


@pytest.mark.parametrize(
    ("after", "code"), [(-1, "invalid"), (-(2**40), "invalid"), (-(2**64), "invalid")]
)
async def test_negative_after_is_invalid_and_subscribes_nothing(
    ada, bob, general_with_bob, after, code
):
    async with connect(ada) as client:
        reply = await client.request({"type": "subscribe", "room": "general", "after": after})
        assert error_code(reply) == code
        await post(bob, "general", "not for you", "c1")
        await client.assert_quiet()
        await client.ping_works()


@pytest.mark.parametrize("after", ["3", True, 2.5, [1], {"seq": 1}])
async def test_after_of_the_wrong_type_is_bad_frame(ada, general_with_bob, after):
    async with connect(ada) as client:
        reply = await client.request({"type": "subscribe", "room": "general", "after": after})
        assert error_code(reply) == "bad_frame"
        await client.ping_works()


@pytest.mark.parametrize("room_watched", [False, True], ids=["first-subscriber", "watched"])
async def test_items_posted_while_subscribing_arrive_once_with_no_gap(
    ada, bob, general_with_bob, room_watched
):
    await post_many(bob, "general", 5)  # seqs 3..7
    async with connect(bob) as watcher, connect(ada) as client:
        if room_watched:
            await watcher.subscribe("general")

        async def keep_posting():
            for n in range(30):
                await post(bob, "general", f"live {n}", f"live-{n}")

        poster = asyncio.create_task(keep_posting())
        reply = await client.subscribe("general", after=4)
        await poster
        last_seq = (await stored("general"))[-1].seq
        assert last_seq == 37
        assert 7 <= reply["last_seq"] <= last_seq
        items = await client.items("general", last_seq - 4)
        assert seqs(items) == list(range(5, last_seq + 1))
        assert client.position(reply) < client.position(items[0])
        await client.assert_quiet()


async def test_an_item_committed_after_the_backlog_read_is_not_lost(
    ada, bob, general_with_bob, monkeypatch
):
    """An item that lands between the backlog's read and the switch to live still arrives.

    The backlog read is made slow: an item is committed right after it and reaches the process
    (another subscriber receives it) before the subscribe finishes.
    """
    await post_many(bob, "general", 3)  # seqs 3..5
    async with connect(bob) as watcher, connect(ada) as client:
        await watcher.subscribe("general")
        read_backlog = subscribing._backlog

        async def slow_backlog(*args):
            result = await read_backlog(*args)
            await post(bob, "general", "during the replay", "late")
            assert seqs(await watcher.items("general", 1)) == [6]
            return result

        monkeypatch.setattr(subscribing, "_backlog", slow_backlog)
        reply = await client.subscribe("general", after=3)
        monkeypatch.undo()
        assert reply["last_seq"] == 5
        items = await client.items("general", 3)
        assert seqs(items) == [4, 5, 6]
        assert items[-1]["body"] == "during the replay"
        await post(bob, "general", "live", "live")
        assert seqs(await client.items("general", 1)) == [7]
        await client.assert_quiet()


async def test_resubscribe_with_after_puts_an_item_of_the_replay_window_after_the_reply(
    ada, bob, general_with_bob, monkeypatch
):
    """Re-subscribing with `after` while an item lands: the reply, the replay, that item."""
    await post_many(bob, "general", 3)  # seqs 3..5
    async with connect(bob) as watcher, connect(ada) as client:
        await watcher.subscribe("general")
        await client.subscribe("general")
        read_backlog = subscribing._backlog

        async def slow_backlog(*args):
            result = await read_backlog(*args)
            await post(bob, "general", "during the replay", "late")
            assert seqs(await watcher.items("general", 1)) == [6]
            return result

        monkeypatch.setattr(subscribing, "_backlog", slow_backlog)
        again = await client.subscribe("general", after=3)
        monkeypatch.undo()
        await client.wait_for(
            lambda f: f.get("seq") == 6 and any(g is f for g in client.frames_after(again))
        )
        assert [f for f in client.frames_before(again) if f["type"] == "message"] == []
        after = [f for f in client.frames_after(again) if f["type"] == "message"]
        assert seqs(after) == [4, 5, 6]
        client.pending.clear()
        await client.assert_quiet()


async def test_subscribers_joining_one_after_another_during_traffic_each_see_every_item(
    ada, bob, general_with_bob
):
    async with connect(ada) as first, connect(ada) as second, connect(ada) as third:
        clients = [first, second, third]

        async def keep_posting():
            for n in range(20):
                await post(bob, "general", f"m{n}", f"m-{n}")

        poster = asyncio.create_task(keep_posting())
        replies = []
        for client in clients:
            replies.append(await client.subscribe("general", after=2))
        await poster
        for client in clients:
            assert seqs(await client.items("general", 20)) == list(range(3, 23))
            await client.assert_quiet()


async def test_resubscribe_without_after_sends_a_new_reply_and_live_items_once(
    ada, bob, general_with_bob
):
    async with connect(ada) as client:
        await client.subscribe("general")
        await post(bob, "general", "one", "c1")
        assert seqs(await client.items("general", 1)) == [3]
        again = await client.subscribe("general")
        assert (again["room"], again["last_seq"]) == ("general", 3)
        await client.assert_quiet()  # no backlog without `after`
        await post(bob, "general", "two", "c2")
        assert seqs(await client.items("general", 1)) == [4]
        await client.assert_quiet()


async def test_resubscribe_with_after_replays_from_there_then_live_items_once(
    ada, bob, general_with_bob
):
    async with connect(ada) as client:
        await client.subscribe("general")
        await post(bob, "general", "one", "c1")
        await post(bob, "general", "two", "c2")
        assert seqs(await client.items("general", 2)) == [3, 4]
        again = await client.subscribe("general", after=2)
        assert again["last_seq"] == 4
        replay = await client.items("general", 2)
        assert seqs(replay) == [3, 4]
        assert client.position(again) < client.position(replay[0])
        await client.assert_quiet()
        await post(bob, "general", "three", "c3")
        assert seqs(await client.items("general", 1)) == [5]
        await client.assert_quiet()


async def test_resubscribe_with_after_during_traffic_keeps_live_items_once(
    ada, bob, general_with_bob
):
    async with connect(ada) as client:
        await client.subscribe("general")

        async def keep_posting():
            for n in range(20):
                await post(bob, "general", f"m{n}", f"m-{n}")

        poster = asyncio.create_task(keep_posting())
        again = await client.subscribe("general", after=2)
        await poster
        await client.wait_for(
            lambda f: f.get("seq") == 22 and any(g is f for g in client.frames_after(again))
        )
        # Live items may precede the new reply; after it come every item after `after` once,
        # in order (the replay, then the live stream), with nothing skipped.
        before = [f for f in client.frames_before(again) if f["type"] == "message"]
        after = [f for f in client.frames_after(again) if f["type"] == "message"]
        assert seqs(before) == list(range(3, 3 + len(before)))
        assert seqs(after) == list(range(3, 23))
        client.pending.clear()
        await client.assert_quiet()


async def test_backlog_of_500_items_is_replayed_whole(ada, bob, general_with_bob):
    await post_many(bob, "general", 498)  # seqs 3..500
    async with connect(ada) as client:
        reply = await client.subscribe("general", after=0)
        assert reply["last_seq"] == 500
        items = await client.items("general", 500)
        assert seqs(items) == list(range(1, 501))
        await client.assert_quiet()  # no backlog_truncated


async def test_backlog_over_500_items_is_cut_at_500_with_a_backlog_truncated_frame(
    ada, bob, general_with_bob
):
    await post_many(bob, "general", 518)  # seqs 3..520
    async with connect(ada) as client:
        reply = await client.subscribe("general", after=1)
        assert reply["last_seq"] == 520
        items = await client.items("general", 500)
        assert seqs(items) == list(range(2, 502))
        truncated = await client.wait_for(lambda f: f["type"] == "backlog_truncated")
        assert truncated == {
            "type": "backlog_truncated",
            "room": "general",
            "after": 501,
            "last_seq": 520,
        }
        assert client.position(items[-1]) < client.position(truncated)
        await client.assert_quiet()
        # The rest is paged with history; live items carry on after last_seq.
        missing = truncated["last_seq"] - truncated["after"]
        page = await client.request(
            {"type": "history", "room": "general", "before": 521, "limit": missing}
        )
        assert seqs(page["items"]) == list(range(502, 521))
        await post(bob, "general", "live", "live-1")
        assert seqs(await client.items("general", 1)) == [521]
        await client.assert_quiet()


async def test_unsubscribe_stops_live_items(ada, bob, general_with_bob):
    async with connect(ada) as client, connect(bob) as watcher:
        await client.subscribe("general")
        await watcher.subscribe("general")
        reply = await client.request({"type": "unsubscribe", "room": "general", "ref": "u"})
        assert reply == {"type": "unsubscribed", "room": "general", "ref": "u"}
        await post(bob, "general", "after unsubscribe", "c1")
        assert seqs(await watcher.items("general", 1)) == [3]
        await client.assert_quiet()


async def test_unsubscribe_then_subscribe_again_resumes_with_after(ada, bob, general_with_bob):
    async with connect(ada) as client:
        await client.subscribe("general")
        await client.request({"type": "unsubscribe", "room": "general"})
        await post(bob, "general", "missed", "c1")
        await client.assert_quiet()
        await client.subscribe("general", after=2)
        assert seqs(await client.items("general", 1)) == [3]
        await post(bob, "general", "live", "c2")
        assert seqs(await client.items("general", 1)) == [4]
        await client.assert_quiet()


async def test_unsubscribe_of_a_visible_room_not_subscribed_is_harmless(ada, general_with_bob):
    async with connect(ada) as client:
        reply = await client.request({"type": "unsubscribe", "room": "general"})
        assert (reply["type"], reply["room"]) == ("unsubscribed", "general")


async def test_one_socket_gets_each_rooms_items_tagged_with_its_room(ada, bob, general_with_bob):
    await make_room(bob, "random")  # bob's join is seq 1 there
    async with connect(ada) as client:
        await client.subscribe("general")
        await client.subscribe("random")
        await post(bob, "general", "to general", "g1")
        await post(bob, "random", "to random", "r1")
        await post(bob, "general", "to general again", "g2")
        general_items = await client.items("general", 2)
        random_items = await client.items("random", 1)
        assert [(i["room"], i["seq"], i["body"]) for i in general_items] == [
            ("general", 3, "to general"),
            ("general", 4, "to general again"),
        ]
        assert [(i["room"], i["seq"], i["body"]) for i in random_items] == [
            ("random", 2, "to random")
        ]
        await client.request({"type": "unsubscribe", "room": "random"})
        await post(bob, "random", "unheard", "r2")
        await post(bob, "general", "heard", "g3")
        assert [(i["room"], i["seq"]) for i in await client.items("general", 1)] == [("general", 5)]
        await client.assert_quiet()


async def test_two_sockets_of_one_user_each_receive_every_item_once(ada, bob, general_with_bob):
    async with connect(ada) as tab1, connect(ada) as tab2:
        await tab1.subscribe("general")
        await tab2.subscribe("general")
        await post(bob, "general", "hi", "c1")
        for tab in (tab1, tab2):
            assert seqs(await tab.items("general", 1)) == [3]
            await tab.assert_quiet()


# -- rooms open to everyone: the first lookup skipped (subscribe._open_rooms) ------------------


def _update_room(slug: str, **fields) -> None:
    room = Room.objects.get(slug=slug)
    for name, value in fields.items():
        setattr(room, name, value)
    services.room_update(room=room, fields=list(fields))


def _delete_room(slug: str) -> None:
    services.room_delete(room=Room.objects.get(slug=slug))


async def test_a_public_room_subscribed_before_costs_one_access_lookup_not_two(ada, bob):
    await make_room(ada, "town")
    async with connect(ada) as first:
        await first.subscribe("town")  # looked up, and remembered as open to everyone
    async with connect(bob) as client:
        with queries_on_all_threads() as queries:
            reply = await client.subscribe("town")
        lookups = [sql for sql in queries.statements if "access_member" in sql]
    assert reply["room"] == "town"
    assert len(lookups) == 1, queries.statements  # the check after the read only


async def test_a_remembered_room_made_private_is_room_not_found_for_a_non_member(ada, bob):
    await make_room(ada, "town")
    async with connect(ada) as first:
        await first.subscribe("town")
    await database_sync_to_async(_update_room)("town", visibility="private")
    async with connect(bob) as client:
        answer = await client.request({"type": "subscribe", "room": "town"})
        assert error_code(answer) == "room_not_found"
        await post(ada, "town", "secret", "c1")
        # Nothing of the room reaches bob: his subscription was abandoned.
        assert [f for f in await client.drain() if f.get("room") == "town"] == []


async def test_a_remembered_slug_of_a_deleted_room_names_the_new_room_made_with_it(
    ada, bob, rate_limits
):
    rate_limits.configure(enabled=False)
    await make_room(ada, "town")
    await post(ada, "town", "old", "c1")
    async with connect(ada) as first:
        await first.subscribe("town")
    await database_sync_to_async(_delete_room)("town")
    await make_room(bob, "town")
    # One read allowed: the subscribe looks the slug up twice but counts once.
    rate_limits.configure(read="1,1/h")
    async with connect(ada) as client:
        reply = await client.subscribe("town")
        assert (reply["last_seq"], usernames(reply["members"])) == (1, ["bob"])
        await post(bob, "town", "new", "c2")
        assert (await client.item("town"))["body"] == "new"
