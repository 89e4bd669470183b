"""What every subscriber of a room is sent the same, kept per process: a storm of resumes (every
client of a restarted process subscribing again with `after`) reads and renders it once.

- A room's member rows at its latest `last_seq`: a membership change is an item taking the
  room's next seq in the same transaction, so the rows read at seq N stay right while the
  room's last seq is N; a subscriber reading a later seq misses and replaces them.
- Rendered item frames by seq: each a consistent picture of its item at some moment. A message
  changes (edits, deletions, reactions, replies), but every later change is an item after it,
  which a subscriber replaying from before the message receives too (docs/protocol.md,
  `state_seq`); still, the hub forgets a message's frame when a change to it passes
  (`forget`), and a room's frames when it stops following the room, so a deleted message's
  text is not kept here either.
- The number of messages up to a seq (for unread counts): fixed once that seq is stored.

Entries are per room *version* (its id and creation time), so a room deleted and another made
with the same id (a reused SQLite id) never meets the first one's entries. Bounded: the most
recently used rooms only, each with its newest FRAMES_PER_ROOM frames, all within MAX_CHARS.
Per process: each process fills its own, and nothing needs telling another one, since every
entry is keyed by what it was read at; but for a member's profile change, which moves no seq:
the hub forgets the rooms of that person (`forget_room`), whose frames show their old name.
The database thread fills and reads it (`_backlog`); a lock makes that safe from any thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from parley.rooms.selectors import MemberRows, RoomVersion

# Frames kept per room: a replay is at most REPLAY_LIMIT (500) items.
FRAMES_PER_ROOM = 500
# Message counts kept per room (the last seqs and read pointers seen lately).
COUNTS_PER_ROOM = 64
# Everything kept, in characters (frames, and ~32 per member row).
MAX_CHARS = 32 * 1024 * 1024
MAX_ROOMS = 256
ROW_CHARS = 32


@dataclass(slots=True)
class _Room:
    version: RoomVersion
    members_at: int | None = None
    member_rows: MemberRows = field(default_factory=lambda: MemberRows([], []))
    frames: dict[int, str] = field(default_factory=dict)
    message_counts: dict[int, int] = field(default_factory=dict)
    chars: int = 0


class RoomCache:
    """Satisfies parley.rooms.selectors.BacklogCache, plus `keep_frames` for rendered items."""

    def __init__(
        self,
        *,
        frames_per_room: int = FRAMES_PER_ROOM,
        max_chars: int = MAX_CHARS,
        max_rooms: int = MAX_ROOMS,
    ) -> None:
        self._frames_per_room = frames_per_room
        self._max_chars = max_chars
        self._max_rooms = max_rooms
        self._rooms: OrderedDict[int, _Room] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        # Room id -> how many times frames of it were forgotten: a frame read before a forget
        # may show a message as it was before the change (a deleted one with its text).
        self._forgets: dict[int, int] = {}

    def member_rows(self, version: RoomVersion, last_seq: int) -> MemberRows | None:
        """The rows kept for the room at `last_seq` (shared: do not change them), or None."""
        with self._lock:
            room = self._room(version)
            if room is None or room.members_at != last_seq:
                return None
            return room.member_rows

    def keep_member_rows(self, version: RoomVersion, last_seq: int, rows: MemberRows) -> None:
        """Keep `rows`, read while the room's last seq was `last_seq` (unless newer are kept)."""
        with self._lock:
            room = self._room(version, create=True)
            assert room is not None
            if room.members_at is not None and room.members_at > last_seq:
                return
            self._resize(room, (len(rows.ids) - len(room.member_rows.ids)) * ROW_CHARS)
            room.members_at, room.member_rows = last_seq, rows
            self._evict()

    def items(self, version: RoomVersion, after: int, upto: int) -> list[str]:
        """The frames kept for seqs after+1, after+2, … up to `upto`, until the first not kept."""
        frames: list[str] = []
        with self._lock:
            room = self._room(version)
            if room is None:
                return frames
            for seq in range(after + 1, upto + 1):
                frame = room.frames.get(seq)
                if frame is None:
                    break
                frames.append(frame)
        return frames

    def forgets(self, room_id: int) -> int:
        """A mark to read before reading a room's items, for `keep_frames(since=…)`."""
        with self._lock:
            return self._forgets.get(room_id, 0)

    def keep_frames(
        self, version: RoomVersion, frames: dict[int, str], *, since: int | None = None
    ) -> None:
        """Keep rendered item frames by seq (the room's newest FRAMES_PER_ROOM of them); none
        if a frame of the room was forgotten `since` (`forgets`) they were read: a change
        passed meanwhile, and they may show a message as it was before it."""
        if not frames:
            return
        with self._lock:
            if since is not None and self._forgets.get(version[0], 0) != since:
                return
            room = self._room(version, create=True)
            assert room is not None
            for seq, frame in frames.items():
                if seq not in room.frames:
                    room.frames[seq] = frame
                    self._resize(room, len(frame))
            if len(room.frames) > self._frames_per_room:
                for seq in sorted(room.frames)[: len(room.frames) - self._frames_per_room]:
                    self._resize(room, -len(room.frames.pop(seq)))
            self._evict()

    def forget(self, room_id: int, seq: int) -> None:
        """Drop the frame kept for `seq` (a message that changed)."""
        with self._lock:
            self._forgets[room_id] = self._forgets.get(room_id, 0) + 1
            room = self._rooms.get(room_id)
            if room is not None and seq in room.frames:
                self._resize(room, -len(room.frames.pop(seq)))

    def forget_room(self, room_id: int) -> None:
        """Drop everything kept for the room (its changes no longer reach this process)."""
        with self._lock:
            self._forgets[room_id] = self._forgets.get(room_id, 0) + 1
            if room_id in self._rooms:
                self._drop(room_id)

    def message_count(self, version: RoomVersion, seq: int) -> int | None:
        with self._lock:
            room = self._room(version)
            return None if room is None else room.message_counts.get(seq)

    def keep_message_count(self, version: RoomVersion, seq: int, count: int) -> None:
        with self._lock:
            room = self._room(version, create=True)
            assert room is not None
            counts = room.message_counts
            counts[seq] = count
            while len(counts) > COUNTS_PER_ROOM:
                del counts[next(iter(counts))]  # the first kept

    def clear(self) -> None:
        with self._lock:
            self._rooms.clear()
            self._chars = 0

    # -- under the lock --------------------------------------------------------------------

    def _room(self, version: RoomVersion, *, create: bool = False) -> _Room | None:
        room_id = version[0]
        room = self._rooms.get(room_id)
        if room is not None and room.version != version:
            self._drop(room_id)
            room = None
        if room is None:
            if not create:
                return None
            room = self._rooms[room_id] = _Room(version=version)
        self._rooms.move_to_end(room_id)
        return room

    def _resize(self, room: _Room, delta: int) -> None:
        room.chars += delta
        self._chars += delta

    def _drop(self, room_id: int) -> None:
        room = self._rooms.pop(room_id)
        self._chars -= room.chars

    def _evict(self) -> None:
        """Least recently used rooms first; the last one left loses its oldest frames."""
        while len(self._rooms) > 1 and (
            len(self._rooms) > self._max_rooms or self._chars > self._max_chars
        ):
            self._drop(next(iter(self._rooms)))
        if self._chars > self._max_chars and self._rooms:
            room = next(iter(self._rooms.values()))
            for seq in sorted(room.frames):
                if self._chars <= self._max_chars:
                    break
                self._resize(room, -len(room.frames.pop(seq)))


# This process's cache (Django's database thread is the one that uses it).
room_cache = RoomCache()
