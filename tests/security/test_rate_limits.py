"""Rate limits on the socket, through the real ASGI application.

Sends: a burst of 20, then 5 a second (PARLEY_RATE_SEND). A refused frame gets `rate_limited`
with `retry_after` and changes nothing; the socket stays open, until a client ignores 20
refusals in a row (4429). Joins and leaves, and room look-ups, have limits of their own.
"""

import pytest

from parley.wire.codes import CloseCode
from tests.support.data import join, make_room, make_user, stored_messages
from tests.support.socket import connect, error_code

pytestmark = pytest.mark.django_db(transaction=True)

SEND_BURST = 20
SEND_INTERVAL = 0.2  # 5 a second


def send(n: int, *, room: str = "general", prefix: str = "m") -> dict:
    return {"type": "send", "room": room, "body": f"{prefix} {n}", "client_id": f"{prefix}-{n}"}


async def send_many(client, count: int, *, room="general", prefix="m", start=0) -> list[dict]:
    """Send `count` messages one after the other; the reply (ack or error) to each."""
    return [
        await client.request(send(n, room=room, prefix=prefix)) for n in range(start, start + count)
    ]


def acked(replies: list[dict]) -> list[str]:
    return [reply["client_id"] for reply in replies if reply["type"] == "ack"]


def refused(replies: list[dict]) -> list[dict]:
    return [reply for reply in replies if reply["type"] == "error"]


async def test_a_burst_over_the_send_limit_is_refused_with_retry_after_and_not_stored(
    rate_limits, ada, general
):
    async with connect(ada) as client:
        replies = await send_many(client, 25)
        await client.ping_works()

    assert acked(replies) == [f"m-{n}" for n in range(SEND_BURST)]
    errors = refused(replies)
    assert [error["code"] for error in errors] == ["rate_limited"] * 5
    for error in errors:
        assert isinstance(error["retry_after"], int | float)
        assert error["retry_after"] == pytest.approx(SEND_INTERVAL)
    # Every acked message is stored, and nothing else.
    assert [item.client_id for item in await stored_messages("general")] == acked(replies)


async def test_the_send_limit_refills_at_five_a_second(rate_limits, ada, general):
    async with connect(ada) as client:
        assert len(acked(await send_many(client, SEND_BURST))) == SEND_BURST
        rate_limits.advance(1.0)
        replies = await send_many(client, 6, start=100)

    assert acked(replies) == [f"m-{n}" for n in range(100, 105)]
    assert error_code(replies[5]) == "rate_limited"


async def test_retry_after_is_when_the_next_send_passes(rate_limits, ada, general):
    async with connect(ada) as client:
        await send_many(client, SEND_BURST)
        first = await client.request(send(100))
        wait = first["retry_after"]
        rate_limits.advance(wait - 0.01)
        early = await client.request(send(101))
        rate_limits.advance(0.01)
        on_time = await client.request(send(102))

    assert error_code(first) == error_code(early) == "rate_limited"
    assert early["retry_after"] == pytest.approx(0.01)
    assert on_time["type"] == "ack"


async def test_resending_an_acked_client_id_gets_its_ack_and_does_not_count(
    rate_limits, ada, general
):
    async with connect(ada) as client:
        originals = await send_many(client, SEND_BURST - 1)
        resends = [await client.request(send(0)) for _ in range(10)]
        last = await client.request(send(SEND_BURST - 1))
        over = await client.request(send(SEND_BURST))

    for resend in resends:
        assert resend["type"] == "ack"
        assert (resend["seq"], resend["id"]) == (originals[0]["seq"], originals[0]["id"])
    assert last["type"] == "ack"
    assert error_code(over) == "rate_limited"
    assert len(await stored_messages("general")) == SEND_BURST


async def test_refused_sends_count_and_rate_limited_comes_before_room_checks(
    rate_limits, ada, general
):
    bob = await make_user("bob")
    await make_room(ada, "secret", visibility="private")
    async with connect(bob) as client:
        # Not a member: forbidden, but each one counts.
        forbidden = await send_many(client, SEND_BURST)
        after_burst = [
            await client.request(send(1, room="general")),
            await client.request(send(2, room="secret")),
            await client.request(send(3, room="no-such-room")),
            await client.request({**send(4), "body": ""}),
        ]

    assert {error_code(reply) for reply in forbidden} == {"forbidden"}
    assert [error_code(reply) for reply in after_burst] == ["rate_limited"] * 4


async def test_bad_frame_unknown_type_and_too_large_come_before_rate_limited(
    rate_limits, ada, general
):
    async with connect(ada) as client:
        await send_many(client, SEND_BURST)
        replies = [
            await client.request(
                {"type": "send", "room": "general", "body": 123, "client_id": "x"}
            ),
            await client.request({"type": "shout", "room": "general"}),
            await client.request({**send(100), "body": "x" * 70_000}),
            await client.request(send(101)),
        ]

    codes = [error_code(reply) for reply in replies]
    assert codes == ["bad_frame", "unknown_type", "too_large", "rate_limited"]


async def test_subscribe_history_and_ping_are_not_limited_by_the_send_limit(
    rate_limits, ada, general
):
    async with connect(ada) as client:
        await send_many(client, SEND_BURST)
        assert error_code(await client.request(send(100))) == "rate_limited"
        for _ in range(30):
            await client.ping_works()
        subscribed = await client.subscribe("general", after=0)
        history = await client.request({"type": "history", "room": "general", "limit": 200})

    assert subscribed["last_seq"] == SEND_BURST + 1
    assert len(history["items"]) == SEND_BURST + 1


async def test_one_users_flood_does_not_limit_another(rate_limits, ada, general):
    bob = await make_user("bob")
    await join(bob, "general")
    async with connect(ada) as flooder, connect(bob) as other:
        await send_many(flooder, SEND_BURST + 5)
        replies = await send_many(other, SEND_BURST, prefix="bob")

    assert len(acked(replies)) == SEND_BURST


async def test_joins_and_leaves_share_a_limit_of_their_own(rate_limits, ada, general):
    bob = await make_user("bob")
    async with connect(bob) as client:
        replies = [
            await client.request({"type": "join" if n % 2 == 0 else "leave", "room": "general"})
            for n in range(12)
        ]
        still_sends = await client.request(send(1, prefix="bob"))

    assert [reply["type"] for reply in replies[:10]] == ["joined", "left"] * 5
    assert [error_code(reply) for reply in replies[10:]] == ["rate_limited"] * 2
    assert all(reply["retry_after"] > 0 for reply in replies[10:])
    # The two refused frames (a join, then a leave) changed nothing: bob is not a member.
    assert error_code(still_sends) == "forbidden"


async def test_a_refused_join_of_a_hidden_room_is_rate_limited_not_room_not_found(
    rate_limits, ada, general
):
    rate_limits.configure(membership="1,1/m")
    bob = await make_user("bob")
    await make_room(ada, "secret", visibility="private")
    async with connect(bob) as client:
        first = await client.request({"type": "join", "room": "secret"})
        second = await client.request({"type": "join", "room": "secret"})

    assert (error_code(first), error_code(second)) == ("room_not_found", "rate_limited")


async def test_room_look_ups_have_a_limit_of_their_own(rate_limits, ada, general):
    rate_limits.configure(read="3,1/s")
    async with connect(ada) as client:
        replies = [
            await client.request({"type": "history", "room": "general"}),
            await client.request({"type": "subscribe", "room": "general"}),
            await client.request({"type": "unsubscribe", "room": "no-such-room"}),
            await client.request({"type": "history", "room": "general"}),
        ]
        sends = await client.request(send(1))
        rate_limits.advance(1.0)
        later = await client.request({"type": "history", "room": "general"})

    assert [reply["type"] for reply in replies[:3]] == ["history", "subscribed", "error"]
    assert error_code(replies[2]) == "room_not_found"
    assert error_code(replies[3]) == "rate_limited"
    assert sends["type"] == "ack"
    assert later["type"] == "history"


async def test_a_client_that_keeps_sending_after_20_refusals_is_closed_with_4429(
    rate_limits, ada, general
):
    async with connect(ada) as client:
        await send_many(client, SEND_BURST)
        refusals = await send_many(client, 20, start=100)
        await client.ping_works()  # still open; a ping neither counts nor forgives
        await client.send(send(200))
        code, frames = await client.wait_closed()

    assert [error_code(reply) for reply in refusals] == ["rate_limited"] * 20
    assert code == CloseCode.RATE_LIMITED == 4429
    assert frames == []
    assert len(await stored_messages("general")) == SEND_BURST


async def test_a_client_that_waits_as_told_is_never_closed(rate_limits, ada, general):
    async with connect(ada) as client:
        await send_many(client, SEND_BURST)
        for round_ in range(3):
            refusals = await send_many(client, 15, start=100 * (round_ + 1))
            assert {error_code(reply) for reply in refusals} == {"rate_limited"}
            rate_limits.advance(refusals[-1]["retry_after"])
            assert (await client.request(send(1000 + round_)))["type"] == "ack"
        await client.ping_works()


async def test_the_number_of_refusals_before_the_close_is_configurable(rate_limits, ada, general):
    rate_limits.configure(send="1,1/m", MAX_STRIKES=2)
    async with connect(ada) as client:
        assert (await client.request(send(0)))["type"] == "ack"
        refusals = await send_many(client, 2, start=1)
        await client.send(send(3))
        code, _ = await client.wait_closed()

    assert [error_code(reply) for reply in refusals] == ["rate_limited"] * 2
    assert code == CloseCode.RATE_LIMITED


async def test_rate_limits_off_lets_a_burst_of_100_through(rate_limits, ada, general):
    rate_limits.configure(enabled=False)
    async with connect(ada) as client:
        replies = await send_many(client, 100)

    assert len(acked(replies)) == 100
    assert len(await stored_messages("general")) == 100


async def test_the_send_limit_follows_its_setting(rate_limits, ada, general):
    rate_limits.configure(send="3,1/s")
    async with connect(ada) as client:
        replies = await send_many(client, 4)

    assert len(acked(replies)) == 3
    assert replies[3]["retry_after"] == pytest.approx(1.0)
