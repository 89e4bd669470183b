"""A room's presence changes, batched: at most one `presence` frame per room per interval.

Sans I/O: the hub (hub.py) feeds changes and the clock, and carries out what this decides. Each
member coming online would otherwise be one frame to every subscriber: N members connecting on a
Monday morning cost N²/2 frames. Batched, a room's subscribers get one frame a second at most,
listing every change of that second (docs/protocol.md "Big rooms").

- A change in a room that sent no frame within the interval goes out at once, as the one-user
  frame (`Send.single`), so a quiet room sees presence without delay.
- Changes within the interval after a frame are kept, a user once with their latest state, and
  sent together when the interval ends (`flush`): one change alone as the one-user frame, several
  as one `users` frame.
- A frame that reached nobody (the room's only subscriber was the user it was about) does not
  start an interval: the hub says so with `sent(delivered=False)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Change(NamedTuple):
    user_id: int
    username: str
    online: bool
    idle: bool


@dataclass(slots=True)
class PresenceBatch:
    interval: float
    pending: dict[int, Change] = field(default_factory=dict)  # user id -> latest change
    last_sent: float | None = None
    # When the pending changes are due (None: nothing pending).
    due: float | None = None

    def add(self, change: Change, now: float) -> Change | None:
        """Take a change: the change to send now, or None if it waits for `due`."""
        if not self.pending and (self.last_sent is None or now - self.last_sent >= self.interval):
            return change
        self.pending[change.user_id] = change
        if self.due is None:
            self.due = (self.last_sent or now) + self.interval
        return None

    def sent(self, now: float, *, delivered: bool) -> None:
        """A frame went out at `now` (`delivered`: to at least one socket)."""
        if delivered:
            self.last_sent = now

    def flush(self) -> list[Change]:
        """The changes due, in the order their users first changed; nothing is pending after."""
        changes = list(self.pending.values())
        self.pending.clear()
        self.due = None
        return changes
