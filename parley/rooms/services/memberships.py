"""Joining, leaving, adding and removing members. Each change is a timeline event."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from parley.core import ratelimit
from parley.core.errors import Forbidden, InvalidInput
from parley.realtime import broadcast
from parley.rooms.models import Item, Membership, Room
from parley.rooms.selectors import access_room
from parley.rooms.services.sequence import item_append


@dataclass(frozen=True)
class MembershipChange:
    room: Room
    changed: bool
    event: Item | None


def check_can_be_member(*, user, room: Room) -> None:
    if room.staff_only and not user.is_staff:
        raise InvalidInput("Only staff can be members of a staff-only room.")


def _add(*, user, room: Room) -> MembershipChange:
    check_can_be_member(user=user, room=room)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(room=room, user=user)
        if not created:
            return MembershipChange(room=room, changed=False, event=None)
        event = item_append(room=room, kind=Item.Kind.JOIN, user=user)
        # A new member starts with everything before their join read: the room's history is
        # there to scroll back through, not a pile of unread messages.
        membership.last_read_seq = event.seq
        membership.save(update_fields=["last_read_seq"])
        broadcast.publish_item_on_commit(event, room=room)
    return MembershipChange(room=room, changed=True, event=event)


def _remove(*, user, room: Room) -> MembershipChange:
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(room=room, user=user).delete()
        if not deleted:
            return MembershipChange(room=room, changed=False, event=None)
        event = item_append(room=room, kind=Item.Kind.LEAVE, user=user)
        broadcast.publish_item_on_commit(event, room=room)
    return MembershipChange(room=room, changed=True, event=event)


def room_join(*, user, room: Room) -> MembershipChange:
    """`user` joins a room it can see (the caller looked it up with `access_room`).

    A public room is open to everyone; a private room only to its members and staff, so a
    non-member reaches this only as staff. Joining twice changes nothing and emits nothing.
    Emits: the `join` event to the room's subscribers.
    """
    return _add(user=user, room=room)


def room_leave(*, user, room: Room) -> MembershipChange:
    """`user` leaves. Emits the `leave` event; in a private room its sockets stop receiving."""
    return _remove(user=user, room=room)


def check_membership_rate(*, user) -> None:
    """One more membership change asked for by `user`: RateLimited when they ask too often.

    Joins, leaves and an owner's additions and removals share one limit: each writes a timeline
    event that every subscriber receives. Changes made in the admin are not counted.
    """
    ratelimit.check(ratelimit.Action.MEMBERSHIP, user=user)


def room_join_by_slug(*, user, slug: object) -> MembershipChange:
    """`user` asks to join the room `slug` (socket or page), in the contract's order of checks.

    RateLimited first (a refused join is counted too), then RoomNotFound for a room the user
    may not see, then `room_join`.
    """
    check_membership_rate(user=user)
    return room_join(user=user, room=access_room(user=user, slug=slug))


def room_leave_by_slug(*, user, slug: object) -> MembershipChange:
    """`user` asks to leave the room `slug`: RateLimited, RoomNotFound, then `room_leave`."""
    check_membership_rate(user=user)
    return room_leave(user=user, room=access_room(user=user, slug=slug))


def check_can_manage_members(*, actor, room: Room) -> None:
    if not (actor.is_staff or (room.owner_id is not None and room.owner_id == actor.pk)):
        raise Forbidden("Only the room's owner can manage its members.")


def _user_by_username(username: str):
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise InvalidInput("No user with that username.") from None


def membership_add(*, actor, room: Room, username: str) -> MembershipChange:
    """The owner (or staff) adds `username` to the room, as for a private room's invitations.

    Counts against the actor's membership limit (RateLimited) before anything else.
    """
    check_membership_rate(user=actor)
    check_can_manage_members(actor=actor, room=room)
    return _add(user=_user_by_username(username), room=room)


def membership_remove(*, actor, room: Room, username: str) -> MembershipChange:
    """The owner (or staff) removes `username`; removing yourself is leaving.

    Counts against the actor's membership limit (RateLimited) first. Permission is checked before
    the lookup, so no one else learns which usernames exist.
    """
    check_membership_rate(user=actor)
    if username != actor.get_username():
        check_can_manage_members(actor=actor, room=room)
    return _remove(user=_user_by_username(username), room=room)
