"""`manage.py serve`: Parley's ASGI server, configured in one place.

uvicorn[standard] rather than daphne: on SIGTERM it closes WebSockets with 1012 (service restart)
and lets `disconnect()` run, and its `send` waits for the socket's write buffer (flow control),
while daphne cancels consumers on SIGTERM and closes every socket after 24 h by default.

Once uvicorn has stopped serving, every socket has closed and the process's presence tracker
knows who is leaving: without REDIS_URL it writes them to a snapshot, for the next process to
keep them online for the rest of their grace (parley/realtime/presence/snapshot.py).

Slow clients are bounded here (docs/deployment.md, "Slow and oversized requests"): uvicorn's
HTTP protocol with a deadline for a complete request head (parley/core/http_deadline.py), the
keep-alive timeout, and a cap on connections short of the open-file limit.
"""

import resource
import signal
from argparse import ArgumentParser
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parley.core.http_deadline import AutoHTTPProtocol
from parley.realtime import presence

# PARLEY_WS_IMPLEMENTATION and PARLEY_SERVER_LOOP, in uvicorn's names (`auto`: websockets-sansio
# and uvloop).
WS_IMPLEMENTATIONS = ("auto", "websockets-sansio", "websockets", "wsproto")
LOOPS = ("auto", "uvloop", "asyncio")
# File descriptors kept free of client connections by the default concurrency cap: database and
# Redis connections, uploaded files, logs.
FD_RESERVE = 256


class Command(BaseCommand):
    help = "Serve HTTP and WebSocket with uvicorn (see docs/deployment.md)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=1, help="Processes; more than one needs REDIS_URL."
        )
        parser.add_argument("--proxy-headers", action="store_true")

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        proxy_headers: bool,
        **options: Any,
    ) -> None:
        server = settings.PARLEY_SERVER
        if server["WS_IMPLEMENTATION"] not in WS_IMPLEMENTATIONS:
            raise CommandError(f"PARLEY_WS_IMPLEMENTATION must be one of {WS_IMPLEMENTATIONS}")
        if server["LOOP"] not in LOOPS:
            raise CommandError(f"PARLEY_SERVER_LOOP must be one of {LOOPS}")
        _run_then_save_presence(
            "config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            # Channels' router has no lifespan handler.
            lifespan="off",
            http=AutoHTTPProtocol,
            timeout_keep_alive=server["KEEP_ALIVE_TIMEOUT"],
            limit_concurrency=_concurrency_limit(server["LIMIT_CONCURRENCY"]),
            ws=server["WS_IMPLEMENTATION"],
            loop=server["LOOP"],
            # Frames over MAX_FRAME_BYTES get a `too_large` error frame; over this hard limit
            # the server closes with 1009 before buffering them.
            ws_max_size=server["WS_MAX_SIZE"],
            ws_ping_interval=server["WS_PING_INTERVAL"],
            ws_ping_timeout=server["WS_PING_TIMEOUT"],
            ws_per_message_deflate=server["WS_PER_MESSAGE_DEFLATE"],
            timeout_graceful_shutdown=server["GRACEFUL_SHUTDOWN_SECONDS"],
            proxy_headers=proxy_headers,
            forwarded_allow_ips=server["FORWARDED_ALLOW_IPS"],
            access_log=server["ACCESS_LOG"],
            log_level=server["LOG_LEVEL"],
        )


def _concurrency_limit(configured: int) -> int | None:
    """PARLEY_LIMIT_CONCURRENCY, or else the open-file limit less FD_RESERVE.

    uvicorn counts every connection (WebSockets and half-sent requests included) and answers a
    new HTTP request 503 past the cap, so the cap must sit above the sockets a process is meant
    to hold; just short of the descriptor limit, it turns "accept() fails, nothing answers" into
    a prompt 503 while the head deadline frees the descriptors.
    """
    if configured > 0:
        return configured
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return None
    return max(soft - FD_RESERVE, 1)


def _run_then_save_presence(*args: Any, **kwargs: Any) -> None:
    """uvicorn.run, then the presence snapshot (also after SIGTERM or Ctrl+C).

    uvicorn raises the SIGTERM it caught again once it has shut down gracefully; with the
    default handler that would end the process inside uvicorn.run, before the snapshot. So the
    handler here only notes it, and the process ends by it after the snapshot is written.
    """
    terminated: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: terminated.append(signum))
    try:
        uvicorn.run(*args, **kwargs)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
        presence.save_snapshots()
    if terminated:
        signal.raise_signal(signal.SIGTERM)
