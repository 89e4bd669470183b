"""Typing indicators through the real ASGI application: who gets them, who does not, the
throttle, and that nothing is stored or acked."""

import asyncio

import pytest

from parley.realtime.connection import Connection, Subscription
from parley.realtime.hub import get_hub
from tests.support.clock import FakeClock
from tests.support.data import make_room, stored
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)


def typing(room="general", **fields):
    return {"type": "typing", "room": room, **fields}


async def test_typing_reaches_the_other_subscribers_not_the_typists_own_tabs(people):
    ada, bob, carol = people
    async with (
        connect(ada) as tab1,
        connect(ada) as tab2,
        connect(bob) as bob_tab,
        connect(carol) as carol_tab,  # carol reads the public room: she is no member
    ):
        for client in (tab1, tab2, bob_tab, carol_tab):
            await client.subscribe("general")
        before = await stored("general")
        await tab1.send(typing(ref="t1"))
        for client in (bob_tab, carol_tab):
            frame = await client.wait_for(lambda f: f["type"] == "typing")
            assert frame == {"type": "typing", "room": "general", "user": {"username": "ada"}}
        # Never acked, never echoed to any tab of the typist, never stored.
        await tab1.assert_quiet()
        await tab2.assert_quiet()
        assert await stored("general") == before


async def test_typing_goes_only_to_subscribers_of_that_room(people):
    ada, bob, _ = people
    async with connect(ada) as typist, connect(bob) as elsewhere:
        await elsewhere.subscribe("secret")
        await typist.send(typing("general"))
        await typist.ping_works()  # the typing frame was handled: its notice is published
        await elsewhere.assert_quiet()


async def test_frequent_typing_frames_are_dropped_until_the_interval_passes(people):
    ada, bob, _ = people
    async with connect(ada) as typist, connect(bob) as reader:
        await reader.subscribe("general")
        clock = FakeClock(5_000.0)
        (await get_hub()).typing.clock = clock
        for _ in range(5):
            await typist.send(typing())
        await typist.ping_works()  # every typing frame has been handled
        assert (await reader.wait_for(lambda f: f["type"] == "typing"))["user"]["username"] == "ada"
        await reader.assert_quiet()
        clock.now += 2.0  # TYPING_MIN_INTERVAL_SECONDS
        await typist.send(typing())
        await reader.wait_for(lambda f: f["type"] == "typing")


async def test_a_non_member_is_forbidden_and_a_hidden_room_is_not_found(people):
    _, bob, carol = people
    async with connect(carol) as outsider, connect(bob) as reader:
        await reader.subscribe("general")
        assert error_code(await outsider.request(typing("general"))) == "forbidden"
        # A refused frame does not count towards the throttle: the next is refused as well.
        assert error_code(await outsider.request(typing("general"))) == "forbidden"
        assert error_code(await outsider.request(typing("secret"))) == "room_not_found"
        assert error_code(await outsider.request(typing("nowhere"))) == "room_not_found"
        assert error_code(await outsider.request({"type": "typing", "room": 7})) == "bad_frame"
        assert error_code(await outsider.request({"type": "typing"})) == "bad_frame"
        await reader.assert_quiet()
        await outsider.ping_works()


async def test_typing_is_not_counted_by_the_send_limit_but_by_the_read_limit(people, rate_limits):
    ada, _, _ = people
    await make_room(ada, "random")
    rate_limits.configure(send="1,1/m", read="2,1/m")
    async with connect(ada) as client:
        await client.send(typing("general"))
        await client.send(typing("random"))
        ack = await client.request(
            {"type": "send", "room": "general", "body": "hi", "client_id": "c1"}
        )
        assert ack["type"] == "ack"  # the send limit's one token was left for the message
        # The two typing frames took the read limit's burst of 2 (a third room: not throttled).
        await make_room(ada, "third")
        assert error_code(await client.request(typing("third"))) == "rate_limited"


async def test_a_socket_far_behind_is_spared_typing_frames_first():
    sent: list[str] = []
    release, all_sent = asyncio.Event(), asyncio.Event()

    async def send(frame: str) -> None:
        await release.wait()
        sent.append(frame)
        if len(sent) == 5:
            all_sent.set()

    async def close(code: int) -> None:
        pass

    conn = Connection(
        user_id=1, username="bob", is_staff=False, session_key=None,
        send=send, close=close, max_queued=1000,
    )  # fmt: skip
    conn.subscriptions[7] = Subscription(room_id=7, slug="ops", buffer=None)
    for seq in range(1, 4):
        conn.deliver(7, seq, f"item{seq}")
    assert not conn.deliver_ephemeral(7, "typing", sheddable=True, shed_above=2)
    assert conn.deliver_ephemeral(7, "presence", sheddable=False, shed_above=2)
    assert conn.deliver_ephemeral(7, "typing-ok", sheddable=True, shed_above=10)
    release.set()
    await asyncio.wait_for(all_sent.wait(), 5)
    assert sent == ["item1", "item2", "item3", "presence", "typing-ok"]
    conn.stop()
