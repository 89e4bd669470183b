"""The WebSocket handshake's session lookup (parley.realtime.auth): Django's rules, read once."""

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import (
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from parley.accounts import sessions as parley_sessions
from parley.accounts.sessions import SessionStore as ParleySessionStore
from parley.realtime.auth import (
    SessionAuthMiddleware,
    session_cookie,
)
from tests.factories import UserFactory
from tests.support.queries import queries_on_all_threads
from tests.support.sessions import session_cookie_for, session_key_of
from tests.support.socket import ORIGIN, TIMEOUT

NAME = settings.SESSION_COOKIE_NAME


def test_the_session_cookie_is_found_among_others_and_in_any_cookie_header():
    assert session_cookie({"headers": [(b"cookie", f"a=1; {NAME}=abc; b=2".encode())]}) == "abc"
    headers = [(b"cookie", b"theme=dark"), (b"host", b"x"), (b"cookie", f"{NAME}=k2".encode())]
    assert session_cookie({"headers": headers}) == "k2"
    assert session_cookie({"headers": [(b"cookie", b"theme=dark")]}) is None
    assert session_cookie({"headers": [(b"cookie", f"{NAME}=".encode())]}) is None
    assert session_cookie({"headers": []}) is None


@pytest.mark.django_db(transaction=True)
async def test_the_middleware_puts_user_and_session_key_in_a_copy_of_the_scope(user_factory):
    ada = await database_sync_to_async(user_factory)(username="ada")
    cookie = await database_sync_to_async(session_cookie_for)(ada)
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    scope = {"type": "websocket", "headers": [(b"cookie", cookie)]}
    await SessionAuthMiddleware(app)(scope, None, None)
    assert seen[0]["user"] == ada and seen[0]["session_key"] == session_key_of(cookie)
    assert seen[0]["session_expires_at"] > time.time()
    assert "session" not in seen[0] and "user" not in scope  # no session object; scope copied
    await SessionAuthMiddleware(app)({"type": "websocket", "headers": []}, None, None)
    assert not seen[1]["user"].is_authenticated and seen[1]["session_key"] is None
    assert seen[1]["session_expires_at"] is None


@pytest.mark.django_db
def test_the_session_engine_reads_django_s_sessions_and_only_unexpired_ones(user_factory):
    ada = user_factory(username="ada")
    key = session_key_of(session_cookie_for(ada))
    assert ParleySessionStore(key).load()[SESSION_KEY] == str(ada.pk)
    assert ParleySessionStore("no-such-session-key-0123456789").load() == {}
    session = SessionStore(key)
    session.set_expiry(-1)  # expired a second ago
    session.save()
    reader = ParleySessionStore(key)
    assert reader.load() == {} and reader.session_key is None


@pytest.mark.django_db
def test_expiry_dates_are_those_of_the_unexpired_sessions_read_in_batches(
    user_factory, monkeypatch
):
    monkeypatch.setattr(parley_sessions, "EXPIRY_BATCH", 2)
    ada = user_factory(username="ada")
    keys = [session_key_of(session_cookie_for(ada)) for _ in range(3)]
    past = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(session_key=keys[0]).update(expire_date=past)

    dates = parley_sessions.session_expiry_dates([*keys, "no-such-session-key-0123456789"])

    assert set(dates) == {keys[1], keys[2]}
    assert dates[keys[1]] == Session.objects.get(session_key=keys[1]).expire_date


# -- handshakes that arrive together ---------------------------------------------------------

AT_ONCE = 30


def _lookup_statements(queries) -> list[str]:
    """The statements that read or write sessions or users."""
    tables = (Session._meta.db_table, get_user_model()._meta.db_table)
    return [sql for sql in queries.statements if any(table in sql for table in tables)]


async def _handshake(cookie: bytes, address: str) -> WebsocketCommunicator:
    from config.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"cookie", cookie)])
    communicator.scope["client"] = (address, 50_000)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_handshakes_at_once_look_their_sessions_up_in_a_few_queries():
    people = await database_sync_to_async(lambda: UserFactory.create_batch(AT_ONCE))()
    cookies = await database_sync_to_async(lambda: [session_cookie_for(u) for u in people])()

    with queries_on_all_threads() as queries:
        sockets = await asyncio.gather(
            *(_handshake(cookie, f"192.0.2.{n}") for n, cookie in enumerate(cookies, 1))
        )
    for socket in sockets:
        await socket.disconnect(timeout=TIMEOUT)

    # Two per handshake, one at a time (60): now one query for the sessions and one for the
    # users per batch; a batch starts while others arrive, and the next takes all who waited.
    assert len(_lookup_statements(queries)) <= 4, queries.listing()


@pytest.mark.django_db(transaction=True)
async def test_handshakes_at_once_are_each_signed_in_as_their_own_session_says():
    people = await database_sync_to_async(lambda: UserFactory.create_batch(5))()
    cookies = await database_sync_to_async(lambda: [session_cookie_for(u) for u in people])()
    made_up = f"{NAME}=made-up-{0:032d}".encode()
    # Two tabs of one browser open at once: the same cookie twice.
    handshakes = [*cookies, cookies[0], made_up]
    seen: dict[bytes, list] = {}

    def app_for(cookie):
        async def app(scope, receive, send):
            seen.setdefault(cookie, []).append(scope)

        return app

    await asyncio.gather(
        *(
            SessionAuthMiddleware(app_for(cookie))(
                {"type": "websocket", "headers": [(b"cookie", cookie)]}, None, None
            )
            for cookie in handshakes
        )
    )

    for person, cookie in zip(people, cookies, strict=True):
        for scope in seen[cookie]:
            assert scope["user"] == person and scope["session_key"] == session_key_of(cookie)
    twins = [scope["user"] for scope in seen[cookies[0]]]
    assert len(twins) == 2 and twins[0] is not twins[1]  # each socket its own user object
    (stranger,) = seen[made_up]
    assert not stranger["user"].is_authenticated and stranger["session_key"] is None
