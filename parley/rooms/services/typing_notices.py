"""Typing indicators: announced to a room's subscribers, never stored."""

from parley.core import changes, ratelimit
from parley.core.types import AuthUser
from parley.rooms.changes import TypingStarted
from parley.rooms.models import Room
from parley.rooms.selectors import access_room_as_member


def typing_notify(*, user: AuthUser, slug: object) -> Room:
    """`user` is typing in the room `slug`.

    Counts against the user's read limit (RateLimited) first; then RoomNotFound for a room they
    may not see and NotAMember (forbidden) if they do not belong to it. Stores nothing.
    Emits: `typing` {room, user} to the room's subscribers but the user's own sockets, as a frame
    that a socket falling behind is spared first. (The socket adapter drops frequent ones before
    they reach this: see parley/realtime/typing_throttle.py.)
    """
    ratelimit.check(ratelimit.Action.READ, user=user)
    room = access_room_as_member(user=user, slug=slug)
    changes.emit(
        TypingStarted(
            room_id=room.pk, room=room.slug, user_id=user.pk, username=user.get_username()
        )
    )
    return room
