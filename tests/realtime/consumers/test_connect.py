"""The handshake and the end of a session: Origin, anonymous sockets, logout."""

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from parley.accounts.changes import SessionsEnded
from parley.core import changes
from parley.wire.codes import CloseCode
from tests.support.data import make_room, make_user, stored_messages
from tests.support.sessions import browser_session
from tests.support.socket import Socket, connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "origin",
    [
        (b"origin", b"http://evil.example"),
        (b"origin", b"http://127.0.0.1.evil.example"),
        (b"origin", b"null"),
        None,
    ],
    ids=["foreign", "suffix-trick", "null", "missing"],
)
async def test_foreign_or_missing_origin_is_refused_at_the_handshake(origin):
    ada = await make_user("ada")
    async with connect(ada, origin=origin, accepted=None) as socket:
        assert socket.accepted is False


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        (b"http://127.0.0.1", None, "ws"),  # no Host header: an allowed host, the default port
        (b"http://localhost:8000", b"localhost:8000", "ws"),
        (b"https://127.0.0.1:8443", b"127.0.0.1:8443", "wss"),
    ],
)
async def test_the_sites_own_origin_with_a_session_is_accepted_and_answers(origin, host, scheme):
    """The Origin is the page's own: scheme, host and port (parley/realtime/origin.py)."""
    ada = await make_user("ada")
    host_header = [] if host is None else [(b"host", host)]
    async with connect(
        ada, origin=(b"origin", origin), headers=host_header, scheme=scheme, accepted=None
    ) as socket:
        assert socket.accepted is True
        await socket.ping_works()


async def test_anonymous_socket_is_accepted_then_closed_4401_without_data():
    async with connect(None, accepted=None) as socket:
        assert socket.accepted is True
        code, frames = await socket.wait_closed()
        assert code == CloseCode.UNAUTHENTICATED == 4401
        assert frames == []


async def test_unknown_session_cookie_is_anonymous():
    cookie = f"{settings.SESSION_COOKIE_NAME}=not-a-real-session".encode()
    async with connect(cookie=cookie) as client:
        code, frames = await client.wait_closed()
        assert (code, frames) == (CloseCode.UNAUTHENTICATED, [])


async def test_anonymous_socket_frames_are_ignored_and_nothing_is_stored():
    ada = await make_user("ada")
    await make_room(ada, "general")
    async with connect(None) as client:
        await client.send({"type": "send", "room": "general", "body": "hi", "client_id": "c"})
        code, frames = await client.wait_closed()
        assert (code, frames) == (4401, [])
        # Nothing after the close: once the application has handled the frame and the
        # disconnect and returned, all it ever sent is in.
        assert await client.end() == []
    assert await stored_messages("general") == []


async def _ended(client: Socket) -> int | None:
    code, _ = await client.wait_closed()
    return code


async def test_session_end_closes_every_socket_of_that_user_with_4403():
    ada = await make_user("ada")
    bob = await make_user("bob")
    await make_room(ada, "general", members=[bob])
    async with connect(ada) as a1, connect(ada) as a2, connect(bob) as b:
        await a1.subscribe("general")
        await b.subscribe("general")
        await database_sync_to_async(changes.emit)(SessionsEnded(ada.pk))
        assert await _ended(a1) == CloseCode.SESSION_ENDED == 4403
        assert await _ended(a2) == 4403
        await b.ping_works()
        await b.assert_quiet()


async def test_logging_out_over_http_closes_that_sessions_sockets_with_4403():
    ada = await make_user("ada")
    bob = await make_user("bob")
    http, cookie = await database_sync_to_async(browser_session)(ada)
    async with (
        connect(cookie=cookie) as tab1,
        connect(cookie=cookie) as tab2,
        connect(ada) as other_session,
        connect(bob) as b,
    ):
        await tab1.ping_works()
        response = await database_sync_to_async(http.post)("/accounts/logout/")
        assert response.status_code == 302
        assert await _ended(tab1) == CloseCode.SESSION_ENDED
        assert await _ended(tab2) == CloseCode.SESSION_ENDED
        # docs/protocol.md: 4403 ends the sockets of the session that logged out.
        await other_session.ping_works()
        await b.ping_works()


async def test_after_logging_out_the_old_cookie_opens_only_anonymous_sockets():
    ada = await make_user("ada")
    http, cookie = await database_sync_to_async(browser_session)(ada)
    await database_sync_to_async(http.post)("/accounts/logout/")
    async with connect(cookie=cookie) as client:
        code, frames = await client.wait_closed()
        assert (code, frames) == (CloseCode.UNAUTHENTICATED, [])


async def test_changing_the_password_closes_the_users_other_sessions_sockets_with_4403():
    ada = await make_user("ada")
    http, cookie = await database_sync_to_async(browser_session)(ada)
    form = {
        "old_password": "s3cret-pass-123",
        "new_password1": "an0ther-Long-passphrase",
        "new_password2": "an0ther-Long-passphrase",
    }
    async with connect(ada) as other_session, connect(cookie=cookie) as same_session:
        await other_session.ping_works()
        response = await database_sync_to_async(http.post)("/accounts/password_change/", form)
        assert response.status_code == 302
        assert await _ended(other_session) == CloseCode.SESSION_ENDED
        # Django keeps the session that changed its own password signed in.
        await same_session.ping_works()
