"""Reading a room from a socket: the read limit is counted here, before the room is looked up.

`subscribe`, `history` and `unsubscribe` of a room not subscribed count against the user's read
limit (docs/protocol.md, "Rate limits"); the socket adapter calls these and nothing else.
"""

from parley.core import ratelimit
from parley.core.types import AuthUser
from parley.rooms.models import Room
from parley.rooms.selectors import HistoryPage, access_room, check_cursor, room_history


def room_read_access(*, user: AuthUser, slug: object, after: int | None = None) -> Room:
    """The room `slug` for reading: RateLimited first, then RoomNotFound for a room the user may
    not see, then InvalidInput for a negative `after`."""
    ratelimit.check(ratelimit.Action.READ, user=user)
    room = access_room(user=user, slug=slug)
    check_cursor(after, name="after")
    return room


def room_history_read(
    *,
    user: AuthUser,
    slug: object,
    before: int | None,
    limit: int,
    thread: int | None = None,
    around: int | None = None,
) -> tuple[Room, HistoryPage]:
    """A page of history (selectors.room_history), counted against the read limit first."""
    ratelimit.check(ratelimit.Action.READ, user=user)
    return room_history(
        user=user, slug=slug, before=before, limit=limit, thread=thread, around=around
    )
