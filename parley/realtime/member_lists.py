"""The `members` of a room's `subscribed` frame, encoded once while nobody's status changes.

Every subscriber of a room is sent the same list (usernames with online/idle, and what a member
list shows of each: display name, status, do not disturb) as long as the room's members (its
last seq), their statuses and their profiles stay the same: in a reconnect storm, 2,000
subscribers of a room of 2,000 members would otherwise each build and encode 2,000 entries. The
list is kept encoded (an orjson Fragment, embedded as it is in the reply) per room, with the
statuses and profiles it was built from; a subscriber who sees other statuses builds a new one
from the profiles kept. With the presence store in this process's memory, the tracker's `epoch`
says whether any status may have changed since (`current`): if not, the statuses need not even
be read again.

Profiles change without the room's last seq moving, so a room's profiles are kept until the hub
hears that one of its members changed theirs (`forget`, on the room's `profile` frame), or until
the first "do not disturb" in them ends. Profiles read across a `forget` (`mark`, then `encoded`
with `since`) serve the subscriber who read them but are not kept.

Event loop only (no lock); bounded to the MAX_ROOMS most recently used rooms.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime
from typing import NamedTuple

import orjson

from parley.realtime.presence.types import Status
from parley.rooms.selectors import MemberProfile, RoomVersion
from parley.wire import frames

MAX_ROOMS = 64

Profiles = dict[str, MemberProfile]


class _Entry(NamedTuple):
    key: tuple[RoomVersion, int]
    statuses: list[Status]
    members: orjson.Fragment
    epoch: int | None
    profiles: Profiles
    # The first "do not disturb" in `profiles` ends then: the list is stale from that moment.
    expires: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


class MemberLists:
    def __init__(self, *, max_rooms: int = MAX_ROOMS) -> None:
        self._max_rooms = max_rooms
        self._rooms: OrderedDict[int, _Entry] = OrderedDict()
        # Room id -> how many times its profiles were forgotten (see `mark`).
        self._forgets: dict[int, int] = {}

    def _entry(self, version: RoomVersion, last_seq: int) -> _Entry | None:
        entry = self._rooms.get(version[0])
        if entry is None or entry.key != (version, last_seq):
            return None
        if entry.expires is not None and entry.expires <= _now():
            del self._rooms[version[0]]
            return None
        return entry

    def current(
        self, version: RoomVersion, last_seq: int, epoch: int | None
    ) -> orjson.Fragment | None:
        """The list kept for the room at `last_seq`, if built at presence `epoch` (not None)."""
        if epoch is None:
            return None
        entry = self._entry(version, last_seq)
        if entry is None or entry.epoch != epoch:
            return None
        self._rooms.move_to_end(version[0])
        return entry.members

    def profiles(self, version: RoomVersion, last_seq: int) -> Profiles | None:
        """The members' profiles kept for the room at `last_seq`, or None: read them (after
        `mark`) and give them to `encoded`."""
        entry = self._entry(version, last_seq)
        return None if entry is None else entry.profiles

    def mark(self, room_id: int) -> int:
        """A mark to take before reading a room's profiles, for `encoded(since=…)`."""
        return self._forgets.get(room_id, 0)

    def forget(self, room_id: int) -> None:
        """A member of the room changed their profile: its list is built again."""
        self._forgets[room_id] = self._forgets.get(room_id, 0) + 1
        self._rooms.pop(room_id, None)

    def encoded(
        self,
        version: RoomVersion,
        last_seq: int,
        names: list[str],
        statuses: list[Status],
        *,
        epoch: int | None = None,
        profiles: Profiles | None = None,
        since: int | None = None,
    ) -> orjson.Fragment:
        """[{username, online, idle, display_name?, status?, dnd_until?}…] of the members
        `names` (the room's at `last_seq`), whose statuses are `statuses` (read at presence
        `epoch`), in that order, encoded. `profiles`: read after `mark` gave `since` (None: the
        ones kept for this room at `last_seq`, if any)."""
        key = (version, last_seq)
        entry = self._entry(version, last_seq)
        if profiles is None:
            profiles = entry.profiles if entry is not None else {}
        elif entry is not None and entry.profiles is not profiles and entry.profiles != profiles:
            entry = None
        if entry is not None and entry.statuses == statuses:
            self._rooms[version[0]] = entry._replace(epoch=epoch)
            self._rooms.move_to_end(version[0])
            return entry.members
        now = _now()
        flags = {status: (status.online, status.idle) for status in set(statuses)}
        members = []
        ends = []
        for name, status in zip(names, statuses, strict=True):
            online, idle = flags[status]
            profile = profiles.get(name)
            if profile is None:
                members.append(frames.member(username=name, online=online, idle=idle))
                continue
            dnd_until = profile.dnd_until if profile.dnd_until and profile.dnd_until > now else None
            if dnd_until is not None:
                ends.append(dnd_until)
            members.append(
                frames.member(
                    username=name,
                    online=online,
                    idle=idle,
                    display_name=profile.display_name,
                    status_emoji=profile.status_emoji,
                    status_text=profile.status_text,
                    dnd_until=dnd_until,
                )
            )
        fragment = orjson.Fragment(frames.encode_bytes(members))
        if since is not None and since != self.mark(version[0]):
            return fragment  # a profile changed while they were read: not kept
        self._rooms[version[0]] = _Entry(
            key, statuses, fragment, epoch, profiles, min(ends, default=None)
        )
        self._rooms.move_to_end(version[0])
        while len(self._rooms) > self._max_rooms:
            self._rooms.popitem(last=False)
        return fragment


# This process's lists (its event loop's).
member_lists = MemberLists()
