"""`manage.py serve`: Parley's ASGI server, configured in one place.

uvicorn[standard] rather than daphne: on SIGTERM it closes WebSockets with 1012 (service restart)
and lets `disconnect()` run, and its `send` waits for the socket's write buffer (flow control),
while daphne cancels consumers on SIGTERM and closes every socket after 24 h by default.
"""

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve HTTP and WebSocket with uvicorn (see docs/deployment.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=1, help="Processes; more than one needs REDIS_URL."
        )
        parser.add_argument("--proxy-headers", action="store_true")

    def handle(self, *args, host: str, port: int, workers: int, proxy_headers: bool, **options):
        server = settings.PARLEY_SERVER
        uvicorn.run(
            "config.asgi:application",
            host=host,
            port=port,
            workers=workers,
            # Channels' router has no lifespan handler.
            lifespan="off",
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
