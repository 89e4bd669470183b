"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging

# What uvicorn (and the websockets protocol it drives) logs at INFO for every socket. Parley logs
# each socket's opening and closing itself (`parley.events`: `socket opened`, `socket closed`,
# with the user id, address, close code and duration), so these only repeat it, three lines per
# socket (docs/performance.md, "The third round").
SOCKET_LINES = frozenset({'%s - "WebSocket %s" [accepted]', "connection open", "connection closed"})


class DropSocketLines(logging.Filter):
    """Drops uvicorn's per-socket INFO lines; its refusals (403) and everything else pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.INFO and record.msg in SOCKET_LINES)
