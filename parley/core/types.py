"""Types every layer above the wire shares: who a request or a socket belongs to, and ASGI's
callables as Parley's middlewares see them. Annotations only: nothing here runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

# The user a service acts for (`*, user`, `*, actor`, `*, owner`): Parley runs on Django's own
# user model (AUTH_USER_MODEL is "auth.User"). A custom user model changes this line only.
AuthUser: TypeAlias = User
# `request.user` or `scope["user"]` before anyone checked that it is signed in.
AnyUser: TypeAlias = AuthUser | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """A request to a view behind LoginRequiredMiddleware (every view not marked
    `login_not_required`): its user is signed in."""

    user: AuthUser


# ASGI (https://asgi.readthedocs.io/): the scope and messages are plain dicts here, as the
# servers and Channels hand them over.
Scope: TypeAlias = dict[str, Any]
Message: TypeAlias = dict[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]
ASGIApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]
