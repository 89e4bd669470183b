"""Everything that changes rooms, memberships and timelines.

Views, consumers, the admin and management commands call these functions and nothing else to
change state. Each one validates and authorises (`check_*`), writes in one transaction, and
emits a typed change (parley/rooms/changes.py) only after the transaction commits; it never
builds a frame or reaches a socket itself.
"""

from .direct import DirectRoom, direct_participants, direct_room_open
from .edits import message_delete, message_edit
from .files import attachment_post
from .levels import effective_level, notify_level_set
from .memberships import (
    members_add,
    membership_add,
    membership_remove,
    moderator_set,
    room_join,
    room_join_by_slug,
    room_leave,
    room_leave_by_slug,
)
from .messages import message_post
from .permissions import can_moderate, can_remove_member
from .reactions import reaction_set
from .reading import room_history_read, room_read_access, rooms_read_access
from .reads import ReadPointer, read_pointer_move, read_pointer_move_by_slug, receipts_shown
from .roles import room_archive, room_owner_transfer, room_read_only_set, room_rename
from .rooms import room_create, room_delete, room_topic_set, room_update
from .sizes import is_big_room, members_page_size, presence_watched
from .typing_notices import typing_notify
from .webhooks import (
    room_webhooks,
    webhook_create,
    webhook_delete,
    webhook_lookup,
    webhook_post,
    webhook_regenerate,
)
from .writes import PostResult

__all__ = [
    "DirectRoom",
    "PostResult",
    "ReadPointer",
    "attachment_post",
    "can_moderate",
    "can_remove_member",
    "direct_participants",
    "direct_room_open",
    "effective_level",
    "is_big_room",
    "members_add",
    "members_page_size",
    "membership_add",
    "membership_remove",
    "message_delete",
    "message_edit",
    "message_post",
    "moderator_set",
    "notify_level_set",
    "presence_watched",
    "reaction_set",
    "read_pointer_move",
    "read_pointer_move_by_slug",
    "receipts_shown",
    "room_archive",
    "room_create",
    "room_delete",
    "room_history_read",
    "room_join",
    "room_join_by_slug",
    "room_leave",
    "room_leave_by_slug",
    "room_owner_transfer",
    "room_read_access",
    "room_read_only_set",
    "room_rename",
    "room_topic_set",
    "room_update",
    "room_webhooks",
    "rooms_read_access",
    "typing_notify",
    "webhook_create",
    "webhook_delete",
    "webhook_lookup",
    "webhook_post",
    "webhook_regenerate",
]
