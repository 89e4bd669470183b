"""The typed changes the rooms app emits after commit (parley.core.changes).

They say what happened in the domain's terms; the realtime broadcaster turns each into frames
(parley.wire) and layer messages. `socket_id` is the opaque id of the socket whose request made
the change (None from a page, the admin or a command): the broadcaster spares that socket news
it already has in its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from parley.rooms.models import Item, Room
from parley.rooms.values import item_value
from parley.wire.values import ItemValue


@dataclass(frozen=True, slots=True)
class ItemAdded:
    """An item was stored at `item.seq` of the room."""

    room_id: int
    item: ItemValue
    # The author of a message, or whom an event is about.
    user_id: int | None
    # A leave from a private or staff-only room ends the subscriptions of this user.
    ends_access_of: int | None
    socket_id: str | None = None

    @property
    def moves_read_pointer(self) -> bool:
        """A message moves its author's read pointer to it (services/reads.py)."""
        return self.item.is_message and self.user_id is not None

    @property
    def joined_user_id(self) -> int | None:
        """The new member a join event adds (subscribers then learn if they are online)."""
        return self.user_id if self.item.kind == Item.Kind.JOIN else None


@dataclass(frozen=True, slots=True)
class ReadMoved:
    """The user's read pointer in the room moved forward to `seq`."""

    room_id: int
    room: str
    user_id: int
    username: str
    seq: int
    # Whether the room's subscribers see it too (a `receipt`): rooms small enough for receipts.
    receipt: bool
    socket_id: str | None = None


@dataclass(frozen=True, slots=True)
class DirectRoomOpened:
    """A direct room was made for these people (user id, username), sorted by username."""

    room_id: int
    room: str
    participants: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class LevelChanged:
    """The user's notification level in the room is now `level`."""

    room_id: int
    room: str
    user_id: int
    level: str
    socket_id: str | None = None


@dataclass(frozen=True, slots=True)
class TypingStarted:
    """The user is typing in the room. Stored nowhere; dropped first by a socket behind."""

    room_id: int
    room: str
    user_id: int
    username: str


@dataclass(frozen=True, slots=True)
class RoomAccessChanged:
    """Who may see the room changed (visibility, staff-only, deletion)."""

    room_id: int


def item_added(item: Item, *, room: Room, socket_id: str | None = None) -> ItemAdded:
    """The change of storing `item` in `room`: the one place its consequences are decided."""
    ends_access = item.kind == Item.Kind.LEAVE and (room.is_private or room.staff_only)
    return ItemAdded(
        room_id=room.pk,
        item=item_value(item, room_slug=room.slug),
        user_id=item.user_id,
        ends_access_of=item.user_id if ends_access else None,
        socket_id=socket_id,
    )
