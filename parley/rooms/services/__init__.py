"""Everything that changes rooms, memberships and timelines.

Views, consumers, the admin and management commands call these functions and nothing else to
change state. Each one validates and authorises (`check_*`), writes in one transaction, and
publishes its events to live clients only after the transaction commits.
"""

from .memberships import membership_add, membership_remove, room_join, room_leave
from .messages import PostResult, message_post
from .rooms import room_create

__all__ = [
    "PostResult",
    "membership_add",
    "membership_remove",
    "message_post",
    "room_create",
    "room_join",
    "room_leave",
]
