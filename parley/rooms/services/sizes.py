"""What a room's size changes (docs/protocol.md "Big rooms"): the rules every adapter asks."""

from __future__ import annotations

from django.conf import settings


def is_big_room(member_count: int) -> bool:
    """A big room lists its first page of members only (`subscribed`, the room page), with the
    total; the rest are paged and searched."""
    limit: int = settings.PARLEY["BIG_ROOM_MEMBERS"]
    return member_count > limit


def members_page_size() -> int:
    """How many members a big room lists at first."""
    size: int = settings.PARLEY["MEMBERS_PAGE"]
    return size


def presence_watched(member_count: int) -> bool:
    """In a room this big, only the sockets that sent `presence_watch` get `presence` frames."""
    limit: int = settings.PARLEY["PRESENCE_WATCH_MEMBERS"]
    return member_count > limit
