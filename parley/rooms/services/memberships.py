"""Joining, leaving, adding and removing members. Each change is a timeline event.

A room keeps its owner as a member for as long as she owns it (`check_can_leave`): leaving,
removing herself, staff removing her and the admin's deletions all meet that rule here.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from parley.accounts.audit import AuditAction, audit_record
from parley.core import changes, ratelimit
from parley.core.errors import Forbidden, InvalidInput, OwnerCannotLeave
from parley.core.types import AuthUser
from parley.rooms.changes import item_added
from parley.rooms.models import Item, Membership, Room
from parley.rooms.selectors import access_room
from parley.rooms.services.permissions import (
    can_manage_members,
    can_moderate,
    can_remove_member,
    check_not_archived,
)
from parley.rooms.services.sequence import item_append


@dataclass(frozen=True)
class MembershipChange:
    room: Room
    changed: bool
    event: Item | None


def check_can_be_member(*, user: AuthUser, room: Room) -> None:
    if room.staff_only and not user.is_staff:
        raise InvalidInput("Only staff can be members of a staff-only room.")


def check_not_direct(room: Room) -> None:
    """A direct room's participants are fixed: nobody joins, leaves or is added or removed."""
    if room.is_direct:
        raise Forbidden("The people of a direct conversation do not change.")


def _add(*, user: AuthUser, room: Room) -> MembershipChange:
    check_not_direct(room)
    check_not_archived(room)
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
        changes.emit_on_commit(item_added(event, room=room))
    return MembershipChange(room=room, changed=True, event=event)


def check_can_leave(*, user: AuthUser, room: Room, actor: AuthUser | None = None) -> None:
    """OwnerCannotLeave (a `forbidden`) when `user` owns `room` and is one of its members.

    Without the rule an owner could leave her own private room and find it gone (it is visible
    to members only), leaving a room with no members and no one to manage it. Ownership passes
    first (roles.room_owner_transfer, or staff in the admin); then the former owner leaves.
    An owner who is not a member has nothing to leave and is not refused. `actor`, who asks
    (`user` herself by default), only chooses the wording.
    """
    if room.owner_id is None or room.owner_id != user.pk:
        return
    if not Membership.objects.filter(room=room, user=user).exists():
        return
    if actor is None or actor.pk == user.pk:
        raise OwnerCannotLeave()
    raise OwnerCannotLeave(
        f"{user.get_username()} owns this room, so they cannot be removed from it: make"
        " another member its owner first."
    )


def _remove(*, user: AuthUser, room: Room, actor: AuthUser | None = None) -> MembershipChange:
    check_not_direct(room)
    with transaction.atomic():
        check_can_leave(user=user, room=room, actor=actor)
        deleted, _ = Membership.objects.filter(room=room, user=user).delete()
        if not deleted:
            return MembershipChange(room=room, changed=False, event=None)
        removed_by = actor if actor is not None and actor.pk != user.pk else None
        # `actor`: clients say "bob was removed by ada" rather than "bob left".
        event = item_append(room=room, kind=Item.Kind.LEAVE, user=user, actor=removed_by)
        if removed_by is not None:
            # Someone else removed them: moderation, in the audit log (leaving is not).
            audit_record(
                actor=actor,
                action=AuditAction.MEMBER_REMOVE,
                target_user=user,
                room=room.slug,
                detail={"event_seq": event.seq},
            )
        changes.emit_on_commit(item_added(event, room=room))
    return MembershipChange(room=room, changed=True, event=event)


def room_join(*, user: AuthUser, room: Room) -> MembershipChange:
    """`user` joins a room it can see (the caller looked it up with `access_room`).

    A public room is open to everyone; a private room only to its members and staff, so a
    non-member reaches this only as staff. Joining twice changes nothing and emits nothing.
    Emits: the `join` event to the room's subscribers.
    """
    return _add(user=user, room=room)


def room_leave(*, user: AuthUser, room: Room, actor: AuthUser | None = None) -> MembershipChange:
    """`user` leaves. Emits the `leave` event; in a private room its sockets stop receiving.

    OwnerCannotLeave for the room's owner (`check_can_leave`). `actor` is who asks when it is
    not `user` (staff removing a membership in the admin): it words that refusal.
    """
    return _remove(user=user, room=room, actor=actor)


def check_membership_rate(*, user: AuthUser) -> None:
    """One more membership change asked for by `user`: RateLimited when they ask too often.

    Joins, leaves and an owner's additions and removals share one limit: each writes a timeline
    event that every subscriber receives. Changes made in the admin are not counted.
    """
    ratelimit.check(ratelimit.Action.MEMBERSHIP, user=user)


def room_join_by_slug(*, user: AuthUser, slug: object) -> MembershipChange:
    """`user` asks to join the room `slug` (socket or page), in the contract's order of checks.

    RateLimited first (a refused join is counted too), then RoomNotFound for a room the user
    may not see, then `room_join`.
    """
    check_membership_rate(user=user)
    return room_join(user=user, room=access_room(user=user, slug=slug))


def room_leave_by_slug(*, user: AuthUser, slug: object) -> MembershipChange:
    """`user` asks to leave the room `slug`: RateLimited, RoomNotFound, then `room_leave`."""
    check_membership_rate(user=user)
    return room_leave(user=user, room=access_room(user=user, slug=slug))


def check_can_manage_members(*, actor: AuthUser, room: Room) -> None:
    if not can_manage_members(actor=actor, room=room):
        raise Forbidden("Only the room's owner can manage its members.")


def user_by_username(username: str) -> AuthUser:
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise InvalidInput("No user with that username.") from None


def membership_add(*, actor: AuthUser, room: Room, username: str) -> MembershipChange:
    """The owner (or staff) adds `username` to the room, as for a private room's invitations.

    Counts against the actor's membership limit (RateLimited) before anything else.
    """
    check_membership_rate(user=actor)
    check_can_manage_members(actor=actor, room=room)
    return _add(user=user_by_username(username), room=room)


# People added by one submission of the "Add people" page.
MEMBERS_ADD_MAX = 20


def members_add(*, actor: AuthUser, room: Room, usernames: list[str]) -> list[MembershipChange]:
    """The owner (or staff) adds several people at once (the "Add people" page): all or none.

    Each one added is one membership change against the actor's limit, counted before anything
    is written (RateLimited adds no one); Forbidden for anyone but the owner and staff, then
    InvalidInput naming any unknown username. People already in the room are left as they are
    (changed=False). Emits a `join` event per person added, like `membership_add`.
    """
    wanted = list(dict.fromkeys(name for name in usernames if name))
    if not wanted:
        raise InvalidInput("Choose at least one person.")
    if len(wanted) > MEMBERS_ADD_MAX:
        raise InvalidInput(f"Add at most {MEMBERS_ADD_MAX} people at once.")
    check_can_manage_members(actor=actor, room=room)
    User = get_user_model()
    found = {user.get_username(): user for user in User.objects.filter(username__in=wanted)}
    unknown = [name for name in wanted if name not in found]
    if unknown:
        raise InvalidInput(f"No user named {', '.join(unknown)}.")
    members = set(
        Membership.objects.filter(room=room, user__in=found.values()).values_list(
            "user__username", flat=True
        )
    )
    for _ in range(len([name for name in wanted if name not in members])):
        check_membership_rate(user=actor)
    with transaction.atomic():
        return [_add(user=found[name], room=room) for name in wanted]


def membership_remove(*, actor: AuthUser, room: Room, username: str) -> MembershipChange:
    """The owner, a moderator or staff removes `username`; removing yourself is leaving.

    Counts against the actor's membership limit (RateLimited) first. Permission is checked before
    the lookup (Forbidden for anyone who cannot moderate the room), so no one else learns which
    usernames exist; then `can_remove_member` (a moderator removes plain members only). The owner
    herself is never removed: OwnerCannotLeave (`check_can_leave`). The `leave` event records
    the actor (Item.actor) when it is a removal.
    """
    check_membership_rate(user=actor)
    if username == actor.get_username():
        return _remove(user=actor, room=room, actor=actor)
    if not can_moderate(user=actor, room=room):
        raise Forbidden("Only the room's owner and moderators can remove its members.")
    user = user_by_username(username)
    if not can_remove_member(actor=actor, room=room, user=user):
        raise Forbidden("Moderators remove members, not the owner or other moderators.")
    return _remove(user=user, room=room, actor=actor)


def moderator_set(*, actor: AuthUser, room: Room, username: str, moderator: bool) -> bool:
    """Make a member of `room` one of its moderators (or a plain member again): the owner's and
    staff's call (Forbidden otherwise); InvalidInput for someone who is not a member. Returns
    whether anything changed. Moderators delete anyone's messages in the room (edits.py) and
    remove plain members (permissions.py). Each change is a `role` event in the timeline (its
    `actor` the one who named them) and an entry in the audit log (accounts/audit.py)."""
    check_can_manage_members(actor=actor, room=room)
    user = user_by_username(username)
    role = Membership.Role.MODERATOR if moderator else Membership.Role.MEMBER
    membership = Membership.objects.filter(room=room, user=user).first()
    if membership is None:
        raise InvalidInput(f"{username} is not a member of this room.")
    if membership.role == role:
        return False
    with transaction.atomic():
        membership.role = role
        membership.save(update_fields=["role"])
        event = item_append(
            room=room, kind=Item.Kind.ROLE, user=user, actor=actor, detail={"role": str(role)}
        )
        audit_record(
            actor=actor,
            action=AuditAction.MODERATOR_SET if moderator else AuditAction.MODERATOR_UNSET,
            target_user=user,
            room=room.slug,
            detail={"event_seq": event.seq},
        )
        changes.emit_on_commit(item_added(event, room=room))
    return True
