"""New sockets: a handshake rate per user and per address, and caps on open sockets.

Over any of them the socket is accepted, told `rate_limited` with `retry_after`, and closed with
4429; it was never registered, so it counts against nothing. Anonymous sockets are closed with
4401 before any of this and receive no data.

A socket is checked against the limits after its accept (so that it can be told why), and the
checks of two handshakes in flight may finish in either order (with Redis they run in worker
threads). So a test that means a socket to hold a place first waits until its handshake is done:
a ping answered means the consumer has finished `connect()`.
"""

import pytest

from parley.wire.codes import CloseCode
from tests.support.data import make_user
from tests.support.socket import Socket, connect

pytestmark = pytest.mark.django_db(transaction=True)


async def assert_refused_with_4429(client: Socket) -> dict:
    code, frames = await client.wait_closed()
    assert code == CloseCode.RATE_LIMITED == 4429
    assert len(frames) == 1, frames
    (error,) = frames
    assert error["type"] == "error" and error["code"] == "rate_limited"
    assert error["retry_after"] > 0
    return error


async def test_handshakes_over_the_per_user_rate_are_closed_with_4429(rate_limits):
    rate_limits.configure(connect_user="3,1/m")
    ada = await make_user("ada")
    for _ in range(3):
        async with connect(ada) as client:
            await client.ping_works()
    async with connect(ada) as client:
        error = await assert_refused_with_4429(client)
    assert error["retry_after"] == pytest.approx(60.0)

    rate_limits.advance(60.0)
    async with connect(ada) as client:
        await client.ping_works()


async def test_the_per_user_handshake_rate_does_not_touch_other_users(rate_limits):
    rate_limits.configure(connect_user="1,1/m")
    ada, bob = await make_user("ada"), await make_user("bob")
    async with connect(ada) as client:
        await client.ping_works()
    async with connect(ada) as client:
        await assert_refused_with_4429(client)
    async with connect(bob) as client:
        await client.ping_works()


async def test_handshakes_over_the_per_address_rate_are_closed_with_4429(rate_limits):
    rate_limits.configure(connect_address="2,1/m")
    users = [await make_user(f"user{n}") for n in range(4)]
    async with connect(users[0], address="198.51.100.7") as client:
        await client.ping_works()
    async with connect(users[1], address="198.51.100.7") as client:
        await client.ping_works()
    async with connect(users[2], address="198.51.100.7") as client:
        await assert_refused_with_4429(client)
    async with connect(users[3], address="198.51.100.8") as client:
        await client.ping_works()


async def test_open_sockets_per_user_are_capped(rate_limits):
    rate_limits.configure(MAX_SOCKETS_PER_USER=3)
    ada = await make_user("ada")
    async with (
        connect(ada) as first,
        connect(ada, address="192.0.2.11") as second,
        connect(ada, address="192.0.2.12") as third,
    ):
        for client in (first, second, third):
            await client.ping_works()  # all three hold their places
        async with connect(ada, address="192.0.2.13") as fourth:
            await assert_refused_with_4429(fourth)
        for client in (first, second, third):
            await client.ping_works()
    # Closed sockets free their places.
    async with connect(ada) as again:
        await again.ping_works()


async def test_open_sockets_per_address_are_capped(rate_limits):
    rate_limits.configure(MAX_SOCKETS_PER_ADDRESS=2)
    ada, bob, cyd = await make_user("ada"), await make_user("bob"), await make_user("cyd")
    async with (
        connect(ada, address="203.0.113.5") as a,
        connect(bob, address="203.0.113.5") as b,
    ):
        for client in (a, b):
            await client.ping_works()  # both hold their places
        async with connect(cyd, address="203.0.113.5") as refused:
            await assert_refused_with_4429(refused)
        async with connect(cyd, address="203.0.113.6") as elsewhere:
            await elsewhere.ping_works()
        await a.ping_works()


async def test_a_refused_socket_does_not_take_a_place(rate_limits):
    rate_limits.configure(MAX_SOCKETS_PER_USER=1)
    ada = await make_user("ada")
    async with connect(ada) as first:
        await first.ping_works()  # holds the one place
        for _ in range(3):
            async with connect(ada) as refused:
                await assert_refused_with_4429(refused)
        await first.ping_works()
    async with connect(ada) as next_one:
        await next_one.ping_works()


async def test_anonymous_sockets_get_4401_and_no_data_before_any_limit(rate_limits):
    rate_limits.configure(connect_address="1,1/m", MAX_SOCKETS_PER_ADDRESS=1)
    ada = await make_user("ada")
    async with connect(ada, address="192.0.2.99") as signed_in:
        await signed_in.ping_works()  # holds the address's one place and handshake
        for _ in range(3):
            async with connect(None, address="192.0.2.99") as anonymous:
                code, frames = await anonymous.wait_closed()
                assert (code, frames) == (CloseCode.UNAUTHENTICATED, [])
        await signed_in.ping_works()


async def test_limits_off_lifts_the_caps_and_the_handshake_rates(rate_limits):
    rate_limits.configure(
        enabled=False, connect_user="1,1/m", connect_address="1,1/m", MAX_SOCKETS_PER_USER=1
    )
    ada = await make_user("ada")
    async with connect(ada) as first, connect(ada) as second, connect(ada) as third:
        for client in (first, second, third):
            await client.ping_works()


async def test_handshakes_with_made_up_session_cookies_count_per_address_before_any_lookup(
    rate_limits, monkeypatch, settings
):
    """Random session cookies cost a database query each: past the address's handshake limit
    they are refused (4429) without one."""
    from parley.realtime import auth

    rate_limits.configure(connect_address="3,1/m")
    lookups = []
    real_lookup = auth._session_user

    async def counted_lookup(session_key):
        lookups.append(session_key)
        return await real_lookup(session_key)

    monkeypatch.setattr(auth, "_session_user", counted_lookup)
    for n in range(5):
        cookie = f"{settings.SESSION_COOKIE_NAME}=made-up-{n:032d}".encode()
        async with connect(cookie=cookie, address="192.0.2.66") as client:
            code, frames = await client.wait_closed()
        if n < 3:
            assert (code, frames) == (CloseCode.UNAUTHENTICATED, [])
        else:
            assert code == CloseCode.RATE_LIMITED
            assert [frame["code"] for frame in frames] == ["rate_limited"]
    assert len(lookups) == 3
    # Another address is not slowed down.
    ada = await make_user("ada")
    async with connect(ada, address="192.0.2.67") as client:
        await client.ping_works()
