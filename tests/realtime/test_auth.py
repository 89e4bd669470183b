"""The WebSocket handshake's session lookup (parley.realtime.auth): Django's rules, read once."""

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

from parley.realtime.auth import SessionAuthMiddleware, session_cookie, session_user
from tests.conftest import session_cookie_for

NAME = settings.SESSION_COOKIE_NAME


def test_the_session_cookie_is_found_among_others_and_in_any_cookie_header():
    assert session_cookie({"headers": [(b"cookie", f"a=1; {NAME}=abc; b=2".encode())]}) == "abc"
    headers = [(b"cookie", b"theme=dark"), (b"host", b"x"), (b"cookie", f"{NAME}=k2".encode())]
    assert session_cookie({"headers": headers}) == "k2"
    assert session_cookie({"headers": [(b"cookie", b"theme=dark")]}) is None
    assert session_cookie({"headers": [(b"cookie", f"{NAME}=".encode())]}) is None
    assert session_cookie({"headers": []}) is None


def _key(cookie: bytes) -> str:
    return cookie.decode().split("=", 1)[1]


@pytest.mark.django_db
def test_a_valid_session_gives_its_user_and_key(user_factory):
    ada = user_factory(username="ada")
    key = _key(session_cookie_for(ada))
    assert session_user(key) == (key, ada)


@pytest.mark.django_db
def test_unknown_empty_or_stale_sessions_are_anonymous(user_factory):
    ada = user_factory(username="ada")
    for key in (None, "", "no-such-session-key-0123456789"):
        found_key, user = session_user(key)
        assert found_key is None and not user.is_authenticated
    key = _key(session_cookie_for(ada))
    ada.set_password("a-new-password-42")  # the session's auth hash no longer matches
    ada.save()
    found_key, user = session_user(key)
    assert found_key is None and not user.is_authenticated
    assert not SessionStore().exists(key)  # flushed, as Django does on HTTP


@pytest.mark.django_db
def test_a_session_hashed_with_a_fallback_secret_is_accepted_and_rehashed(user_factory):
    ada = user_factory(username="ada")
    with override_settings(SECRET_KEY="old-secret-" + "x" * 50):
        old_hash = ada.get_session_auth_hash()
        key = _key(session_cookie_for(ada))
    with override_settings(
        SECRET_KEY="new-secret-" + "y" * 50, SECRET_KEY_FALLBACKS=["old-secret-" + "x" * 50]
    ):
        found_key, user = session_user(key)
        assert user == ada and found_key is not None
        stored = SessionStore(found_key).load()
        assert stored[HASH_SESSION_KEY] == ada.get_session_auth_hash() != old_hash


@pytest.mark.django_db(transaction=True)
async def test_the_middleware_puts_user_and_session_key_in_a_copy_of_the_scope(user_factory):
    ada = await database_sync_to_async(user_factory)(username="ada")
    cookie = await database_sync_to_async(session_cookie_for)(ada)
    seen = []

    async def app(scope, receive, send):
        seen.append(scope)

    scope = {"type": "websocket", "headers": [(b"cookie", cookie)]}
    await SessionAuthMiddleware(app)(scope, None, None)
    assert seen[0]["user"] == ada and seen[0]["session_key"] == _key(cookie)
    assert "session" not in seen[0] and "user" not in scope  # no session object; scope copied
    await SessionAuthMiddleware(app)({"type": "websocket", "headers": []}, None, None)
    assert not seen[1]["user"].is_authenticated and seen[1]["session_key"] is None
