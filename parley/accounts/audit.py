"""The audit log: one `AuditEntry` per moderation action, written where the action is.

Only moderation of someone else is recorded (staff deactivating an account, a moderator deleting
another person's message, an owner or moderator removing a member, moderators named or unnamed,
a room renamed, made read-only, given to another owner or archived): an author
deleting their own message or a member leaving writes nothing here, so everyday traffic costs no
extra query. Callers write the entry inside the transaction of the action itself, so an action
that is rolled back leaves no entry and a stored action always has one. Staff read the log in
the admin (parley/accounts/admin_moderation.py), read-only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from parley.accounts.models import AuditEntry
from parley.core.types import AuthUser


class AuditAction(StrEnum):
    """The `action` of an entry (a stable name: filters and exports rely on it)."""

    USER_DEACTIVATE = "user_deactivate"
    USER_REACTIVATE = "user_reactivate"
    MESSAGES_DELETE_ALL = "messages_delete_all"
    MESSAGE_DELETE = "message_delete"
    MEMBER_REMOVE = "member_remove"
    MODERATOR_SET = "moderator_set"
    MODERATOR_UNSET = "moderator_unset"
    # A room's owner, moderators or staff changing the room itself (rooms/services/roles.py).
    ROOM_READ_ONLY = "room_read_only"
    ROOM_RENAME = "room_rename"
    ROOM_OWNER_TRANSFER = "room_owner_transfer"
    ROOM_ARCHIVE = "room_archive"
    ROOM_UNARCHIVE = "room_unarchive"
    # Staff clearing someone's display name, status and picture (accounts/moderation.py).
    PROFILE_RESET = "profile_reset"


def audit_record(
    *,
    actor: AuthUser | None,
    action: str,
    target_user: AuthUser | None = None,
    room: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Store one entry (one INSERT). `room` is the room's slug, kept as text so the entry
    outlives the room; `detail` is anything else worth keeping (a reason, a seq, counts)."""
    return AuditEntry.objects.create(
        actor=actor,
        action=str(action),
        target_user=target_user,
        room=room,
        detail=detail or {},
    )
