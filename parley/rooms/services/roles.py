"""What a room's owner and moderators change about the room itself: read-only (announcements),
its name, its owner, whether it is archived. Who may is asked of permissions.py.

Each change is an `event` item of the room's timeline (kinds read_only, rename, owner,
archive; Item.actor is who did it, Item.detail the particulars), written in the transaction of
the change and emitted after commit like a join, so subscribers see it live and resume and
history replay it; and an entry of the audit log. Direct rooms have none of this (Forbidden).
The member-facing roles (moderators named, members removed) live in memberships.py.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from parley.accounts.audit import AuditAction, audit_record
from parley.core import changes
from parley.core.errors import Forbidden, InvalidInput
from parley.core.types import AuthUser
from parley.rooms.changes import item_added
from parley.rooms.models import Item, Membership, Room
from parley.rooms.services.memberships import (
    check_can_manage_members,
    check_membership_rate,
    check_not_direct,
    user_by_username,
)
from parley.rooms.services.permissions import can_moderate, check_not_archived
from parley.rooms.services.rooms import check_room_name
from parley.rooms.services.sequence import item_append, next_seq


class _Unchanged(Exception):
    """Raised inside a change's transaction when the room, read under its write lock, already
    is as asked: the transaction (and the seq it reserved) is rolled back, nothing is written."""


def _locked(room: Room) -> tuple[int, Room]:
    """Inside a transaction: the room's next seq (its write lock) and the room as it is now, so
    two concurrent changes each see the other's result and "previous" is never stale."""
    seq = next_seq(room.pk)
    return seq, Room.objects.select_related("owner").get(pk=room.pk)


def _change(
    *,
    actor: AuthUser,
    room: Room,
    kind: str,
    fields: dict[str, Any],
    detail: dict[str, Any],
    action: AuditAction,
    seq: int,
    user: AuthUser | None = None,
) -> Item:
    """Write `fields` to the room and its event item at `seq`, audit it, emit it on commit."""
    Room.objects.filter(pk=room.pk).update(**fields)
    for name, value in fields.items():
        setattr(room, name, value)
    subject = user or actor
    event = item_append(
        room=room,
        kind=kind,
        user=subject,
        seq=seq,
        actor=actor if subject.pk != actor.pk else None,
        detail=detail,
    )
    audit_record(
        actor=actor,
        action=action,
        target_user=user,
        room=room.slug,
        detail={**detail, "event_seq": event.seq},
    )
    changes.emit_on_commit(item_added(event, room=room))
    return event


def _check_can_run(*, actor: AuthUser, room: Room) -> None:
    check_membership_rate(user=actor)
    check_not_direct(room)


def room_read_only_set(*, actor: AuthUser, room: Room, on: bool) -> bool:
    """Make the room read-only (`on`: announcements) or open it again; whether it changed.

    The owner, moderators and staff (Forbidden otherwise, and in an archived room). Counts
    against the actor's membership limit (RateLimited) first: every change is a timeline event.
    In a read-only room only they post (permissions.check_can_post); everyone reacts.
    Emits the `read_only` event (detail {"on": …}).
    """
    _check_can_run(actor=actor, room=room)
    if not can_moderate(user=actor, room=room):
        raise Forbidden("Only the room's owner and moderators can make it read-only.")
    check_not_archived(room)
    try:
        with transaction.atomic():
            seq, current = _locked(room)
            if current.read_only == on:
                raise _Unchanged()
            _change(
                actor=actor,
                room=room,
                kind=Item.Kind.READ_ONLY,
                fields={"read_only": on},
                detail={"on": on},
                action=AuditAction.ROOM_READ_ONLY,
                seq=seq,
            )
    except _Unchanged:
        room.read_only = on
        return False
    return True


def room_rename(*, actor: AuthUser, room: Room, name: str) -> bool:
    """The owner (or staff) gives the room a new name; its slug (its address) stays. Whether it
    changed. Forbidden for anyone else and in an archived room; InvalidInput for a name
    `check_room_name` refuses. Emits the `rename` event (detail {"from": old, "to": new})."""
    _check_can_run(actor=actor, room=room)
    check_can_manage_members(actor=actor, room=room)
    check_not_archived(room)
    name = check_room_name(name)
    try:
        with transaction.atomic():
            seq, current = _locked(room)
            if current.name == name:
                raise _Unchanged()
            _change(
                actor=actor,
                room=room,
                kind=Item.Kind.RENAME,
                fields={"name": name},
                detail={"from": current.name, "to": name},
                action=AuditAction.ROOM_RENAME,
                seq=seq,
            )
    except _Unchanged:
        return False
    return True


def room_owner_transfer(*, actor: AuthUser, room: Room, username: str) -> bool:
    """The owner (or staff) gives the room to another member, `username`; whether it changed.

    The former owner stays a member and becomes a moderator, so she keeps moderating the room
    she made until the new owner decides otherwise. Forbidden for anyone else; InvalidInput for
    someone who is not an active member. Works in an archived room too (it changes no content).
    Emits the `owner` event (user: the new owner; actor: who gave it; detail {"previous": …}).
    """
    _check_can_run(actor=actor, room=room)
    check_can_manage_members(actor=actor, room=room)
    user = user_by_username(username)
    if not user.is_active or not Membership.objects.filter(room=room, user=user).exists():
        raise InvalidInput(f"{username} is not a member of this room.")
    try:
        with transaction.atomic():
            seq, current = _locked(room)
            if current.owner_id == user.pk:
                raise _Unchanged()
            previous = current.owner
            if previous is not None:
                Membership.objects.filter(room=room, user=previous).update(
                    role=Membership.Role.MODERATOR
                )
            _change(
                actor=actor,
                room=room,
                kind=Item.Kind.OWNER,
                fields={"owner": user},
                detail={"previous": previous.get_username() if previous else None},
                action=AuditAction.ROOM_OWNER_TRANSFER,
                seq=seq,
                user=user,
            )
    except _Unchanged:
        return False
    return True


def room_archive(*, actor: AuthUser, room: Room, archived: bool) -> bool:
    """The owner (or staff) archives the room (`archived`) or brings it back; whether it changed.

    An archived room is read-only for everyone (sends, edits, reactions and joins are
    Forbidden; permissions.py), leaves the sidebar and the user's rooms, and stays readable
    under "Archived" on the home page. Forbidden for anyone else. Emits the `archive` event
    (detail {"archived": …}), the last item of an archived room until it is brought back.
    """
    _check_can_run(actor=actor, room=room)
    check_can_manage_members(actor=actor, room=room)
    try:
        with transaction.atomic():
            seq, current = _locked(room)
            if (current.archived_at is not None) == archived:
                raise _Unchanged()
            _change(
                actor=actor,
                room=room,
                kind=Item.Kind.ARCHIVE,
                fields={"archived_at": timezone.now() if archived else None},
                detail={"archived": archived},
                action=AuditAction.ROOM_ARCHIVE if archived else AuditAction.ROOM_UNARCHIVE,
                seq=seq,
            )
    except _Unchanged:
        return False
    return True
