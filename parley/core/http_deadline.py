"""uvicorn's HTTP protocols with a deadline for a complete request head.

uvicorn has no timeout on receiving a request: `timeout_keep_alive` is armed only after a
response, and the first thing both its HTTP protocols (h11, httptools) do with received bytes
is cancel it. A connection that never sends a byte, or trickles a head a byte at a time, is held
for ever: 20,000 of them exhaust the process's file descriptors and /healthz stops answering.
ASGI middleware cannot help, as it runs once the head is parsed (uvicorn issue #157).

So each connection waiting for a request head (from its opening, or from the end of the
previous response on a kept-alive one) is closed unless the head is complete within
PARLEY_SERVER["HEADER_TIMEOUT"]; received bytes never move the deadline. It is disarmed once
the request is dispatched to the application, however long that then takes (bodies are bounded
by parley/web/asgi_limits.py), and for good on a WebSocket upgrade, where the socket's pings
take over. The close sends nothing, as nginx does on `client_header_timeout`.

The classes are importable by name, so `manage.py serve --workers N` can hand them to worker
processes; they read the deadline from the settings for each connection.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from uvicorn.protocols.http.h11_impl import H11Protocol as UvicornH11Protocol

if TYPE_CHECKING:
    # uvicorn chooses its `auto` class when imported (httptools' if installed, else h11's), so
    # the checker sees h11's: both have the attributes and hooks the mixin uses.
    UvicornAutoProtocol = UvicornH11Protocol
    _MixedInto = UvicornH11Protocol
else:
    from uvicorn.protocols.http.auto import AutoHTTPProtocol as UvicornAutoProtocol

    _MixedInto = object


class HeadDeadline(_MixedInto):
    """Mixin for uvicorn's HTTP protocol classes: both keep `transport`, `loop` and `cycle`
    (the current request's RequestResponseCycle, None before the first) and call the hooks
    overridden here."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    cycle: Any

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._head_timeout = settings.PARLEY_SERVER["HEADER_TIMEOUT"]
        self._head_deadline: asyncio.TimerHandle | None = None
        self._upgraded = False
        super().connection_made(cast(asyncio.Transport, transport))  # a stream connection: full
        self._follow_request()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_request()

    def handle_websocket_upgrade(self, *args: Any) -> None:
        self._upgraded = True
        self._disarm()
        super().handle_websocket_upgrade(*args)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _awaiting_head(self) -> bool:
        """No request is with the application: the next one's head is awaited (or arriving)."""
        if self._upgraded or self.transport.is_closing():
            return False
        return self.cycle is None or self.cycle.response_complete

    def _follow_request(self) -> None:
        if not self._awaiting_head():
            self._disarm()
        elif self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self._head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class AutoHTTPProtocol(HeadDeadline, UvicornAutoProtocol):
    """What uvicorn's `http="auto"` picks (httptools when installed, else h11), with the
    deadline: the class `manage.py serve` runs."""


class H11Protocol(HeadDeadline, UvicornH11Protocol):
    """uvicorn's pure-Python h11 protocol, with the deadline."""
