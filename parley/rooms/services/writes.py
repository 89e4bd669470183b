"""Timeline writes made once per `client_id`: `send`, `edit`, `delete` and `react` alike.

One client_id space per author and room (the `item_unique_client_id` constraint), so a frame
retried after a lost ack, or raced on two sockets or two processes, is stored once and every
copy gets the same answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError

from parley.core import changes, ratelimit
from parley.core.errors import InvalidInput
from parley.core.types import AuthUser
from parley.rooms.changes import item_added
from parley.rooms.models import Item, Room
from parley.rooms.selectors import RoomAccess, lookup_room_access
from parley.rooms.services.sequence import next_seq

CLIENT_ID_MAX = 64


@dataclass(frozen=True)
class PostResult:
    item: Item
    created: bool


class AlreadyStored(Exception):
    """Raised inside a write's transaction (rolling it back) when the same client_id was stored
    meanwhile: the write answers with that item."""

    def __init__(self, item: Item) -> None:
        super().__init__(item.pk)
        self.item = item


def reserve_seq_once(*, user: AuthUser, room: Room, client_id: str) -> int:
    """Inside a write's transaction: the room's next seq, taken under its write lock, after
    checking that no copy of this write (same client_id) was stored meanwhile (AlreadyStored).
    Writes whose checks read the timeline (edits, deletions, reactions) call this first, so two
    copies racing on two sockets both get the one item, not a refusal for the second."""
    seq = next_seq(room.pk)
    existing = _existing(user=user, room=room, client_id=client_id)
    if existing is not None:
        raise AlreadyStored(existing)
    return seq


def is_valid_client_id(client_id: str) -> bool:
    # NUL is refused like in a body: PostgreSQL text cannot hold it, not even in a lookup.
    return 0 < len(client_id) <= CLIENT_ID_MAX and "\x00" not in client_id


def check_client_id(client_id: str) -> None:
    if not is_valid_client_id(client_id):
        raise InvalidInput(f"`client_id` is 1 to {CLIENT_ID_MAX} characters, without NUL.")


def _existing(
    *, user: AuthUser, room: Room, client_id: str, item_id: int | None = None
) -> Item | None:
    """The item `user` stored with `client_id` in `room` (at most one: item_unique_client_id),
    looked up by its id when `lookup_room_access` found it already; its room and author are
    these."""
    if item_id is not None:
        lookup: dict[str, object] = {"pk": item_id}
    else:
        lookup = {"room": room, "user": user, "client_id": client_id}
    try:
        item = Item.objects.get(**lookup)
    except Item.DoesNotExist:
        return None
    item.room, item.user = room, user
    return item


def item_write_once(
    *,
    user: AuthUser,
    room_slug: str,
    client_id: str,
    socket_id: str | None,
    check: Callable[[RoomAccess | None], Room],
    write: Callable[[Room], Item],
    counted: bool = True,
) -> PostResult:
    """Store the item `write` makes, once per `client_id` of `user` in the room `room_slug`.

    A `client_id` this user already used in this room returns the stored item unchanged
    (created=False), whatever changed since, as long as the user may still see the room (one who
    may not is told RoomNotFound, like for a room that does not exist); it is checked first and
    counts against no limit. Otherwise the write counts against the user's send limit
    (RateLimited, whatever else is wrong with it; not `counted`: staff in the admin), then
    `check` decides on the room (RoomNotFound, Forbidden), the client_id must be
    1..CLIENT_ID_MAX without NUL, and `write` stores the item in its own transaction (raising
    InvalidInput or Forbidden to store nothing).
    Emits the item after commit, with `socket_id` (the asking socket, which has its ack).
    """
    # One query answers the room, the user's access to it and an earlier copy of this write.
    # Only a client_id that could have been stored is looked up (a NUL fails on PostgreSQL).
    lookup = client_id if is_valid_client_id(client_id) else None
    access = lookup_room_access(user=user, slug=room_slug, client_id=lookup)
    if access is not None and access.visible and access.existing_id is not None:
        existing = _existing(
            user=user, room=access.room, client_id=client_id, item_id=access.existing_id
        )
        if existing is not None:
            return PostResult(item=existing, created=False)
    if counted:
        ratelimit.check(ratelimit.Action.SEND, user=user)
    room = check(access)
    check_client_id(client_id)
    try:
        item = write(room)
    except AlreadyStored as stored:
        return PostResult(item=stored.item, created=False)
    except IntegrityError:
        # The same client_id won a race on another connection or process: answer with its row.
        existing = _existing(user=user, room=room, client_id=client_id)
        if existing is None:
            raise
        return PostResult(item=existing, created=False)
    # Committed (or, inside a caller's transaction, published when that one commits).
    changes.emit_on_commit(item_added(item, room=room, socket_id=socket_id))
    return PostResult(item=item, created=True)
