"""Links in emails that act without a log-in: proving an address, and unsubscribing.

Each is signed with the server's SECRET_KEY (django.core.signing) under a salt of its own, so a
token made for one purpose is refused by the other, and nobody without the key can make one.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from parley.core.errors import InvalidInput

VERIFY_SALT = "parley.accounts.email-verify"
UNSUBSCRIBE_SALT = "parley.accounts.email-unsubscribe"
# A verification link works this long; a fresh one can be sent from the settings page.
VERIFY_MAX_AGE_SECONDS = 3 * 24 * 60 * 60
# Used when PARLEY_SITE_URL is not set and no request says where people reach the server.
FALLBACK_SITE_URL = "http://localhost:8000"


def site_url(request: HttpRequest | None = None) -> str:
    """Where people reach Parley, without a trailing slash: PARLEY_SITE_URL, else the host the
    request came to, else FALLBACK_SITE_URL."""
    configured: str = getattr(settings, "PARLEY_SITE_URL", "")
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return FALLBACK_SITE_URL


def verify_token(*, user_id: int, address: str) -> str:
    """A token proving that whoever holds it received mail at `address` for this account."""
    return signing.dumps({"u": user_id, "e": address}, salt=VERIFY_SALT)


def verify_token_read(token: str) -> tuple[int, str]:
    """(user id, address) of a verification token; InvalidInput if forged, altered or expired."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise InvalidInput("This link has expired: send a new one from your settings.") from None
    except signing.BadSignature:
        raise InvalidInput("This link is not valid.") from None
    return _fields(data, "e")


def unsubscribe_token(*, user_id: int) -> str:
    """A token that turns off `user_id`'s digest emails. It does not expire: an unsubscribe link
    in an old email must keep working."""
    return signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> int:
    """The user id of an unsubscribe token; InvalidInput if forged or altered."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise InvalidInput("This link is not valid.") from None
    return _fields(data, None)[0]


def _fields(data: object, key: str | None) -> tuple[int, str]:
    # Signed by this server, so well formed; checked anyway rather than trusted to stay so.
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise InvalidInput("This link is not valid.")
    value = data.get(key) if key else ""
    if not isinstance(value, str):
        raise InvalidInput("This link is not valid.")
    return data["u"], value


def verify_url(*, site: str, user_id: int, address: str) -> str:
    token = verify_token(user_id=user_id, address=address)
    return site + reverse("notifications_verify", args=[token])


def unsubscribe_url(*, site: str, user_id: int) -> str:
    return site + reverse("notifications_unsubscribe", args=[unsubscribe_token(user_id=user_id)])
