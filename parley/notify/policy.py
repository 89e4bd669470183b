"""Who should hear of a message while away: the one rule Web Push (and email digests) follow.

A member hears of someone else's message when their level in the room says so (`all`, or
`mentions` and the message mentions them or `@room`; direct rooms default to `all`, muted rooms
never: parley/rooms/services/levels.py), their account is active, they are a person (bots hear
through their webhooks, never here) and they have not paused notifications (`dnd_until` in the
future). Whether they are away (no open socket) is the caller's question: presence lives in
the server's event loops (parley/notify/away.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from parley.notify.models import PushSubscription
from parley.rooms.changes import ItemAdded
from parley.rooms.mentions import ROOM
from parley.rooms.models import Membership, Room
from parley.rooms.services.levels import effective_level


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    # The message names them (or `@room`), or it is in a direct room: worth an urgent push.
    mentioned: bool


def may_notify(change: object) -> bool:
    """Whether a change could notify anyone, decided without the database: a message (not an
    edit, reaction or event) by an account (a deleted author's is history, not news)."""
    return (
        isinstance(change, ItemAdded)
        and change.user_id is not None
        and change.item.is_message
        and not change.item.deleted
    )


def notified_members(change: ItemAdded, room: Room) -> list[Recipient]:
    """The members of `room` that the message of `change` should notify (module docstring),
    in any transport; one query."""
    item = change.item
    author = change.user_id or 0
    names = [name for name in item.mentions if name != ROOM]
    room_mentioned = ROOM in item.mentions
    members = (
        Membership.objects.filter(room=room, user__is_active=True, user__bot__isnull=True)
        .exclude(user_id=author)
        .exclude(level=Membership.Level.NONE)
        .exclude(user__notification_prefs__dnd_until__gt=timezone.now())
    )
    if not room_mentioned:
        # Only those whose level is `all` (or the default of a direct room), or who are named.
        wants = Q(level=Membership.Level.ALL) | Q(user__username__in=names)
        if room.is_direct:
            wants |= Q(level="")
        members = members.filter(wants)
    found = []
    for user_id, username, level in members.values_list("user_id", "user__username", "level"):
        named = room_mentioned or username in names
        effective = effective_level(room=room, level=level)
        if effective == Membership.Level.ALL or (effective == Membership.Level.MENTIONS and named):
            found.append(Recipient(user_id=user_id, mentioned=named or room.is_direct))
    return found


def push_recipients(change: ItemAdded, room: Room) -> list[Recipient]:
    """The notified members (above) who take Web Push: `push_notify` on and a subscription."""
    wanted = notified_members(change, room)
    if not wanted:
        return []
    takers = set(
        Membership.objects.filter(room=room, user_id__in=[r.user_id for r in wanted])
        .exclude(user__notification_prefs__push_notify=False)
        .filter(Exists(PushSubscription.objects.filter(user=OuterRef("user_id"))))
        .values_list("user_id", flat=True)
    )
    return [recipient for recipient in wanted if recipient.user_id in takers]
