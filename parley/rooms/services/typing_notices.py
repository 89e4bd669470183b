"""Typing indicators: announced to a room's subscribers, never stored."""

from parley.core import ratelimit
from parley.realtime import broadcast, protocol
from parley.rooms.models import Room
from parley.rooms.selectors import access_room_as_member


def typing_notify(*, user, slug: object) -> Room:
    """`user` is typing in the room `slug`.

    Counts against the user's read limit (RateLimited) first; then RoomNotFound for a room they
    may not see and NotAMember (forbidden) if they do not belong to it. Stores nothing.
    Emits: `typing` {room, user} to the room's subscribers but the user's own sockets, as a frame
    that a socket falling behind is spared first. (The socket adapter drops frequent ones before
    they reach this: see parley/realtime/typing_throttle.py.)
    """
    ratelimit.check(ratelimit.Action.READ, user=user)
    room = access_room_as_member(user=user, slug=slug)
    frame = protocol.typing_frame(room=room.slug, username=user.get_username())
    broadcast.publish_room_ephemeral_from_sync(
        room.pk, protocol.encode(frame), exclude_user=user.pk, sheddable=True
    )
    return room
