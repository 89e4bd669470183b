"""Who a WebSocket belongs to: the Django session its cookie names, read once at the handshake.

Channels' `AuthMiddlewareStack` does this with three middlewares (cookies, session, user), each
of which keeps its own copy of the scope for the life of the socket, keeps the session object,
and wraps every outgoing frame to save the session if it changed. A chat socket never changes
its session, and those copies and that check cost ~2 KiB per open socket and ~9% of the
event loop's time in a fan-out (docs/performance.md). `SessionAuthMiddleware` puts the same
answer in the scope once:

- `scope["user"]`: the signed-in user, or AnonymousUser. The rules are Django's own
  (`django.contrib.auth.get_user`, followed by session_users.py with cheaper reads): the
  session's backend must still be configured and its auth hash must match the user's (a
  password change signs other sessions out); a session verified with a fallback secret is
  re-hashed and saved, as Django does on HTTP. Handshakes that wait at the same time (a
  restart's resuming sockets, a big room's members arriving) look their sessions up together:
  one database call and two queries per batch, not one call and two queries each.
- `scope["session_key"]`: the session's key (None when signed out), which names the sockets
  to close when that session ends (parley.realtime.hub, USER_SESSIONS_ENDED).
- `scope["session_expires_at"]`: when that session expires (Unix time; None if the session
  engine does not say): its sockets are closed then unless it was extended (session_expiry.py).
- `scope["handshake_refused"]`: RateLimited when the client's address opened handshakes too
  fast (None otherwise). A handshake with a session cookie costs a database query, so it counts
  against the address's handshake limit *before* the lookup, and over it nothing is looked up:
  random cookies cannot make the database work faster than the limit. (Without a cookie there
  is nothing to look up: such a handshake is closed with 4401 and counts against nothing.)

A program opens a socket with an access token instead (`Authorization: Bearer <token>`,
parley/accounts/tokens.py). Then the token alone decides, and any cookie is ignored:

- a token that works: its user, and `scope["session_key"]` = "token:<id>", so revoking the
  token closes its sockets with 4403 as a log-out closes a session's (`SessionsEnded`); no
  `session_expires_at` (a token does not run out: its sockets never expire);
- any other token (malformed, unknown, revoked, a deactivated user's): HTTP 401 before the
  handshake completes, with the API's JSON error, where the server offers ASGI's
  `websocket.http.response` extension (uvicorn does, in all three implementations); elsewhere a
  close before accept, which servers answer with 403;
- a token lookup counts against the address's handshake limit exactly as a cookie lookup does
  (over it: accepted, then closed as rate limited, like a cookie's handshake).

A token is no ambient credential (a browser never adds it to a socket by itself, and a page's
`new WebSocket()` cannot set the header), so the Origin check (origin.py) does not apply to it.
"""

from __future__ import annotations

import copy
import json
import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie

from parley.accounts.tokens import token_session_key, token_user
from parley.core import ratelimit
from parley.core.errors import RateLimited, Unauthenticated
from parley.core.types import ASGIApp, Receive, Scope, Send
from parley.realtime.batched_lookup import BatchedLookup
from parley.realtime.database import database_call, database_threads
from parley.realtime.session_users import SESSIONS_PER_BATCH, Handshake, session_users
from parley.wire import frames

events = logging.getLogger("parley.events")


# ASGI's extension for answering a WebSocket handshake with a plain HTTP response.
HTTP_RESPONSE_EXTENSION = "websocket.http.response"


def client_address(scope: Scope) -> str | None:
    """The client's IP address: uvicorn sets it from trusted proxies' headers only."""
    client = scope.get("client")
    address: str | None = client[0] if client else None
    return address


def session_cookie(scope: Scope) -> str | None:
    """The session key in the handshake's Cookie header(s), if any."""
    name = settings.SESSION_COOKIE_NAME
    for header, value in scope.get("headers", ()):
        if header == b"cookie":
            key = parse_cookie(value.decode("latin-1")).get(name)
            if key:
                return key
    return None


def bearer_token(scope: Scope) -> str | None:
    """The token of the handshake's `Authorization: Bearer <token>` header ("" for a Bearer
    header without one); None without such a header (none, or another scheme such as Basic)."""
    for header, value in scope.get("headers", ()):
        if header == b"authorization":
            text: str = value.decode("latin-1")
            scheme, _, token = text.partition(" ")
            if scheme.lower() == "bearer":
                return token.strip(" ")
            return None
    return None


def token_handshake(token: str) -> Handshake | None:
    """Who a bearer token signs in (its sockets' session key names the token), or None for a
    token that does not work. Runs in the database thread."""
    found = token_user(token)
    if found is None:
        return None
    user, access_token = found
    return Handshake(token_session_key(access_token.pk), user)


# The middleware's session lookup: the handshakes waiting at the same time look their sessions
# up together, in one database call (batched_lookup.py); as many batches at once as there are
# database threads (parley/realtime/database.py).
_session_user = BatchedLookup(
    database_call(session_users),
    batch_size=lambda: SESSIONS_PER_BATCH,
    in_flight=database_threads,
    copy_answer=lambda found: found._replace(user=copy.copy(found.user)),
)
_token_handshake = database_call(token_handshake)


async def refuse_unauthenticated(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer the handshake with HTTP 401 and the API's JSON error (a close before accept, so
    403, from a server without the `websocket.http.response` extension)."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return  # the client left first
    events.info(
        "socket refused",
        extra={"event": "refused", "reason": "token", "address": client_address(scope)},
    )
    if HTTP_RESPONSE_EXTENSION not in scope.get("extensions", {}):
        await send({"type": "websocket.close"})
        return
    refusal = Unauthenticated("The access token is not valid.")
    body = json.dumps(frames.refusal_document(refusal)).encode()
    await send(
        {
            "type": "websocket.http.response.start",
            "status": refusal.http_status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", b'Bearer error="invalid_token"'),
            ],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})


class SessionAuthMiddleware:
    """ASGI middleware for WebSockets: `scope["user"]`, `scope["session_key"]` and
    `scope["session_expires_at"]` from the session cookie or a bearer token (see above)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = bearer_token(scope)
        session_key = session_cookie(scope) if token is None else None
        refused = None
        if token is not None or session_key:
            try:
                await ratelimit.acheck(
                    ratelimit.Action.CONNECT_ADDRESS, address=client_address(scope)
                )
            except RateLimited as exc:
                refused = exc
        found: Handshake | None
        if refused is not None or (token is None and not session_key):
            found = Handshake(None, AnonymousUser())
        elif token is not None:
            found = await _token_handshake(token)
            if found is None:
                await refuse_unauthenticated(scope, receive, send)
                return
        else:
            assert session_key  # for mypy: the branch above took the handshakes without one
            found = await _session_user(session_key)
        scope = dict(
            scope,
            user=found.user,
            session_key=found.session_key,
            session_expires_at=found.expires_at,
            handshake_refused=refused,
        )
        return await self.app(scope, receive, send)
