"""Who may see a room: one rule, read two ways.

The rule (`_rule`) is written once, over five terms: the user is staff, the room is staff-only,
the room is public, the room is direct, the user is a member. It is evaluated either on one room
already read (`room_is_visible`: plain booleans) or as a filter for a query of rooms
(`room_visible_q`: the same terms as Q expressions), so the SQL and the Python answers cannot
drift apart.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Exists, OuterRef, Q

from parley.core.types import AuthUser
from parley.rooms.models import Membership, Room


def _rule(terms: Any) -> Any:
    # A direct room is seen by its participants only, staff included. Of the other rooms, staff
    # see every one; anyone else a room that is not staff-only and is public or theirs.
    return terms.either(
        terms.both(terms.direct, terms.member),
        terms.both(
            terms.negate(terms.direct),
            terms.either(
                terms.staff,
                terms.both(
                    terms.negate(terms.staff_only), terms.either(terms.public, terms.member)
                ),
            ),
        ),
    )


class _OneRoom:
    """The terms for one room already read: booleans."""

    def __init__(self, *, staff: bool, room: Room, member: bool) -> None:
        self.staff = staff
        self.staff_only = room.staff_only
        self.public = room.visibility == Room.Visibility.PUBLIC
        self.direct = room.visibility == Room.Visibility.DIRECT
        self.member = member

    @staticmethod
    def either(a: bool, b: bool) -> bool:
        return a or b

    @staticmethod
    def both(a: bool, b: bool) -> bool:
        return a and b

    @staticmethod
    def negate(a: bool) -> bool:
        return not a


class _RoomQuery:
    """The terms as filters of Room rows. The user's staff status is known before the query:
    a constant (True/False), folded away here (an empty Q would not mean "every row" in `|`)."""

    def __init__(self, user: AuthUser) -> None:
        self.staff = bool(user.is_staff)
        self.staff_only = Q(staff_only=True)
        self.public = Q(visibility=Room.Visibility.PUBLIC)
        self.direct = Q(visibility=Room.Visibility.DIRECT)
        self.member = Q(Exists(Membership.objects.filter(room=OuterRef("pk"), user=user)))

    @staticmethod
    def either(a: Any, b: Any) -> Any:
        if a is True or b is True:
            return True
        if a is False:
            return b
        if b is False:
            return a
        return a | b

    @staticmethod
    def both(a: Any, b: Any) -> Any:
        if a is False or b is False:
            return False
        if a is True:
            return b
        if b is True:
            return a
        return a & b

    @staticmethod
    def negate(a: Any) -> Any:
        return (not a) if isinstance(a, bool) else ~a


def room_is_visible(
    user: AuthUser | None, room: Room, *, member: bool, is_staff: bool | None = None
) -> bool:
    """Whether `user` may see `room`, given whether they are a member of it (and whether they
    are staff now, when read afresh: selectors.lookup_room_access, selectors.room_viewers; then
    `user` may be None)."""
    if is_staff is None:
        assert user is not None  # without `is_staff`, the user's own flag says
        is_staff = user.is_staff
    staff = bool(is_staff)
    return bool(_rule(_OneRoom(staff=staff, room=room, member=member)))


def room_visible_q(user: AuthUser) -> Q:
    """The rooms `user` may see, as a filter of Room querysets."""
    condition = _rule(_RoomQuery(user))
    if condition is True:
        return Q()
    if condition is False:
        return Q(pk__in=[])
    return cast(Q, condition)  # neither True nor False: the rule folded to a Q expression
