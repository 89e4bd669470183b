"""How a person wants to hear of what they missed (NotificationPrefs): their email address and
its verification, digest emails and Web Push on or off, and do not disturb.

Every adapter (the settings page, the sign-up form, the API, the admin) changes these through
the functions here. Mail goes to `User.email` only while `email_verified` equals it: an address
is proved by a signed link (signed_links.py) sent to it, and changing it clears the proof.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string

from parley.accounts.changes import ProfileChanged
from parley.accounts.models import NotificationPrefs, Profile, SiteSettings
from parley.accounts.signed_links import unsubscribe_token_read, verify_token_read, verify_url
from parley.core import ratelimit
from parley.core.changes import emit_on_commit
from parley.core.errors import InvalidInput
from parley.core.ratelimit import Action
from parley.core.types import AuthUser

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = 254
# Do not disturb is a pause, not a switch: at most this far ahead.
DND_MAX = timedelta(days=366)
# "Until tomorrow" means this local time the next day.
DND_MORNING = time(9, 0)


def prefs_get(*, user: AuthUser) -> NotificationPrefs:
    """`user`'s preferences, made with the defaults on first use."""
    prefs, _ = NotificationPrefs.objects.get_or_create(user=user)
    return prefs


def prefs_update(
    *, user: AuthUser, email_notify: bool | None = None, push_notify: bool | None = None
) -> NotificationPrefs:
    """Turn digest emails and Web Push on or off (None leaves one as it is)."""
    prefs = prefs_get(user=user)
    fields = []
    if email_notify is not None:
        prefs.email_notify = email_notify
        fields.append("email_notify")
    if push_notify is not None:
        prefs.push_notify = push_notify
        fields.append("push_notify")
    if fields:
        prefs.save(update_fields=fields)
    return prefs


def dnd_active(prefs: NotificationPrefs | None, now: datetime) -> bool:
    """Whether do not disturb holds push and email back at `now`."""
    return prefs is not None and prefs.dnd_until is not None and prefs.dnd_until > now


def dnd_set(*, user: AuthUser, until: datetime | None, now: datetime) -> NotificationPrefs:
    """Pause push and email until `until` (an aware time after `now`, at most DND_MAX ahead),
    or resume them now (None). InvalidInput otherwise. Others see it: ProfileChanged."""
    if until is not None:
        if until.tzinfo is None:
            raise InvalidInput("Give the time with its time zone.")
        if until <= now:
            raise InvalidInput("Pick a time in the future.")
        if until > now + DND_MAX:
            raise InvalidInput("Do not disturb lasts at most a year.")
    prefs = prefs_get(user=user)
    prefs.dnd_until = until
    prefs.save(update_fields=["dnd_until"])
    emit_on_commit(ProfileChanged(user_id=user.pk))
    return prefs


def user_time_zone(user: AuthUser) -> ZoneInfo:
    """The time zone `user` gave on their profile, else UTC."""
    name = Profile.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_morning(*, now: datetime, zone: ZoneInfo) -> datetime:
    """DND_MORNING on the day after `now`, in `zone`."""
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, DND_MORNING, tzinfo=zone)


def email_deliverable(*, user: AuthUser, prefs: NotificationPrefs) -> bool:
    """Whether notification mail may go to `user`'s address: it is set and proved."""
    return bool(user.email) and prefs.email_verified == user.email


def check_email(email: str) -> str:
    """The address normalised ("" = none); InvalidInput if it is not an address."""
    email = BaseUserManager.normalize_email(email.strip())
    if not email:
        return ""
    if len(email) > EMAIL_MAX_LENGTH:
        raise InvalidInput(f"An address has at most {EMAIL_MAX_LENGTH} characters.")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("Enter a valid email address.") from None
    return email


def email_change(*, user: AuthUser, email: str, site: str) -> bool:
    """Set `user`'s address (InvalidInput for one that is not an address; "" removes it).
    A new address is not proved: its proof is cleared and, after commit, a verification link
    is mailed to it (links start with `site`). Returns whether a link is being sent."""
    email = check_email(email)
    if email == user.email:
        return False
    if email:
        ratelimit.check(Action.EMAIL, user=user)
    with transaction.atomic():
        user.email = email
        user.save(update_fields=["email"])
        prefs = prefs_get(user=user)
        if prefs.email_verified:
            prefs.email_verified = ""
            prefs.save(update_fields=["email_verified"])
    if email:
        _send_verification(user=user, site=site)
    return bool(email)


def email_verification_send(*, user: AuthUser, site: str) -> None:
    """After commit, mail a verification link for `user`'s current address (links start with
    `site`). InvalidInput when there is no address or it is already proved; RateLimited past
    the user's verification emails (PARLEY_RATE_LIMITS "email")."""
    if not user.email:
        raise InvalidInput("Add an email address first.")
    if prefs_get(user=user).email_verified == user.email:
        raise InvalidInput("This address is already verified.")
    ratelimit.check(Action.EMAIL, user=user)
    _send_verification(user=user, site=site)


def _send_verification(*, user: AuthUser, site: str) -> None:
    user_id, address = user.pk, user.email
    transaction.on_commit(lambda: _mail_verification(user_id=user_id, address=address, site=site))


def _mail_verification(*, user_id: int, address: str, site: str) -> None:
    name = SiteSettings.objects.filter(pk=1).values_list("name", flat=True).first() or "Parley"
    context = {
        "site_name": name,
        "url": verify_url(site=site, user_id=user_id, address=address),
        "username": get_user_model()
        ._default_manager.filter(pk=user_id)
        .values_list("username", flat=True)
        .first(),
    }
    body = render_to_string("accounts/email/verify.txt", context)
    try:
        send_mail(f"Verify your email address on {name}", body, None, [address])
    except (smtplib.SMTPException, OSError):
        # The account is made or changed either way; the settings page offers to send again.
        logger.warning("verification email not sent", extra={"event": "email_failed"})


def email_verify(*, token: str) -> AuthUser:
    """Mark the address a verification link was made for as proved, if it is still the
    account's address. InvalidInput for a forged, altered, expired or outdated link."""
    user_id, address = verify_token_read(token)
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not address or user.email != address:
        raise InvalidInput("This link is for an address that is no longer yours.")
    NotificationPrefs.objects.get_or_create(user=user)
    NotificationPrefs.objects.filter(user=user).update(email_verified=address)
    return user


def email_unsubscribe_check(*, token: str) -> AuthUser:
    """The account an unsubscribe link is for; InvalidInput if forged or altered."""
    user = get_user_model()._default_manager.filter(pk=unsubscribe_token_read(token)).first()
    if user is None:
        raise InvalidInput("This link is not valid.")
    return user


def email_unsubscribe(*, token: str) -> AuthUser:
    """Turn off digest emails for the account of an unsubscribe link (InvalidInput if forged)."""
    user = email_unsubscribe_check(token=token)
    prefs_update(user=user, email_notify=False)
    return user
