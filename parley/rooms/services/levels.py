"""Notification levels: how much of a room a member wants to be told about."""

from __future__ import annotations

from parley.core import changes
from parley.core.errors import InvalidInput
from parley.core.types import AuthUser
from parley.rooms.changes import LevelChanged
from parley.rooms.models import Membership, Room
from parley.rooms.selectors import access_room_as_member


def effective_level(*, room: Room, level: str) -> str:
    """A member's level: the one they chose, else `mentions` (`all` in direct rooms)."""
    if level:
        return level
    return Membership.Level.ALL if room.is_direct else Membership.Level.MENTIONS


def notify_level_set(
    *, user: AuthUser, slug: object, level: str, socket_id: str | None = None
) -> tuple[Room, str]:
    """Set `user`'s level in the room: RoomNotFound, NotAMember, then InvalidInput for a level
    other than all, mentions or none. Emits LevelChanged (every socket of the user but
    `socket_id`, which has its answer)."""
    room = access_room_as_member(user=user, slug=slug)
    if level not in Membership.Level.values:
        raise InvalidInput("`level` is `all`, `mentions` or `none`.")
    Membership.objects.filter(room=room, user=user).update(level=level)
    changes.emit_on_commit(
        LevelChanged(
            room_id=room.pk, room=room.slug, user_id=user.pk, level=level, socket_id=socket_id
        )
    )
    return room, level
