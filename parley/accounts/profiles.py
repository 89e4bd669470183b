"""What others see of a person besides their username: display name, status, time zone.

Rows are made lazily: `profile_of` answers defaults for someone who never saved one, and
`profile_update` makes the row on first save. The avatar has its own module (avatars.py).
"""

from __future__ import annotations

import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import emoji as emoji_data
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from parley.accounts.avatars import avatar_url
from parley.accounts.changes import ProfileChanged
from parley.accounts.models import NotificationPrefs, Profile
from parley.accounts.usernames import skeleton
from parley.core.changes import emit_on_commit
from parley.core.errors import InvalidInput
from parley.core.text import clean_display_name, is_blank
from parley.core.types import AuthUser
from parley.wire.values import ProfileValue

DISPLAY_NAME_MAX = 80
STATUS_TEXT_MAX = 100
_FULLY_QUALIFIED = emoji_data.STATUS["fully_qualified"]


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def profile_of(user: AuthUser) -> Profile:
    """The user's profile row, or an unsaved one of defaults when they never saved one (read from
    the relation when a query selected it: `select_related("profile")`)."""
    try:
        return user.profile
    except ObjectDoesNotExist:
        return Profile(user=user)


def shown_name(user: AuthUser) -> str:
    """The name others see: the display name, or the username when there is none."""
    return profile_of(user).display_name or user.username


def dnd_until(user: AuthUser, *, now: datetime | None = None) -> datetime | None:
    """When the user's "do not disturb" ends, or None when it is not on now."""
    try:
        prefs: NotificationPrefs = user.notification_prefs
    except ObjectDoesNotExist:
        return None
    until = prefs.dnd_until
    if until is None or until <= (now or timezone.now()):
        return None
    return until


# Joiners stay: some scripts and emoji sequences need them. Other format characters (zero-width
# space, word joiner…) only serve to make a name look like another.
_JOINERS = frozenset("\u200c\u200d")


def _has_control_characters(text: str, *, format_too: bool = True) -> bool:
    refused = {"Cc", "Co", "Cs", "Cf"} if format_too else {"Cc", "Co", "Cs"}
    return any(unicodedata.category(c) in refused and c not in _JOINERS for c in text)


def check_display_name(name: str, *, user: AuthUser) -> str:
    """The display name as stored (bidi controls removed, NFC, trimmed; "" = none), or
    InvalidInput: too long, control or invisible characters, or reading as another person's
    username (as usernames.py judges lookalikes)."""
    cleaned = clean_display_name(name)
    if not cleaned:
        return ""
    if is_blank(cleaned):
        raise InvalidInput("A display name must show something.")
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise InvalidInput(f"A display name is at most {DISPLAY_NAME_MAX} characters.")
    if _has_control_characters(cleaned):
        raise InvalidInput("A display name may not contain control or invisible characters.")
    wanted = skeleton(cleaned)
    if wanted != skeleton(user.username):
        others = get_user_model()._default_manager.exclude(pk=user.pk)
        for existing in others.values_list("username", flat=True).iterator(chunk_size=2000):
            if skeleton(existing) == wanted:
                raise InvalidInput("That display name reads as another person's username.")
    return cleaned


def check_time_zone(name: str) -> str:
    name = name.strip()
    if name and name not in time_zone_names():
        raise InvalidInput("Choose a time zone from the list (an IANA name like Europe/Paris).")
    return name


def check_status_emoji(text: str) -> str:
    text = text.strip()
    # "❤" typed without its emoji selector is the emoji all the same.
    if text and text + "\ufe0f" in emoji_data.EMOJI_DATA and text not in emoji_data.EMOJI_DATA:
        text += "\ufe0f"
    if text:
        entry = emoji_data.EMOJI_DATA.get(text)
        if entry is None or entry["status"] != _FULLY_QUALIFIED:
            raise InvalidInput("A status emoji is exactly one emoji.")
    return text


def check_status_text(text: str) -> str:
    cleaned = clean_display_name(text)
    if is_blank(cleaned):
        return ""
    if len(cleaned) > STATUS_TEXT_MAX:
        raise InvalidInput(f"A status is at most {STATUS_TEXT_MAX} characters.")
    if _has_control_characters(cleaned, format_too=False):
        raise InvalidInput("A status may not contain control or invisible characters.")
    return cleaned


@dataclass(frozen=True)
class ProfileFields:
    display_name: str
    time_zone: str
    status_emoji: str
    status_text: str


def profile_update(
    *,
    user: AuthUser,
    display_name: str,
    time_zone: str,
    status_emoji: str,
    status_text: str,
) -> Profile:
    """Save the user's display name, time zone and status (each checked first: InvalidInput, and
    nothing is saved). Makes the profile row on first save. Emits ProfileChanged after commit:
    the rooms the user is in hear it (a `profile` frame)."""
    fields = ProfileFields(
        display_name=check_display_name(display_name, user=user),
        time_zone=check_time_zone(time_zone),
        status_emoji=check_status_emoji(status_emoji),
        status_text=check_status_text(status_text),
    )
    profile, _ = Profile.objects.update_or_create(
        user=user,
        defaults={
            "display_name": fields.display_name,
            "time_zone": fields.time_zone,
            "status_emoji": fields.status_emoji,
            "status_text": fields.status_text,
            "updated_at": timezone.now(),
        },
    )
    # The user object may have cached "no profile": later reads see the new row.
    user.profile = profile
    emit_on_commit(ProfileChanged(user_id=user.pk))
    return profile


def profile_value(user: AuthUser) -> ProfileValue:
    """What others see of `user` (its profile, bot and notification rows read from the relations
    when the query selected them)."""
    profile = profile_of(user)
    try:
        user.bot  # noqa: B018 (the relation's read is the question)
        bot = True
    except ObjectDoesNotExist:
        bot = False
    return ProfileValue(
        username=user.username,
        display_name=profile.display_name,
        avatar=avatar_url(profile),
        bot=bot,
        status_emoji=profile.status_emoji,
        status_text=profile.status_text,
        time_zone=profile.time_zone,
        dnd_until=dnd_until(user),
    )


def lookup_profile(*, username: str) -> ProfileValue | None:
    """The profile of the active user `username` (None: no such user, or deactivated: the same
    answer), in one query."""
    user = (
        get_user_model()
        ._default_manager.filter(username=username, is_active=True)
        .select_related("profile", "bot", "notification_prefs")
        .first()
    )
    return profile_value(user) if user is not None else None
