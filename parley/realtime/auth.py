"""Who a WebSocket belongs to: the Django session its cookie names, read once at the handshake.

Channels' `AuthMiddlewareStack` does this with three middlewares (cookies, session, user), each
of which keeps its own copy of the scope for the life of the socket, keeps the session object,
and wraps every outgoing frame to save the session if it changed. A chat socket never changes
its session, and those copies and that check cost ~2 KiB per open socket and ~9% of the
event loop's time in a fan-out (docs/performance.md). `SessionAuthMiddleware` puts the same
answer in the scope once:

- `scope["user"]`: the signed-in user, or AnonymousUser. The rules are Django's own
  (`django.contrib.auth.get_user`): the session's backend must still be configured and its
  auth hash must match the user's (a password change signs other sessions out); a session
  verified with a fallback secret is re-hashed and saved, as Django does on HTTP.
- `scope["session_key"]`: the session's key (None when signed out), which names the sockets
  to close when that session ends (parley.realtime.hub, USER_SESSIONS_ENDED).
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie

from parley.realtime.database import database_call


class _SessionHolder:
    """The one attribute of a request that `django.contrib.auth.get_user` reads."""

    __slots__ = ("session",)

    def __init__(self, session) -> None:
        self.session = session


def session_cookie(scope) -> str | None:
    """The session key in the handshake's Cookie header(s), if any."""
    name = settings.SESSION_COOKIE_NAME
    for header, value in scope.get("headers", ()):
        if header == b"cookie":
            key = parse_cookie(value.decode("latin-1")).get(name)
            if key:
                return key
    return None


def session_user(session_key: str | None):
    """(session key, user) for a session key from a cookie: AnonymousUser unless it names a
    valid signed-in session. Runs in the database thread."""
    if not session_key:
        return None, AnonymousUser()
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(_SessionHolder(session))
    if not user.is_authenticated:
        return None, user
    if session.modified:  # verified with a fallback secret: Django re-hashed it
        session.save()
    return session.session_key, user


_session_user = database_call(session_user)


class SessionAuthMiddleware:
    """ASGI middleware for WebSockets: `scope["user"]` and `scope["session_key"]` (see above)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        session_key, user = await _session_user(session_cookie(scope))
        return await self.app(dict(scope, user=user, session_key=session_key), receive, send)
