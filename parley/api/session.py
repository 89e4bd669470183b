"""Session authentication for /api/v1/, with Django's CSRF check on writes.

The web client calls the API with its session cookie, which a browser also sends with requests
another site makes it send; so every write (any method but GET, HEAD, OPTIONS, TRACE) carried by
a session must show the CSRF token (`X-CSRFToken`, as Django's forms do), else it is refused with
a JSON 403 `forbidden`. Unlike ninja's own `django_auth`, the check runs only for a signed-in
session: a request with no session at all is told 401 `unauthenticated`, which is what it lacks.
A request carrying a Bearer token never reaches this (parley/api/auth.py comes first), so
programs need no CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

from parley.core.errors import Forbidden
from parley.core.types import AuthUser

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class CsrfRefused(Forbidden):
    default_message = (
        "CSRF check failed: a request signed in by its session cookie must send the CSRF token"
        " (X-CSRFToken header); programs use a Bearer token instead."
    )


class SessionAuth(APIKeyCookie):
    """The Django session's user, CSRF-checked on writes (see the module's docstring)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any | None:
        user = self.authenticate(request, request.COOKIES.get(self.param_name))
        if user is None:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfRefused()
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return user


session_auth = SessionAuth()


def request_user(request: HttpRequest) -> AuthUser:
    """The signed-in user of a request the API's auth let through (a token's or a session's)."""
    user = request.user
    assert user.is_authenticated  # every operation requires one of the auth callbacks
    return user
