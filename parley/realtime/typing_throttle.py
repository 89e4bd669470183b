"""The typing throttle: one `typing` frame per user and room is forwarded per interval.

Clients send at most one `typing` frame every few seconds; this is the server's own bound,
kept per process (a user's tabs on two processes may each forward one per interval). A frame
dropped here costs no database call and gets no answer: typing frames are never acked.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TypingThrottle:
    PRUNE_ABOVE = 10_000

    def __init__(self, *, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self._last: dict[tuple[int, str], float] = {}

    def claim(self, user_id: int, room: str) -> bool:
        """True if a frame of this user for this room may go now (and counts it); False if one
        went less than `interval` ago. Call `release` if the claimed frame is refused after all,
        so that a refused frame does not silence the next one."""
        now = self.clock()
        key = (user_id, room)
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            return False
        self._last[key] = now
        if len(self._last) > self.PRUNE_ABOVE:
            self._last = {k: t for k, t in self._last.items() if now - t < self.interval}
        return True

    def release(self, user_id: int, room: str) -> None:
        self._last.pop((user_id, room), None)
