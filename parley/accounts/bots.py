"""Bot users: accounts that are programs, made by staff (the admin) and driven by their tokens.

A bot is a user with an unusable password, so the log-in form never signs it in (Django's
ModelBackend refuses an unusable password), and a `Bot` row that says so, names its owner and
may carry an outgoing webhook URL. It authenticates with access tokens only
(parley/accounts/tokens.py), made in the admin. Its username follows the same rules as a
person's (parley/accounts/usernames.py): a bot cannot pass for someone else either.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from parley.accounts.models import Bot
from parley.accounts.usernames import check_username
from parley.core.errors import InvalidInput
from parley.core.types import AuthUser

_validate_url = URLValidator(schemes=["http", "https"])
OUTGOING_URL_MAX_LENGTH = 2000  # Bot.outgoing_url


def _first_message(error: ValidationError) -> str:
    return next(iter(error.messages), "That is not valid.")


def check_bot_username(username: str) -> str:
    """The username, stripped, if a new bot may take it: Django's username rule, Parley's
    (no lookalike of another username), and free. InvalidInput otherwise."""
    model = get_user_model()
    username = (username or "").strip()
    max_length = model._meta.get_field("username").max_length or 150
    if not username or len(username) > max_length:
        raise InvalidInput(f"A bot's username has 1 to {max_length} characters.")
    try:
        UnicodeUsernameValidator()(username)
        check_username(username)
    except ValidationError as exc:
        raise InvalidInput(_first_message(exc)) from exc
    if model._default_manager.filter(username__iexact=username).exists():
        raise InvalidInput("That username is taken.")
    return username


def check_outgoing_url(outgoing_url: str) -> str:
    """The URL, stripped, if it is empty or an http(s) URL of at most 2000 characters (whether
    its address may be reached is checked when it is called). InvalidInput otherwise."""
    outgoing_url = (outgoing_url or "").strip()
    if not outgoing_url:
        return ""
    if len(outgoing_url) > OUTGOING_URL_MAX_LENGTH:
        raise InvalidInput("That URL is too long.")
    try:
        _validate_url(outgoing_url)
    except ValidationError as exc:
        raise InvalidInput("Enter an http:// or https:// URL.") from exc
    return outgoing_url


def bot_create(*, username: str, owner: AuthUser | None, outgoing_url: str = "") -> AuthUser:
    """A new bot user `username` answered for by `owner` (shown its webhook's failures), with
    an optional outgoing webhook URL. InvalidInput for a bad or taken username or a bad URL
    (`check_bot_username`, `check_outgoing_url`)."""
    with transaction.atomic():
        username = check_bot_username(username)
        outgoing_url = check_outgoing_url(outgoing_url)
        user: AuthUser = get_user_model()(username=username)
        user.set_unusable_password()
        user.save()
        Bot.objects.create(user=user, owner=owner, outgoing_url=outgoing_url)
    return user


def bots_with_webhooks_of(*, owner: AuthUser) -> list[Bot]:
    """The bots `owner` answers for that have an outgoing webhook: their settings page shows
    each one's last failure (parley/bots records it)."""
    return list(
        Bot.objects.filter(owner=owner)
        .exclude(outgoing_url="")
        .select_related("user")
        .order_by("user__username")
    )
