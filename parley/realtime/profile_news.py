"""What a person's profile change (accounts.changes.ProfileChanged) tells the rooms they are in.

Read once, after the change committed: the person as others now see them (one query, their
profile, bot and notification rows selected with them) and the rooms they are a member of,
direct rooms included (one query). The `profile` frame is the same for every room, so it is
encoded once; broadcast.py publishes it once per room.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from parley.accounts.profiles import profile_value
from parley.rooms.models import Membership
from parley.wire import frames


def profile_news(user_id: int) -> tuple[str, list[int]] | None:
    """The `profile` frame of the user and the ids of their rooms; None when nobody is to hear
    it (the user is in no room, or is gone)."""
    room_ids = list(Membership.objects.filter(user_id=user_id).values_list("room_id", flat=True))
    if not room_ids:
        return None
    user = (
        get_user_model()
        ._default_manager.filter(pk=user_id)
        .select_related("profile", "bot", "notification_prefs")
        .first()
    )
    if user is None:
        return None
    return frames.profile_text(profile_value(user)), room_ids
