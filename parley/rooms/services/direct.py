"""Direct rooms: one per set of people, made on first use (docs/protocol.md, "Direct messages").

A direct room is a room of visibility `direct` whose members are its participants, fixed: no
owner, no join or leave, visible to nobody else (staff included: rooms/visibility.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from parley.core import changes, ratelimit
from parley.core.errors import InvalidInput
from parley.core.types import AuthUser
from parley.rooms.changes import DirectRoomOpened
from parley.rooms.models import Membership, Room

# Others a direct room may hold besides the one who starts it (so 9 people at most).
MAX_DIRECT_OTHERS = 8


@dataclass(frozen=True)
class DirectRoom:
    room: Room
    usernames: list[str]  # every participant, sorted
    created: bool


def _participants(*, user: AuthUser, usernames: list[str]) -> list[tuple[int, str]]:
    wanted = {name for name in usernames if name != user.username}
    if not wanted:
        raise InvalidInput("Name at least one other person.")
    if len(wanted) > MAX_DIRECT_OTHERS:
        raise InvalidInput(f"A direct conversation has at most {MAX_DIRECT_OTHERS} others.")
    if any("\x00" in name for name in wanted):
        # No username has one, and PostgreSQL refuses the byte in a query's text.
        raise InvalidInput("No such user.")
    rows = list(
        get_user_model()
        ._default_manager.filter(username__in=wanted, is_active=True)
        .values_list("pk", "username")
    )
    if len(rows) != len(wanted):
        raise InvalidInput("No such user.")
    return [(user.pk, user.username), *rows]


def direct_key(user_ids: list[int]) -> str:
    return ",".join(str(pk) for pk in sorted(set(user_ids)))


def direct_room_open(*, user: AuthUser, usernames: list[str]) -> DirectRoom:
    """The direct room of `user` and the people `usernames` name (1..MAX_DIRECT_OTHERS others,
    active accounts; duplicates and `user` themself count once), made on first use: the same
    set of people always gets the same room, also when two of them start it at once.
    InvalidInput otherwise; RateLimited (room creation) only when a room would be made.
    Emits DirectRoomOpened when it makes the room (its people's pages list it at once)."""
    people = _participants(user=user, usernames=usernames)
    key = direct_key([pk for pk, _ in people])
    names = sorted(name for _, name in people)
    room = Room.objects.filter(direct_key=key).first()
    if room is not None:
        return DirectRoom(room=room, usernames=names, created=False)
    ratelimit.check(ratelimit.Action.ROOM_CREATE, user=user)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                name=", ".join(names)[:80],
                slug=f"dm-{secrets.token_hex(8)}",
                visibility=Room.Visibility.DIRECT,
                direct_key=key,
            )
            Membership.objects.bulk_create(Membership(room=room, user_id=pk) for pk, _ in people)
            participants = tuple(sorted(people, key=lambda person: person[1]))
            changes.emit_on_commit(DirectRoomOpened(room.pk, room.slug, participants))
    except IntegrityError:
        # Started at the same moment by someone else of the set: theirs is the room.
        return DirectRoom(room=Room.objects.get(direct_key=key), usernames=names, created=False)
    return DirectRoom(room=room, usernames=names, created=True)


def direct_participants(room: Room) -> list[str]:
    """The usernames of a direct room's participants, sorted."""
    return sorted(Membership.objects.filter(room=room).values_list("user__username", flat=True))
