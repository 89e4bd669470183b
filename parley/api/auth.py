"""Bearer tokens for /api/v1/: `token_auth`, the first of the API's auth callbacks.

`auth=[token_auth, django_auth]`, in that order. django-ninja tries each callback in turn and
takes the first that returns a user; a callback that *raises* ends the search with that error.
So:

- no `Authorization: Bearer` header (none, or another scheme such as the `Basic` a proxy in
  front of the site asks browsers for): None, and the session decides (with its CSRF check);
- a Bearer header with a token that works: its user, and no CSRF check (a token is not sent by
  a browser on its own, so a cross-site page cannot use it);
- a Bearer header with any other token: AuthenticationError, the API's JSON 401, even when a
  valid session cookie came along: a program that sends a wrong token must learn it, not act
  as whoever's cookie jar it runs beside.

The token's user is also put in `request.user` (and `request.auser`), so views read
`request.user` whichever way the request was authenticated.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from parley.accounts.tokens import token_user
from parley.core.types import AuthUser


class TokenAuth(HttpBearer):
    """`Authorization: Bearer parley_…` (parley.accounts.tokens)."""

    def __call__(self, request: HttpRequest) -> Any | None:
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        user = self.authenticate(request, token.strip(" "))
        if user is None:
            raise AuthenticationError()
        return user

    def authenticate(self, request: HttpRequest, token: str) -> AuthUser | None:
        found = token_user(token)
        if found is None:
            return None
        user, access_token = found

        async def auser() -> AuthUser:
            return user

        request.user = user
        request.auser = auser
        request.access_token = access_token  # type: ignore[attr-defined]
        return user


token_auth = TokenAuth()
