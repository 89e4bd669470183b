"""What every new account gets: a membership in each room marked `auto_join` (#general).

One place, called explicitly by every path that makes a person's account: the sign-up page (in
any sign-up mode), the set-up page (parley/accounts/firstrun.py), the admin's add-user form
(parley/accounts/forms.py) and `manage.py createsuperuser` (parley/web/management/commands/).
Not a post_save signal on purpose: bot accounts (parley/accounts/bots.py) are users too and must
not join rooms, and test factories make users that should not write timeline events.
"""

from __future__ import annotations

from parley.accounts.models import Bot
from parley.core.types import AuthUser
from parley.rooms.models import Room
from parley.rooms.services.memberships import room_join


def auto_join_rooms() -> list[Room]:
    """The rooms new accounts join, oldest first (direct rooms never: their people are fixed)."""
    return list(
        Room.objects.filter(auto_join=True)
        .exclude(visibility=Room.Visibility.DIRECT)
        .order_by("pk")
    )


def account_welcome(*, user: AuthUser) -> list[Room]:
    """`user`, just made, joins every `auto_join` room it may be a member of (a staff-only room
    only for staff) through the membership service: a `join` event in each. The rooms joined.
    A bot joins nothing. Joining a room the user is already in changes nothing."""
    if Bot.objects.filter(user_id=user.pk).exists():
        return []
    joined = []
    for room in auto_join_rooms():
        if room.staff_only and not user.is_staff:
            continue
        if room_join(user=user, room=room).changed:
            joined.append(room)
    return joined
