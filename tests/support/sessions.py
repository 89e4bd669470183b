"""Database sessions as Django's login() makes them, and the Cookie header that carries one."""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client


def session_cookie_for(user) -> bytes:
    """A real database session for `user`, as Django's login() would create."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def session_key_of(cookie: bytes) -> str:
    """The session key in a Cookie header made by `session_cookie_for` (or a test client)."""
    return cookie.decode().split("=", 1)[1]


def session_user_id(cookie: bytes) -> int | None:
    """The id of the user the session in this Cookie header is signed in as, if it exists."""
    user_id = SessionStore(session_key_of(cookie)).load().get(SESSION_KEY)
    return None if user_id is None else int(user_id)


def signed_in_client(user) -> Client:
    """A Django test client signed in as `user` (a browser with a session of its own)."""
    client = Client()
    client.force_login(user)
    return client


def cookie_of(client: Client) -> bytes:
    """The Cookie header a test client's browser would send with its socket's handshake."""
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def browser_session(user) -> tuple[Client, bytes]:
    """A signed-in test client, and the Cookie header its socket would carry."""
    client = signed_in_client(user)
    return client, cookie_of(client)
