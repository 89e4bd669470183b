"""Frames to one socket written straight to uvicorn's transport: a replay in one write.

A replay (the backlog after `after`) is up to REPLAY_LIMIT frames to one socket at once. Through
ASGI each is its own `websocket.send`, and uvicorn writes each to the socket at once: one
system call per frame, which on a restart with thousands of clients resuming is most of the
server's time (docs/performance.md, "The fourth round"). Under uvicorn's `websockets-sansio`
implementation (`manage.py serve`'s default, PARLEY_WS_IMPLEMENTATION) `burst_writer` frames
them as uvicorn's own `send` does, after the same checks, and hands the transport one buffer.
A single frame gains too: no ASGI message, no coroutine, no wait on uvicorn's `writable` event.
Under any other server or implementation it returns None and each frame goes through `send`.

This reads uvicorn's protocol object, so it runs only on the uvicorn releases it was written and
tested against (TESTED_UVICORN; pyproject.toml pins the same): on any other, `burst_writer`
returns None, every frame goes through `send`, and the first socket logs why. A protocol without
the attributes it reads also gets None. tests/realtime/test_burst.py drives a real one, so an
upgrade that changes what they mean fails there, not in production.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    from websockets.protocol import State
except ImportError:  # pragma: no cover - uvicorn[standard] is a dependency
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]

log = logging.getLogger(__name__)

BurstWriter = Callable[[Sequence[str]], bool]

# The uvicorn releases (major.minor) whose protocol object this was written and tested against.
TESTED_UVICORN = frozenset({"0.55"})


@functools.cache
def direct_writes_supported() -> bool:
    """Whether this uvicorn is one the direct write was tested on; if not, says so once."""
    version = uvicorn.__version__
    tested = ".".join(version.split(".")[:2]) in TESTED_UVICORN
    if not tested:
        log.warning(
            "uvicorn %s is not a release Parley's direct socket writes were tested on (%s): "
            "every frame goes through uvicorn's send instead",
            version,
            ", ".join(sorted(TESTED_UVICORN)),
        )
    return tested


# What `write` reads of uvicorn's protocol object.
_READS = (
    "handshake_complete", "initial_response", "close_sent", "disconnected", "writable",
    "transport", "conn",
)  # fmt: skip


def burst_writer(send: Callable[..., Any]) -> BurstWriter | None:
    """For the ASGI `send` of a socket: a function that writes text frames in one go and
    returns True, or returns False (nothing written) when the socket is not open for it now:
    then the caller sends each frame through `send`. None if the server is not one it knows."""
    protocol = getattr(send, "__self__", None)
    if WebSocketsSansIOProtocol is None or not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    if not direct_writes_supported():
        return None
    if not all(hasattr(protocol, name) for name in _READS):
        return None  # a uvicorn whose protocol is not the one this was written against

    def write(frames: Sequence[str]) -> bool:
        # The checks uvicorn's `send` makes before a `websocket.send`: the handshake is done,
        # no close was sent, the client is connected, and the transport is not paused (a
        # paused one makes `send` wait: that is the slow path's job).
        if (
            not protocol.handshake_complete
            or protocol.initial_response is not None
            or protocol.close_sent
            or protocol.disconnected
            or not protocol.writable.is_set()
            or protocol.transport.is_closing()
            or protocol.conn.state is not State.OPEN
        ):
            return False
        conn = protocol.conn
        for frame in frames:
            conn.send_text(frame.encode())
        protocol.transport.write(b"".join(conn.data_to_send()))
        return True

    return write
