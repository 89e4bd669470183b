"""When the sessions of this process's open sockets expire, so that the hub can end their sockets.

A socket keeps the user it was opened with. Whatever ends a session on purpose (log-out, a new
password, deactivation) is pushed to its sockets at once (parley/accounts/signals.py); a session
that simply runs out (SESSION_COOKIE_AGE after it was last saved) has no such moment, so the
handshake reads its expiry date with the session, and the hub's sweep (every
PARLEY_SWEEP_SECONDS) asks the database about the sessions whose date has passed: one that was
extended meanwhile (saved again by a page) carries on with its new date, the sockets of one that
is gone or expired are closed with 4403. One entry per session, not per socket; the sweep costs
nothing until the earliest date comes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(slots=True)
class _Session:
    expires_at: float  # Unix time
    user_id: int
    sockets: int


class SessionExpiry:
    def __init__(self) -> None:
        self._sessions: dict[str, _Session] = {}
        # No session's date is before this (it may be earlier than the earliest: then `due`
        # looks once more for nothing).
        self._next = math.inf

    def __len__(self) -> int:
        return len(self._sessions)

    def opened(self, session_key: str, *, user_id: int, expires_at: float) -> None:
        """A socket of this session opened; its handshake read `expires_at`."""
        session = self._sessions.get(session_key)
        if session is None:
            self._sessions[session_key] = _Session(expires_at, user_id, 1)
        else:
            session.sockets += 1
            # A later handshake read a later date: the session was extended meanwhile.
            session.expires_at = max(session.expires_at, expires_at)
        self._next = min(self._next, expires_at)

    def closed(self, session_key: str) -> None:
        """A socket of this session closed (also after `ended`: then nothing is left to forget)."""
        session = self._sessions.get(session_key)
        if session is None:
            return
        session.sockets -= 1
        if session.sockets <= 0:
            del self._sessions[session_key]

    def due(self, now: float) -> list[str]:
        """The sessions whose date is not after `now`. They stay due until `renewed` or `ended`,
        so a check that failed (the database down) is made again at the next sweep."""
        if now < self._next:
            return []
        self._next = min((s.expires_at for s in self._sessions.values()), default=math.inf)
        return [key for key, s in self._sessions.items() if s.expires_at <= now]

    def renewed(self, session_key: str, expires_at: float) -> None:
        """The database says the session now lasts until `expires_at`."""
        session = self._sessions.get(session_key)
        if session is not None:
            session.expires_at = expires_at
            self._next = min(self._next, expires_at)

    def ended(self, session_key: str) -> int | None:
        """Forget a session that is over; the id of its user, whose sockets of it are to close."""
        session = self._sessions.pop(session_key, None)
        return None if session is None else session.user_id
