"""Who may do what in a room: one predicate per question, asked by every service and page.

The owner, her moderators and staff run a room; direct rooms have none of this (their people
are fixed and equal). An archived room is read-only for everyone; a read-only room only for
those who do not run it.
"""

from __future__ import annotations

from parley.core.errors import Forbidden
from parley.core.types import AuthUser
from parley.rooms.models import Membership, Room
from parley.rooms.selectors import RoomAccess, check_room_member

ARCHIVED_MESSAGE = "This room is archived: it is read-only."
READ_ONLY_MESSAGE = "Only the room's owner and moderators post in this read-only room."


def is_owner(*, user: AuthUser, room: Room) -> bool:
    return room.owner_id is not None and room.owner_id == user.pk


def is_moderator(*, user: AuthUser, room: Room) -> bool:
    """`user` holds the moderator role in `room` (the owner need not: she is more than that)."""
    return Membership.objects.filter(room=room, user=user, role=Membership.Role.MODERATOR).exists()


def can_manage_members(*, actor: AuthUser, room: Room) -> bool:
    """The room's owner and staff add members, name moderators, rename, transfer and archive."""
    if room.is_direct:
        return False
    return bool(actor.is_staff or is_owner(user=actor, room=room))


def can_moderate(*, user: AuthUser, room: Room) -> bool:
    """The room's owner, its moderators and staff: they delete anyone's messages, remove
    members, make the room read-only, post in it when it is, and see its settings page."""
    if room.is_direct:
        return False
    if can_manage_members(actor=user, room=room):
        return True
    return is_moderator(user=user, room=room)


def can_remove_member(*, actor: AuthUser, room: Room, user: AuthUser) -> bool:
    """Whether `actor` may remove `user` from `room` (leaving, yourself, is not asked here).

    The owner and staff remove anyone but the owner; a moderator removes plain members only (not
    the owner, not another moderator). The owner's own refusal has its wording in
    memberships.check_can_leave, so she is not refused here for owner and staff.
    """
    if room.is_direct:
        return False
    if can_manage_members(actor=actor, room=room):
        return True
    if is_owner(user=user, room=room) or not is_moderator(user=actor, room=room):
        return False
    return not is_moderator(user=user, room=room)


def check_not_archived(room: Room) -> None:
    if room.archived_at is not None:
        raise Forbidden(ARCHIVED_MESSAGE)


def check_can_post(access: RoomAccess | None, *, user: AuthUser) -> Room:
    """The room of `access` for a member who may post in it now (messages, replies, uploads,
    edits): RoomNotFound, NotAMember, then Forbidden in an archived room, and in a read-only
    room for anyone who cannot moderate it."""
    room = check_room_member(access)
    check_not_archived(room)
    if room.read_only and not can_moderate(user=user, room=room):
        raise Forbidden(READ_ONLY_MESSAGE)
    return room


def check_can_react(access: RoomAccess | None) -> Room:
    """Reactions stay open in a read-only room (an announcement is acknowledged with 👍, as in
    Slack's announcement channels); an archived room takes none."""
    room = check_room_member(access)
    check_not_archived(room)
    return room
