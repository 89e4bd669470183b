"""The `members` of a room's `subscribed` frame, encoded once while nobody's status changes.

Every subscriber of a room is sent the same list (usernames with online/idle) as long as the
room's members (its last seq) and their statuses stay the same: in a reconnect storm, 2,000
subscribers of a room of 2,000 members would otherwise each build and encode 2,000 entries. The
list is kept encoded (an orjson Fragment, embedded as it is in the reply) per room, with the
statuses it was built from; a subscriber who sees other statuses builds a new one. With the
presence store in this process's memory, the tracker's `epoch` says whether any status may have
changed since (`current`): if not, the statuses need not even be read again.

Event loop only (no lock); bounded to the MAX_ROOMS most recently used rooms.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import orjson

from parley.realtime.presence.types import Status
from parley.rooms.selectors import RoomVersion
from parley.wire import frames

MAX_ROOMS = 64


class _Entry(NamedTuple):
    key: tuple[RoomVersion, int]
    statuses: list[Status]
    members: orjson.Fragment
    epoch: int | None


class MemberLists:
    def __init__(self, *, max_rooms: int = MAX_ROOMS) -> None:
        self._max_rooms = max_rooms
        self._rooms: OrderedDict[int, _Entry] = OrderedDict()

    def current(
        self, version: RoomVersion, last_seq: int, epoch: int | None
    ) -> orjson.Fragment | None:
        """The list kept for the room at `last_seq`, if built at presence `epoch` (not None)."""
        entry = self._rooms.get(version[0])
        if (
            epoch is None
            or entry is None
            or (entry.key, entry.epoch) != ((version, last_seq), epoch)
        ):
            return None
        self._rooms.move_to_end(version[0])
        return entry.members

    def encoded(
        self,
        version: RoomVersion,
        last_seq: int,
        names: list[str],
        statuses: list[Status],
        *,
        epoch: int | None = None,
    ) -> orjson.Fragment:
        """[{username, online, idle}…] of the members `names` (the room's at `last_seq`), whose
        statuses are `statuses` (read at presence `epoch`), in that order, encoded."""
        key = (version, last_seq)
        entry = self._rooms.get(version[0])
        if entry is not None and entry.key == key and entry.statuses == statuses:
            self._rooms[version[0]] = entry._replace(epoch=epoch)
            self._rooms.move_to_end(version[0])
            return entry.members
        flags = {status: (status.online, status.idle) for status in set(statuses)}
        members = []
        for name, status in zip(names, statuses, strict=True):
            online, idle = flags[status]
            members.append(frames.member(username=name, online=online, idle=idle))
        fragment = orjson.Fragment(frames.encode_bytes(members))
        self._rooms[version[0]] = _Entry(key, statuses, fragment, epoch)
        self._rooms.move_to_end(version[0])
        while len(self._rooms) > self._max_rooms:
            self._rooms.popitem(last=False)
        return fragment


# This process's lists (its event loop's).
member_lists = MemberLists()
