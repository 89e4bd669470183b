"""Personal access tokens: made, checked and revoked here, and nowhere else.

A token reads `parley_<prefix>_<secret>` (`prefix`: 12 letters and digits), made, stored and
compared by the rule of parley/core/secret_tokens.py: shown once, only its SHA-256 kept, compared
in constant time.

A revoked token stops at once: HTTP requests check it every time, and its open sockets are
closed with 4403 (SESSION_ENDED) in every process: a token's sockets carry the session key
`token_session_key(token.pk)` ("token:<id>", which no Django session key can be) and revoking
emits `SessionsEnded` for it, as a log-out does for a session (parley/accounts/signals.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from parley.accounts.changes import SessionsEnded
from parley.accounts.models import AccessToken
from parley.core import changes
from parley.core.errors import Forbidden, InvalidInput
from parley.core.secret_tokens import TokenFormat, token_digest, token_matches
from parley.core.types import AuthUser

TOKEN_FORMAT = TokenFormat("parley_")
NAME_MAX_LENGTH = 100
# `last_used_at` is written at most this often per token: a busy script costs no write per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_session_key(token_id: int) -> str:
    """The session key of a token's sockets: revoking the token ends that 'session'."""
    return f"token:{token_id}"


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A token needs a name.")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"A token's name has at most {NAME_MAX_LENGTH} characters.")
    if "\x00" in name:
        raise InvalidInput("A token's name cannot contain NUL characters.")
    return name


def token_create(*, user: AuthUser, name: str) -> tuple[AccessToken, str]:
    """A new token of `user` named `name` (1..100 characters): the row, and the token itself,
    which is shown once and never stored. InvalidInput for a bad name."""
    name = _clean_name(name)
    prefix, raw = TOKEN_FORMAT.new()
    token = AccessToken.objects.create(
        user=user, name=name, prefix=prefix, digest=token_digest(raw)
    )
    return token, raw


def token_user(raw: str) -> tuple[AuthUser, AccessToken] | None:
    """The active user a presented token authenticates, and the token; None if the token is
    malformed, unknown, wrong, revoked, or its user is deactivated. Notes the token's last use
    (at most once a minute). Runs a query: call it from a database thread in async code."""
    prefix = TOKEN_FORMAT.prefix_of(raw)
    if prefix is None:
        return None
    token = AccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not token_matches(raw, token.digest):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # One UPDATE that also refuses to go backwards when two requests race.
        AccessToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION),
            pk=token.pk,
        ).update(last_used_at=now)
        token.last_used_at = now
    return token.user, token


def token_revoke(*, token: AccessToken, by: AuthUser) -> None:
    """Revoke `token` (its owner, or staff): it stops authenticating at once, and after commit
    its open sockets are closed with 4403 in every process (SessionsEnded for its session key).
    Revoking a revoked token changes nothing. Forbidden for anyone else."""
    if token.user_id != by.pk and not by.is_staff:
        raise Forbidden("You may not revoke this token.")
    now = timezone.now()
    AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if token.revoked_at is None:
        token.revoked_at = now
    changes.emit_on_commit(SessionsEnded(token.user_id, session_key=token_session_key(token.pk)))


def tokens_of(*, user: AuthUser) -> list[AccessToken]:
    """The user's tokens, newest first, revoked ones included (their settings page)."""
    return list(AccessToken.objects.filter(user=user).order_by("-created_at", "-id"))


def token_of(*, user: AuthUser, token_id: int) -> AccessToken | None:
    """The user's own token with this id, or None (another's, or none: the same answer)."""
    return AccessToken.objects.filter(user=user, pk=token_id).first()
