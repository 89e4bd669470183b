"""This process's open sockets: by user, by address (for the caps) and by session (expiry).

The hub owns one registry. Event loop only, no lock: `has_room_for` and `add` run with no await
in between, so two handshakes cannot both take the last place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from parley.core import metrics
from parley.realtime.connection import Connection
from parley.realtime.session_expiry import SessionExpiry


class SocketRegistry:
    def __init__(self) -> None:
        self.by_user: dict[int, set[Connection]] = {}
        self.by_address: dict[str, int] = {}
        self.sessions = SessionExpiry()

    def has_room_for(
        self, *, user_id: int, address: str | None, max_per_user: int, max_per_address: int
    ) -> bool:
        """Whether one more socket of this user and address stays within the caps."""
        if len(self.by_user.get(user_id, ())) >= max_per_user:
            return False
        return not address or self.by_address.get(address, 0) < max_per_address

    def add(self, conn: Connection, *, session_expires_at: float | None = None) -> None:
        """A socket opened; its session expires at `session_expires_at` (Unix time), if known."""
        self.by_user.setdefault(conn.user_id, set()).add(conn)
        if conn.session_key is not None:  # counted as `remove` counts it off
            expires_at = math.inf if session_expires_at is None else session_expires_at
            self.sessions.opened(conn.session_key, user_id=conn.user_id, expires_at=expires_at)
        if conn.address:
            self.by_address[conn.address] = self.by_address.get(conn.address, 0) + 1
        metrics.open_connections.inc()

    def remove(self, conn: Connection) -> None:
        metrics.open_connections.dec()
        if conn.address and conn.address in self.by_address:
            self.by_address[conn.address] -= 1
            if not self.by_address[conn.address]:
                del self.by_address[conn.address]
        if conn.session_key is not None:
            self.sessions.closed(conn.session_key)
        user_connections = self.by_user.get(conn.user_id)
        if user_connections is not None:
            user_connections.discard(conn)
            if not user_connections:
                del self.by_user[conn.user_id]

    def of_user(self, user_id: int) -> Iterable[Connection]:
        """The user's open sockets here (a copy: closing them while iterating is safe)."""
        return list(self.by_user.get(user_id, ()))

    def of_sessions(
        self, user_id: int, *, session_key: str | None = None, spared: str | None = None
    ) -> list[Connection]:
        """The user's sockets of `session_key` (None: of every session but `spared`)."""
        return [
            conn
            for conn in self.by_user.get(user_id, ())
            if (session_key is None or conn.session_key == session_key)
            and (spared is None or conn.session_key != spared)
        ]
