"""The WebSocket handshake's session lookup (parley.realtime.auth): Django's rules, read once."""

import asyncio
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone

from parley.accounts import sessions as parley_sessions
from parley.accounts.sessions import SessionStore as ParleySessionStore
from parley.realtime.auth import (
    SessionAuthMiddleware,
    session_cookie,
    session_user,
    signed_in_user,
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


@pytest.mark.django_db
def test_a_valid_session_gives_its_user_and_key(user_factory):
    ada = user_factory(username="ada")
    key = session_key_of(session_cookie_for(ada))
    found = session_user(key)
    assert (found.session_key, found.user) == (key, ada)
    # When the session expires, as stored: its sockets are closed then (session_expiry.py).
    assert found.expires_at == Session.objects.get(session_key=key).expire_date.timestamp()


@pytest.mark.django_db
def test_unknown_empty_or_stale_sessions_are_anonymous(user_factory):
    ada = user_factory(username="ada")
    for key in (None, "", "no-such-session-key-0123456789"):
        found_key, user, expires_at = session_user(key)
        assert found_key is None and not user.is_authenticated and expires_at is None
    key = session_key_of(session_cookie_for(ada))
    ada.set_password("a-new-password-42")  # the session's auth hash no longer matches
    ada.save()
    found_key, user, expires_at = session_user(key)
    assert found_key is None and not user.is_authenticated and expires_at is None
    assert not SessionStore().exists(key)  # flushed, as Django does on HTTP


@pytest.mark.django_db
def test_a_session_hashed_with_a_fallback_secret_is_accepted_and_rehashed(user_factory):
    ada = user_factory(username="ada")
    with override_settings(SECRET_KEY="old-secret-" + "x" * 50):
        old_hash = ada.get_session_auth_hash()
        key = session_key_of(session_cookie_for(ada))
    with override_settings(
        SECRET_KEY="new-secret-" + "y" * 50, SECRET_KEY_FALLBACKS=["old-secret-" + "x" * 50]
    ):
        found_key, user, expires_at = session_user(key)
        assert user == ada and found_key is not None
        stored = SessionStore(found_key).load()
        assert stored[HASH_SESSION_KEY] == ada.get_session_auth_hash() != old_hash
        # The expiry date is the new session row's.
        row = Session.objects.get(session_key=found_key)
        assert expires_at == row.expire_date.timestamp()


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


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ALLOW_INACTIVE = "django.contrib.auth.backends.AllowAllUsersModelBackend"
OLD_SECRET, NEW_SECRET = "old-secret-" + "x" * 50, "new-secret-" + "y" * 50


def _signed_in(user, *, backend=MODEL_BACKEND, hashed=True, secret=None) -> str:
    with override_settings(SECRET_KEY=secret or settings.SECRET_KEY):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        if hashed:
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key


SCENARIOS = {
    # name: (how the session is made, what happens to the user before it is read, settings)
    "valid": ({}, None, {}),
    "password changed": ({}, lambda u: (u.set_password("a-new-one-42"), u.save()), {}),
    "no auth hash": ({"hashed": False}, None, {}),
    "inactive user": ({}, lambda u: (setattr(u, "is_active", False), u.save()), {}),
    "deleted user": ({}, lambda u: u.delete(), {}),
    "backend no longer configured": ({"backend": "parley.NoSuchBackend"}, None, {}),
    "fallback secret": (
        {"secret": OLD_SECRET}, None,
        {"SECRET_KEY": NEW_SECRET, "SECRET_KEY_FALLBACKS": [OLD_SECRET]},
    ),
    "another backend (inactive allowed)": (
        {"backend": ALLOW_INACTIVE}, lambda u: (setattr(u, "is_active", False), u.save()),
        {"AUTHENTICATION_BACKENDS": [ALLOW_INACTIVE]},
    ),
}  # fmt: skip


def _outcome(read, user_factory, name) -> tuple:
    """Who a fresh session is signed in as under `read`, and what became of the session."""
    how, change, overrides = SCENARIOS[name]
    user = user_factory()
    user_pk, key = user.pk, _signed_in(user, **how)
    if change is not None:
        change(user)
    with override_settings(**overrides):
        session = ParleySessionStore(key)
        found = read(session)
        if session.modified:
            session.save()
        stored = SessionStore(session.session_key).load() if session.session_key else {}
        return (
            found is not None and found.is_authenticated and found.pk == user_pk,
            SessionStore().exists(key),  # still there under its old key (not flushed, cycled)
            session.session_key is not None and session.session_key != key,  # cycled
            stored.get(HASH_SESSION_KEY) == user.get_session_auth_hash(),  # (re)hashed now
        )


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_handshake_decides_every_session_as_django_s_get_user_does(user_factory, name):
    django_s = _outcome(lambda s: get_user(SimpleNamespace(session=s)), user_factory, name)
    parley_s = _outcome(signed_in_user, user_factory, name)
    assert parley_s == django_s


@pytest.mark.django_db
def test_the_session_engine_reads_django_s_sessions_and_only_unexpired_ones(user_factory):
    ada = user_factory(username="ada")
    key = _signed_in(ada)
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
    keys = [_signed_in(ada) for _ in range(3)]
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

    lookups = _lookup_statements(queries)
    print(f"{len(queries)} statements, {len(lookups)} on sessions and users")
    assert len(lookups) < AT_ONCE, queries.listing()
