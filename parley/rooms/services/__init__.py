"""Everything that changes rooms, memberships and timelines.

Views, consumers, the admin and management commands call these functions and nothing else to
change state. Each one validates and authorises (`check_*`), writes in one transaction, and
emits a typed change (parley/rooms/changes.py) only after the transaction commits; it never
builds a frame or reaches a socket itself.
"""

from .files import attachment_post
from .memberships import (
    membership_add,
    membership_remove,
    room_join,
    room_join_by_slug,
    room_leave,
    room_leave_by_slug,
)
from .messages import PostResult, message_post
from .reading import room_history_read, room_read_access
from .reads import ReadPointer, read_pointer_move, read_pointer_move_by_slug, receipts_shown
from .rooms import room_create, room_delete, room_update
from .typing_notices import typing_notify

__all__ = [
    "PostResult",
    "ReadPointer",
    "attachment_post",
    "membership_add",
    "membership_remove",
    "message_post",
    "read_pointer_move",
    "read_pointer_move_by_slug",
    "receipts_shown",
    "room_create",
    "room_delete",
    "room_history_read",
    "room_join",
    "room_join_by_slug",
    "room_leave",
    "room_leave_by_slug",
    "room_read_access",
    "room_update",
    "typing_notify",
]
