"""Sockets opened with an access token (`Authorization: Bearer`): no cookie and no Origin needed,
a bad token refused at the handshake (401 where the server can say it), revoking closes 4403."""

import json
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from parley.accounts.tokens import token_create, token_revoke
from parley.realtime.hub import get_hub
from parley.wire.codes import CloseCode
from tests.support.data import make_room, make_user
from tests.support.socket import connect

pytestmark = pytest.mark.django_db(transaction=True)

FOREIGN_ORIGIN = (b"origin", b"https://evil.example")


def bearer(raw: str) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", f"Bearer {raw}".encode())]


async def new_token(user, name: str = "CI"):
    return await database_sync_to_async(token_create)(user=user, name=name)


async def deactivate(user) -> None:
    def run():
        user.is_active = False
        user.save()

    await database_sync_to_async(run)()


async def test_a_token_opens_a_socket_as_its_user_without_cookie_or_origin():
    ada = await make_user("ada")
    await make_room(ada, "secret", visibility="private")
    _, raw = await new_token(ada)
    async with connect(None, origin=None, headers=bearer(raw)) as socket:
        subscribed = await socket.subscribe("secret")  # ada's private room: only she sees it
        assert subscribed["room"] == "secret"


async def test_a_token_socket_is_not_refused_for_a_foreign_origin():
    """The token is not ambient (a page cannot add it), so the Origin does not matter."""
    ada = await make_user("ada")
    _, raw = await new_token(ada)
    async with connect(None, origin=FOREIGN_ORIGIN, headers=bearer(raw)) as socket:
        await socket.ping_works()


async def test_another_authorization_scheme_is_no_way_past_the_origin_check():
    ada = await make_user("ada")
    basic = [(b"authorization", b"Basic YWRhOnMzY3JldA==")]
    async with connect(ada, origin=FOREIGN_ORIGIN, headers=basic, accepted=False):
        pass


def _bad_tokens(raw: str) -> list[str]:
    return ["", "nonsense", raw[:-1] + ("A" if raw[-1] != "A" else "B"), raw + "\x00", "x" * 10_240]


async def test_bad_tokens_are_refused_at_the_handshake_even_with_a_valid_cookie():
    ada = await make_user("ada")
    _, raw = await new_token(ada)
    for bad in _bad_tokens(raw):
        headers = [(b"authorization", b"Bearer " + bad.encode("latin-1"))]
        async with connect(ada, headers=headers, accepted=False) as socket:
            assert socket.accepted is False


async def test_a_bad_token_gets_http_401_with_a_json_error_where_the_server_offers_it():
    from config.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/", headers=bearer("parley_nope"))
    communicator.scope["extensions"] = {"websocket.http.response": {}}
    await communicator.send_input({"type": "websocket.connect"})
    start = await communicator.receive_output(timeout=5)
    body = await communicator.receive_output(timeout=5)
    await communicator.wait(timeout=5)
    assert start["type"] == "websocket.http.response.start"
    assert start["status"] == 401
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"www-authenticate"].startswith(b"Bearer")
    assert body["type"] == "websocket.http.response.body"
    assert json.loads(body["body"])["error"]["code"] == "unauthenticated"


async def test_a_revoked_token_is_refused():
    ada = await make_user("ada")
    row, raw = await new_token(ada)
    await database_sync_to_async(token_revoke)(token=row, by=ada)
    async with connect(None, origin=None, headers=bearer(raw), accepted=False):
        pass


async def test_a_deactivated_users_token_is_refused():
    ada = await make_user("ada")
    _, raw = await new_token(ada)
    await deactivate(ada)
    async with connect(None, origin=None, headers=bearer(raw), accepted=False):
        pass


async def test_revoking_a_token_closes_its_open_sockets_with_4403_and_no_others():
    ada = await make_user("ada")
    row, raw = await new_token(ada, "bot")
    _, other = await new_token(ada, "other bot")
    async with (
        connect(None, origin=None, headers=bearer(raw)) as first,
        connect(None, origin=None, headers=bearer(raw)) as second,
        connect(None, origin=None, headers=bearer(other)) as other_token,
        connect(ada) as browser,
    ):
        await first.ping_works()
        await second.ping_works()
        await database_sync_to_async(token_revoke)(token=row, by=ada)
        assert (await first.wait_closed())[0] == CloseCode.SESSION_ENDED == 4403
        assert (await second.wait_closed())[0] == 4403
        await other_token.ping_works()
        await browser.ping_works()
        await browser.assert_quiet()  # the revocation's close has passed it by
        await other_token.ping_works()


async def test_deactivating_the_user_closes_their_token_sockets_with_4403():
    ada = await make_user("ada")
    _, raw = await new_token(ada)
    async with connect(None, origin=None, headers=bearer(raw)) as socket:
        await socket.ping_works()
        await deactivate(ada)
        assert (await socket.wait_closed())[0] == CloseCode.SESSION_ENDED


async def test_a_token_socket_never_expires_like_a_session():
    ada = await make_user("ada")
    row, raw = await new_token(ada)
    async with connect(None, origin=None, headers=bearer(raw)) as socket:
        await socket.ping_works()
        hub = await get_hub()
        far_future = time.time() + 10 * 365 * 86400
        assert f"token:{row.pk}" not in hub.sessions.due(far_future)
        hub.clock = lambda: far_future
        await hub.end_expired_sessions()
        await socket.ping_works()


async def test_token_handshakes_count_against_the_address_limit(rate_limits):
    rate_limits.configure(connect_address="2,1/m")
    ada = await make_user("ada")
    _, raw = await new_token(ada)
    address = "198.51.100.40"
    # A bad token costs a lookup too: it counts.
    async with connect(
        None, origin=None, headers=bearer(raw[:-2]), address=address, accepted=False
    ) as bad:
        assert bad.accepted is False
    async with connect(None, origin=None, headers=bearer(raw), address=address) as ok:
        await ok.ping_works()
    async with connect(None, origin=None, headers=bearer(raw), address=address) as over:
        code, frames = await over.wait_closed()
        assert code == CloseCode.RATE_LIMITED
        assert [frame["code"] for frame in frames] == ["rate_limited"]
    async with connect(None, origin=None, headers=bearer(raw), address="198.51.100.41") as other:
        await other.ping_works()
