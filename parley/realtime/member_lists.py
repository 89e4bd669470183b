"""The `members` of a room's `subscribed` frame, encoded once while nobody's status changes.

Every subscriber of a room is sent the same list (usernames with online/idle, and what a member
list shows of each: display name, status, do not disturb) as long as the room's members (its
last seq), their statuses and their profiles stay the same: in a reconnect storm, 2,000
subscribers of a room of 2,000 members would otherwise each build and encode 2,000 entries. The
list is kept encoded (an orjson Fragment, embedded as it is in the reply) per room, with the
statuses and profiles it was built from; a subscriber who sees other statuses builds a new one
from the profiles kept. With the presence store in this process's memory, the tracker's `epoch`
says whether any status may have changed since (`current`): if not, the statuses need not even
be read again. A big room's list is its first page only (`first`: docs/protocol.md "Big
rooms"), in the order every page of members is listed in (`presence_order`); where a subscriber
gets no presence changes anyway, a page a moment old serves it (`current`'s `max_age`).

Profiles change without the room's last seq moving, so a room's profiles are kept until the hub
hears that one of its members changed theirs (`forget`, on the room's `profile` frame), or until
the first "do not disturb" in a kept list ends. Profiles read across a `forget` (`mark`, then
`encoded` or `keep_profiles` with `since`) serve the subscriber who read them but are not kept.

Event loop only (no lock); bounded to the MAX_ROOMS most recently used rooms.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

import orjson

from parley.realtime.presence.types import Status
from parley.rooms.selectors import MemberProfile, RoomVersion
from parley.wire import frames

# As many rooms as the room cache keeps: a user in 200 rooms subscribes to all of them at once.
MAX_ROOMS = 256

Profiles = dict[str, MemberProfile]

# (online, idle) of each status, looked up once per member rather than computed.
_FLAGS = {status: (status.online, status.idle) for status in Status}


class _Entry(NamedTuple):
    key: tuple[RoomVersion, int]
    profiles: Profiles
    # The list encoded (None: only the profiles are kept): all members or the `first` in
    # presence order, `shown` with these statuses (all members' in their order, or the page's
    # (index, status) each), at presence `epoch`, at `built_at` (monotonic) or confirmed then.
    shown: list[Status] | list[tuple[int, Status]] | None
    members: orjson.Fragment | None
    first: int | None
    epoch: int | None
    built_at: float
    # The first "do not disturb" in `members` ends then: the list is stale from that moment.
    expires: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def _monotonic() -> float:
    return time.monotonic()


def presence_order(statuses: Sequence[Status], indexes: Iterable[int] | None = None) -> list[int]:
    """The indexes of `statuses` (all, or `indexes`) in the order member pages list members:
    online and active, then online and idle, then offline; within each, in the order given
    (the members' username order). One pass, no sort: a big room has 10,000 members."""
    active: list[int] = []
    idle: list[int] = []
    offline: list[int] = []
    buckets = {Status.ACTIVE: active, Status.IDLE: idle, Status.OFFLINE: offline}
    for index in range(len(statuses)) if indexes is None else indexes:
        buckets[statuses[index]].append(index)
    return active + idle + offline


def member_entries(
    names: Sequence[str],
    statuses: Sequence[Status],
    indexes: Iterable[int],
    profiles: Profiles,
) -> tuple[list[frames.Frame], list[datetime]]:
    """The `members` entries (frames.member) of the members at `indexes`, and the ends of the
    "do not disturb" they show (one ended since the profiles were read is not shown)."""
    now = _now()
    members = []
    ends = []
    for index in indexes:
        name = names[index]
        online, idle = _FLAGS[statuses[index]]
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
    return members, ends


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

    def _keep(self, entry: _Entry) -> None:
        room_id = entry.key[0][0]
        self._rooms[room_id] = entry
        self._rooms.move_to_end(room_id)
        while len(self._rooms) > self._max_rooms:
            self._rooms.popitem(last=False)

    def current(
        self,
        version: RoomVersion,
        last_seq: int,
        epoch: int | None,
        *,
        first: int | None = None,
        max_age: float = 0.0,
    ) -> orjson.Fragment | None:
        """The list kept for the room at `last_seq` (its `first` members, or all), if built at
        presence `epoch` (not None), or built (or found right) less than `max_age` seconds ago."""
        entry = self._entry(version, last_seq)
        if entry is None or entry.members is None or entry.first != first:
            return None
        same_epoch = epoch is not None and entry.epoch == epoch
        if not same_epoch and _monotonic() - entry.built_at >= max_age:
            return None
        self._rooms.move_to_end(version[0])
        return entry.members

    def profiles(self, version: RoomVersion, last_seq: int) -> Profiles | None:
        """The members' profiles kept for the room at `last_seq`, or None: read them (after
        `mark`) and give them to `encoded` or `keep_profiles`."""
        entry = self._entry(version, last_seq)
        return None if entry is None else entry.profiles

    def mark(self, room_id: int) -> int:
        """A mark to take before reading a room's profiles, for `since=…`."""
        return self._forgets.get(room_id, 0)

    def forget(self, room_id: int) -> None:
        """A member of the room changed their profile: its list is built again."""
        self._forgets[room_id] = self._forgets.get(room_id, 0) + 1
        self._rooms.pop(room_id, None)

    def keep_profiles(
        self, version: RoomVersion, last_seq: int, profiles: Profiles, *, since: int
    ) -> None:
        """Keep profiles read (after `mark` gave `since`) for a room's members at `last_seq`,
        without a list (a `members` page): unless a profile changed while they were read."""
        if since != self.mark(version[0]) or self._entry(version, last_seq) is not None:
            return
        self._keep(_Entry((version, last_seq), profiles, None, None, None, None, 0.0, None))

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
        first: int | None = None,
    ) -> orjson.Fragment:
        """[{username, online, idle, display_name?, status?, dnd_until?}…] of the members
        `names` (the room's at `last_seq`), whose statuses are `statuses` (read at presence
        `epoch`), encoded: all of them in that order, or the `first` in `presence_order`.
        `profiles`: read after `mark` gave `since` (None: the ones kept for this room at
        `last_seq`, if any)."""
        key = (version, last_seq)
        entry = self._entry(version, last_seq)
        if profiles is None:
            profiles = entry.profiles if entry is not None else {}
        elif entry is not None and entry.profiles is not profiles and entry.profiles != profiles:
            entry = None
        built_at = _monotonic()
        indexes: Sequence[int]
        shown: list[Status] | list[tuple[int, Status]]
        if first is None:
            indexes, shown = range(len(names)), statuses
        else:
            # A page stays the same while statuses change further down the list.
            indexes = presence_order(statuses)[:first]
            shown = [(index, statuses[index]) for index in indexes]
        if (
            entry is not None
            and entry.members is not None
            and entry.first == first
            and entry.shown == shown
        ):
            self._keep(entry._replace(shown=shown, epoch=epoch, built_at=built_at))
            return entry.members
        members, ends = member_entries(names, statuses, indexes, profiles)
        fragment = orjson.Fragment(frames.encode_bytes(members))
        if since is not None and since != self.mark(version[0]):
            return fragment  # a profile changed while they were read: not kept
        expires = min(ends, default=None)
        self._keep(_Entry(key, profiles, shown, fragment, first, epoch, built_at, expires))
        return fragment


# This process's lists (its event loop's).
member_lists = MemberLists()
