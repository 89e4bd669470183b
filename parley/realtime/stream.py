"""One room's items in order, exactly once, sans I/O: seqs and payloads in, decisions out.

The hub (hub.py) receives a room's items from the channel layer, which may drop, repeat or
reorder them; this class decides, for each arrival, which items go to the room's local
subscribers now (`Step.forward`, in seq order) and when the database must fill a gap
(`Step.fill`: read the items up to that seq, after a short grace, since items published by two
processes may arrive out of order). It does no I/O and keeps no sockets: the hub delivers the
forwards, runs the fills, and reports back (`refilled`, `fill_ended`). Its tests drive it with
plain integers (tests/realtime/test_stream.py).

- `cursor`: the highest seq forwarded; None until a subscriber read the room's last seq
  (`start`). Everything up to it was forwarded once; nothing at or below it is forwarded again.
- `held`: items that arrived ahead of a gap, or before the cursor was known.
- `filling`: a fill is under way (one at a time); arrivals meanwhile are held.
- `paused`: while who may see the room is re-checked, nothing is forwarded (`pause`/`resume`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class Step(Generic[T]):
    """What the hub does after one event: forward these items, then (if set) fill up to `fill`."""

    forward: list[tuple[int, T]] = field(default_factory=list)
    fill: int | None = None


class RoomStream(Generic[T]):
    __slots__ = ("cursor", "filling", "held", "paused", "seen_last_seq")

    def __init__(self) -> None:
        self.cursor: int | None = None
        self.held: dict[int, T] = {}
        self.filling = False
        self.paused = 0
        # The database's last seq at the previous sweep: items up to it are overdue if not
        # forwarded by the next one (`overdue`).
        self.seen_last_seq: int | None = None

    def offer(self, seq: int, payload: T) -> Step[T]:
        """An item arrived from the layer."""
        step: Step[T] = Step()
        cursor = self.cursor
        if self.paused:
            if cursor is None or seq > cursor:
                self.held[seq] = payload
            return step
        if cursor is None or self.filling or seq > cursor + 1:
            if cursor is None or seq > cursor:
                self.held[seq] = payload
            if cursor is not None and not self.filling:
                step.fill = self._begin_fill(seq - 1)
            return step
        if seq <= cursor:
            return step  # already forwarded: a duplicate from the layer or a refill
        self.cursor = seq
        step.forward.append((seq, payload))
        self._drain(step)
        return step

    def start(self, last_seq: int) -> Step[T]:
        """A subscriber read the room's last seq after the group was joined: forward from there
        (a stream already started keeps its cursor)."""
        step: Step[T] = Step()
        if self.cursor is None:
            self.cursor = last_seq
            self._drain(step)
        return step

    def fill_range(self, upto: int) -> tuple[int, int] | None:
        """After the grace: (after, upto) to read from the database, or None if the gap closed
        meanwhile."""
        cursor = self.cursor
        assert cursor is not None
        if cursor + 1 not in self.held and cursor < upto:
            return cursor, upto
        return None

    def refilled(self, rows: list[tuple[int, T]]) -> list[tuple[int, T]]:
        """Items read from the database, in seq order: those to forward now (the rest wait)."""
        forward: list[tuple[int, T]] = []
        for seq, payload in rows:
            assert self.cursor is not None
            if seq == self.cursor + 1 and not self.paused:
                self.cursor = seq
                forward.append((seq, payload))
            elif seq > self.cursor:
                self.held.setdefault(seq, payload)
        return forward

    def fill_ended(self) -> Step[T]:
        """The fill finished (or failed): forward what it unblocked; maybe fill again."""
        self.filling = False
        step: Step[T] = Step()
        self._drain(step)
        return step

    def pause(self) -> None:
        self.paused += 1

    def resume(self) -> Step[T]:
        self.paused -= 1
        step: Step[T] = Step()
        if self.cursor is not None:
            self._drain(step)
        return step

    def overdue(self, last_seq: int) -> int | None:
        """The sweep read the room's `last_seq`: the seq to fill up to if items the database
        had at the previous sweep were never forwarded (the layer dropped the last ones)."""
        overdue, self.seen_last_seq = self.seen_last_seq, last_seq
        cursor = self.cursor
        if cursor is None or overdue is None or cursor >= overdue or self.filling:
            return None
        return self._begin_fill(last_seq)

    def _begin_fill(self, upto: int) -> int:
        self.filling = True
        return upto

    def _drain(self, step: Step[T]) -> None:
        if self.paused:
            return  # `resume` drains
        held = self.held
        cursor = self.cursor
        assert cursor is not None
        while cursor + 1 in held:
            cursor += 1
            step.forward.append((cursor, held.pop(cursor)))
        self.cursor = cursor
        for seq in [seq for seq in held if seq <= cursor]:
            del held[seq]
        if held and not self.filling:
            step.fill = self._begin_fill(min(held) - 1)
