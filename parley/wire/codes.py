"""Close codes of the WebSocket (docs/protocol.md, "Close codes"); error codes: core.errors."""

from __future__ import annotations

from enum import IntEnum

from parley.core.errors import ErrorCode

__all__ = ["CloseCode", "ErrorCode"]


class CloseCode(IntEnum):
    NORMAL = 1000  # the client or server ended the socket on purpose
    MESSAGE_TOO_BIG = 1009  # sent by the WebSocket server for frames over its hard limit
    SERVICE_RESTART = 1012  # server shutting down: reconnect at once
    UNAUTHENTICATED = 4401  # no valid session
    SESSION_ENDED = 4403  # the user logged out or changed password
    SLOW_READER = 4408  # the socket fell too far behind; reconnect and resume with `after`
    RIGHTS_CHANGED = 4409  # the user's staff or superuser status changed: reconnect at once
    RATE_LIMITED = 4429  # too many refusals in a row, or too many sockets: back off, reconnect
