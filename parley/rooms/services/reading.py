"""Reading a room from a socket: the read limit is counted here, before the room is looked up.

`subscribe`, `history` and `unsubscribe` of a room not subscribed count against the user's read
limit (docs/protocol.md, "Rate limits"); the socket adapter calls these and nothing else.
"""

from parley.core import ratelimit
from parley.core.errors import ParleyError, RoomNotFound
from parley.core.types import AuthUser
from parley.rooms.models import Room
from parley.rooms.selectors import HistoryPage, check_cursor, lookup_rooms_access, room_history


def room_read_access(
    *, user: AuthUser, slug: object, after: int | None = None, counted: bool = False
) -> Room:
    """The room `slug` for reading: RateLimited first, then RoomNotFound for a room the user may
    not see, then InvalidInput for a negative `after` (`rooms_read_access` of one room).
    `counted`: this frame's read was counted already (it is looked up again)."""
    (found,) = rooms_read_access(user=user, requests=[(slug, after)], counted=counted)
    if isinstance(found, ParleyError):
        raise found
    return found


# Rooms read together (a client subscribing to its whole sidebar at once) count against the read
# limit once per this many: the lot costs a handful of queries whatever its size, and a client
# opening with 200 rooms must not be refused (and, refused often enough, closed) for it.
ROOMS_PER_READ = 20


def rooms_read_access(
    *, user: AuthUser, requests: list[tuple[object, int | None]], counted: bool = False
) -> list[Room | ParleyError]:
    """`room_read_access` of many (slug, after) read together, in one query: each one's room, or
    the error it alone would get (RateLimited first, then RoomNotFound, then InvalidInput). The
    read limit is counted once per ROOMS_PER_READ rooms; refused, the next ones are refused too."""
    access = lookup_rooms_access(user=user, slugs=[slug for slug, _ in requests])
    found: list[Room | ParleyError] = []
    refused: ParleyError | None = None
    for index, (slug, after) in enumerate(requests):
        if index % ROOMS_PER_READ == 0 and not counted:
            try:
                ratelimit.check(ratelimit.Action.READ, user=user)
                refused = None
            except ParleyError as exc:
                refused = exc
        try:
            if refused is not None:
                raise refused
            room = access.get(slug) if isinstance(slug, str) else None
            if room is None or not room.visible:
                raise RoomNotFound()
            check_cursor(after, name="after")
        except ParleyError as exc:
            found.append(exc)
        else:
            found.append(room.room)
    return found


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
