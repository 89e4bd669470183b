"""Incoming webhooks: secret URLs (`/hooks/<token>`) that post into one room as its own bot user.

A room's owner (or staff) makes one on the room's settings page. It gets a bot user of its own
(parley/accounts/bots.py: an unusable password, a `Bot` row owned by its maker), which joins the
room like anyone (a `join` event) and in whose name the hook's messages are posted through
`message_post`: the same body rules, the same send rate limit (per webhook), the same Markdown
renderer. Each message shows the webhook's name, or the payload's `username`, as its author's
display name (Item.display_name).

A token reads `<prefix>_<secret>` (`prefix`: 12 lowercase letters and digits, as it also names
the bot user), made, stored and compared by the rule of parley/core/secret_tokens.py, as access
tokens are. A deleted webhook is revoked (its row stays, so its messages
keep their author) and its bot leaves the room.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from parley.accounts.bots import bot_create
from parley.core.errors import Forbidden, InvalidInput
from parley.core.secret_tokens import LOWER_CASE, TokenFormat, token_digest, token_matches
from parley.core.types import AuthUser
from parley.rooms.models import IncomingWebhook, Room
from parley.rooms.services.memberships import (
    check_can_manage_members,
    membership_add,
    room_leave,
)
from parley.rooms.services.messages import message_post
from parley.rooms.services.writes import PostResult

WEBHOOK_TOKEN = TokenFormat("", alphabet=LOWER_CASE)
NAME_MAX_LENGTH = 80  # IncomingWebhook.name and Item.display_name
# `last_used_at` is written at most this often per webhook: a chatty monitor costs no extra write
# per message.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("A webhook needs a name.")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(f"A webhook's name has at most {NAME_MAX_LENGTH} characters.")
    if "\x00" in name:
        raise InvalidInput("A webhook's name cannot contain NUL characters.")
    return name


def check_can_manage_webhooks(*, actor: AuthUser, room: Room) -> None:
    """The room's owner and staff manage its webhooks (who manage its members: Forbidden)."""
    check_can_manage_members(actor=actor, room=room)


def room_webhooks(room: Room) -> QuerySet[IncomingWebhook]:
    """The room's webhooks that still work, for its settings page."""
    return (
        IncomingWebhook.objects.filter(room=room, revoked_at__isnull=True)
        .select_related("created_by")
        .order_by("name", "id")
    )


def webhook_create(*, room: Room, by: AuthUser, name: str) -> tuple[IncomingWebhook, str]:
    """A new webhook of `room` named `name` (1..80 characters), made by its owner or staff
    (Forbidden otherwise, and for a direct room): its row and its token, which is shown once
    and never stored.

    Makes its bot user `hook-<prefix>` (owned by `by`) and adds it to the room through
    `membership_add` (counted against `by`'s membership limit: RateLimited; InvalidInput in a
    staff-only room, where only staff may be members). All or nothing.
    Emits: the bot's `join` event to the room's subscribers.
    """
    check_can_manage_webhooks(actor=by, room=room)
    if room.staff_only:
        raise InvalidInput("A staff-only room has no webhooks: only staff may be its members.")
    name = _clean_name(name)
    for _ in range(3):
        prefix, raw = WEBHOOK_TOKEN.new()
        try:
            with transaction.atomic():
                user = bot_create(username=f"hook-{prefix}", owner=by)
                webhook = IncomingWebhook.objects.create(
                    room=room,
                    name=name,
                    user=user,
                    created_by=by,
                    prefix=prefix,
                    digest=token_digest(raw),
                )
                membership_add(actor=by, room=room, username=user.get_username())
        except (IntegrityError, InvalidInput) as exc:
            # A prefix (or its bot's name) taken meanwhile: 36^12 makes it all but impossible.
            if IncomingWebhook.objects.filter(prefix=prefix).exists() or (
                isinstance(exc, InvalidInput) and "taken" in exc.message
            ):
                continue
            raise
        return webhook, raw
    raise InvalidInput("Could not make a webhook; try again.")


def webhook_regenerate(*, webhook: IncomingWebhook, by: AuthUser) -> str:
    """A new token for `webhook` (its room's owner or staff: Forbidden otherwise); the old one
    stops working at once. The new token is returned to be shown once."""
    check_can_manage_webhooks(actor=by, room=webhook.room)
    if webhook.revoked_at is not None:
        raise InvalidInput("That webhook was deleted.")
    # The prefix stays (it names the bot user); only the secret changes.
    raw = WEBHOOK_TOKEN.with_prefix(webhook.prefix)
    webhook.digest = token_digest(raw)
    webhook.save(update_fields=["digest"])
    return raw


def webhook_delete(*, webhook: IncomingWebhook, by: AuthUser) -> None:
    """Delete `webhook` (its room's owner or staff: Forbidden otherwise): its token stops at once,
    its bot user is deactivated and leaves the room. Its row stays, revoked, so the messages it
    posted keep their author. Deleting a deleted webhook changes nothing.
    Emits: the bot's `leave` event to the room's subscribers."""
    check_can_manage_webhooks(actor=by, room=webhook.room)
    if webhook.revoked_at is not None:
        return
    with transaction.atomic():
        now = timezone.now()
        IncomingWebhook.objects.filter(pk=webhook.pk).update(revoked_at=now)
        webhook.revoked_at = now
        bot = webhook.user
        room_leave(user=bot, room=webhook.room, actor=by)
        bot.is_active = False
        bot.save(update_fields=["is_active"])


def webhook_lookup(raw: object) -> IncomingWebhook | None:
    """The working webhook a presented token names; None if the token is malformed, unknown,
    wrong or revoked (the same answer for each). Runs a query: from a database thread in async
    code."""
    prefix = WEBHOOK_TOKEN.prefix_of(raw)
    if prefix is None:
        return None
    webhook = (
        IncomingWebhook.objects.select_related("room", "user__bot", "user__profile")
        .filter(prefix=prefix)
        .first()
    )
    assert isinstance(raw, str)
    if webhook is None or not token_matches(raw, webhook.digest):
        return None
    if webhook.revoked_at is not None or not webhook.user.is_active:
        return None
    return webhook


def webhook_post(*, webhook: IncomingWebhook, body: str, display_name: str = "") -> PostResult:
    """Post `body` (Markdown) into the webhook's room as its bot user, showing `display_name`
    (the webhook's name when empty) as the author's: through `message_post`, so the body must be
    1..MAX_BODY_CHARS characters without NUL (InvalidInput) and the bot's send limit applies
    (RateLimited); a bot removed from the room is NotAMember (Forbidden). Notes the webhook's
    last use. Emits what `message_post` emits: the `message` item to the room's subscribers."""
    if webhook.revoked_at is not None:
        raise Forbidden("That webhook was deleted.")
    result = message_post(
        user=webhook.user,
        room_slug=webhook.room.slug,
        body=body,
        client_id=uuid.uuid4().hex,
        display_name=(display_name or webhook.name)[:NAME_MAX_LENGTH],
    )
    _note_use(webhook)
    return result


def _note_use(webhook: IncomingWebhook) -> None:
    now = timezone.now()
    if webhook.last_used_at is not None and now - webhook.last_used_at < LAST_USED_RESOLUTION:
        return
    # One UPDATE that also refuses to go backwards when two posts race.
    IncomingWebhook.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION),
        pk=webhook.pk,
    ).update(last_used_at=now)
    webhook.last_used_at = now
