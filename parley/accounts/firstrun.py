"""First run: the server's first account, its name and its #general room, made on /setup/.

The set-up page works only while no user exists. Its first account becomes staff and superuser,
so two set-up submissions at once must not both succeed: `site_set_up` locks the one
SiteSettings row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already
serialise writers) and checks again, inside that transaction, that there is still no user.
The second submission then finds the first account and is refused (AlreadySetUp).
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from parley.accounts.models import SiteSettings
from parley.accounts.welcome import account_welcome
from parley.core.errors import ErrorCode, InvalidInput, ParleyError
from parley.core.text import clean_display_name
from parley.core.types import AuthUser
from parley.rooms.models import Room
from parley.rooms.services.rooms import room_create, room_update

DEFAULT_SITE_NAME = "Parley"
SITE_NAME_MAX: int = SiteSettings._meta.get_field("name").max_length  # type: ignore[assignment]
GENERAL_SLUG = "general"
GENERAL_NAME = "General"


class AlreadySetUp(ParleyError):
    """The server has an account already: the set-up page is gone (a 404, as if never there)."""

    code = ErrorCode.ROOM_NOT_FOUND
    default_message = "This server is set up already."


def setup_needed() -> bool:
    """Whether the set-up page is open: no user exists yet."""
    return not get_user_model()._default_manager.exists()


def site_name() -> str:
    """The server's name as pages show it ("Parley" until the set-up page names it)."""
    name = SiteSettings.objects.filter(pk=1).values_list("name", flat=True).first()
    return name or DEFAULT_SITE_NAME


def check_site_name(name: str) -> str:
    """The cleaned name, or InvalidInput: 1 to 80 characters of one line."""
    cleaned = clean_display_name(name or "")
    if not cleaned:
        raise InvalidInput("The server needs a name.")
    if len(cleaned) > SITE_NAME_MAX:
        raise InvalidInput(f"A server name has at most {SITE_NAME_MAX} characters.")
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidInput("A server name is one line, without control characters.")
    return cleaned


def site_set_up(*, username: str, password: str, email: str = "", name: str) -> AuthUser:
    """Make the first account (staff and superuser; the caller validated username and password
    with the sign-up form's rules), name the server, and make the public #general room that
    every new account joins (owned by that account) unless a room `general` exists. The account
    joins the auto-join rooms. AlreadySetUp when any user exists, even one made a moment ago by
    a racing submission; InvalidInput for a bad name."""
    name = check_site_name(name)
    # The row exists before the lock is taken (get_or_create copes with a racing insert).
    SiteSettings.objects.get_or_create(pk=1)
    with transaction.atomic():
        site = SiteSettings.objects.select_for_update().get(pk=1)
        if site.set_up_at is not None or not setup_needed():
            raise AlreadySetUp()
        user = get_user_model()._default_manager.create_superuser(
            username=username, email=email or "", password=password
        )
        site.name = name
        site.set_up_at = timezone.now()
        site.save(update_fields=["name", "set_up_at"])
        if not Room.objects.filter(slug=GENERAL_SLUG).exists():
            general = room_create(
                owner=user, name=GENERAL_NAME, slug=GENERAL_SLUG, visibility=Room.Visibility.PUBLIC
            )
            general.auto_join = True
            room_update(room=general, fields=["auto_join"])
        account_welcome(user=user)
    return user
