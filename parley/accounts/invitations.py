"""Invitations: the sign-up links staff make when PARLEY_SIGNUP is `invite`.

An invitation link reads `/accounts/signup/?invite=invite_<prefix>_<secret>`, made, stored
and compared like an access token by the rule of parley/core/secret_tokens.py: a 12-character
public prefix to find the row by, 32 random bytes of secret, only the SHA-256 of the whole token
stored, compared in constant time. The link is shown once, to the staff member who made it.

An invitation may be used `max_uses` times (1: single-use), until `expires_at` if it has one,
unless revoked. Each refusal has its own error and message, so the person holding a dead link
is told why. A use is one conditional UPDATE (`uses < max_uses`, not revoked, not expired):
two sign-ups racing for the last use cannot both win, on PostgreSQL (the second UPDATE waits for
the first and then matches nothing) as on SQLite (writers are serialised).
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from parley.accounts.models import Invitation, InvitationUse
from parley.core.errors import Forbidden, InvalidInput
from parley.core.secret_tokens import TokenFormat, token_digest, token_matches
from parley.core.types import AuthUser

INVITE_TOKEN = TokenFormat("invite_")
NOTE_MAX_LENGTH: int = Invitation._meta.get_field("note").max_length  # type: ignore[assignment]
MAX_USES_LIMIT = 1000
MAX_EXPIRY = timedelta(days=365)


class InvitationRefused(Forbidden):
    """An invitation link that cannot be used (any reason): sign-up is refused with 403."""

    default_message = "This invitation link is not valid."


class InvitationUnknown(InvitationRefused):
    """Malformed, unknown, or with a wrong secret (forged): all one answer."""

    default_message = "This invitation link is not valid: check that you copied all of it."


class InvitationExpired(InvitationRefused):
    default_message = "This invitation has expired: ask for a new one."


class InvitationUsedUp(InvitationRefused):
    default_message = "This invitation has been used as many times as it may: ask for a new one."


class InvitationRevoked(InvitationRefused):
    default_message = "This invitation was withdrawn: ask for a new one."


def _check_staff(by: AuthUser) -> None:
    if not (by.is_active and by.is_staff):
        raise Forbidden("Only staff can manage invitations.")


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(f"A note has at most {NOTE_MAX_LENGTH} characters.")
    if any(unicodedata.category(char) == "Cc" for char in note):
        raise InvalidInput("A note is one line, without control characters.")
    return note


def invitation_create(
    *, by: AuthUser, note: str = "", max_uses: int = 1, expires_in: timedelta | None = None
) -> tuple[Invitation, str]:
    """A new invitation made by staff member `by`: the row, and the token itself (shown once,
    never stored). `max_uses` 1..1000; `expires_in` None (never) or up to a year. Forbidden for
    anyone but staff, InvalidInput for a bad note, count or expiry."""
    _check_staff(by)
    note = _clean_note(note)
    if not isinstance(max_uses, int) or not 1 <= max_uses <= MAX_USES_LIMIT:
        raise InvalidInput(f"An invitation may be used 1 to {MAX_USES_LIMIT} times.")
    expires_at = None
    if expires_in is not None:
        if expires_in <= timedelta(0) or expires_in > MAX_EXPIRY:
            raise InvalidInput("An invitation expires after 1 to 365 days, or never.")
        expires_at = timezone.now() + expires_in
    prefix, raw = INVITE_TOKEN.new()
    invitation = Invitation.objects.create(
        created_by=by,
        note=note,
        prefix=prefix,
        digest=token_digest(raw),
        max_uses=max_uses,
        expires_at=expires_at,
    )
    return invitation, raw


def _refusal(invitation: Invitation) -> InvitationRefused | None:
    """Why `invitation` cannot be used now, or None."""
    if invitation.revoked_at is not None:
        return InvitationRevoked()
    if invitation.expires_at is not None and invitation.expires_at <= timezone.now():
        return InvitationExpired()
    if invitation.uses >= invitation.max_uses:
        return InvitationUsedUp()
    return None


def invitation_check(token: object) -> Invitation:
    """The invitation `token` names, if it can be used now. Raises InvitationUnknown (malformed,
    unknown or forged), InvitationRevoked, InvitationExpired or InvitationUsedUp."""
    prefix = INVITE_TOKEN.prefix_of(token)
    if prefix is None:
        raise InvitationUnknown()
    invitation = Invitation.objects.filter(prefix=prefix).first()
    assert isinstance(token, str)
    if invitation is None or not token_matches(token, invitation.digest):
        raise InvitationUnknown()
    refusal = _refusal(invitation)
    if refusal is not None:
        raise refusal
    return invitation


def invitation_use(*, invitation: Invitation, user: AuthUser) -> None:
    """Count one use of `invitation` by `user`, just signed up, and record who it was. One
    conditional UPDATE decides: when the invitation was revoked, expired or used up since it was
    checked (another sign-up took the last use), the matching InvitationRefused is raised and
    nothing is written: the caller's transaction (the new account) is then rolled back."""
    now = timezone.now()
    with transaction.atomic():
        counted = Invitation.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now),
            pk=invitation.pk,
            revoked_at__isnull=True,
            uses__lt=F("max_uses"),
        ).update(uses=F("uses") + 1)
        if not counted:
            fresh = Invitation.objects.filter(pk=invitation.pk).first()
            raise (_refusal(fresh) if fresh is not None else None) or InvitationUsedUp()
        InvitationUse.objects.create(invitation=invitation, user=user, used_at=now)
    invitation.refresh_from_db(fields=["uses"])


def invitation_revoke(*, invitation: Invitation, by: AuthUser) -> bool:
    """Staff member `by` withdraws `invitation`: it stops working at once. Whether it changed
    (revoking a revoked invitation changes nothing). Forbidden for anyone but staff."""
    _check_staff(by)
    now = timezone.now()
    revoked = Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )
    if revoked:
        invitation.revoked_at = now
    return bool(revoked)


def invitations_list() -> QuerySet[Invitation]:
    """Every invitation, newest first, with who made it and who used it (the staff page)."""
    return Invitation.objects.select_related("created_by").prefetch_related("used_by__user")


def invitation_by_id(invitation_id: int) -> Invitation | None:
    return Invitation.objects.filter(pk=invitation_id).first()
