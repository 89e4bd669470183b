"""`manage.py cluster`: N server processes on consecutive ports, for trying out a scale-out set-up.

Each process is `manage.py serve` on PORT, PORT+1, …; they share the configured database and
Redis (REDIS_URL is required: without it each process would be its own island). SIGINT or
SIGTERM is passed on to every process; the command returns when they have all exited.
In production, run one systemd unit per port instead (docs/deployment.md).
"""

import signal
import subprocess
import sys
from argparse import ArgumentParser
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

MANAGE_PY = Path(settings.BASE_DIR) / "manage.py"


class Command(BaseCommand):
    help = "Run N server processes on consecutive ports (needs REDIS_URL)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--processes", "-n", type=int, default=2)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, processes: int, host: str, port: int, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError("A cluster needs REDIS_URL, so that the processes share rooms.")
        if processes < 1:
            raise CommandError("--processes must be at least 1.")
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            self.stderr.write("Note: processes share one SQLite file; use PostgreSQL at scale.")
        children = [
            subprocess.Popen(
                [sys.executable, str(MANAGE_PY), "serve", "--host", host, "--port", str(p)]
            )
            for p in range(port, port + processes)
        ]
        self.stdout.write(
            f"Serving on {', '.join(f'http://{host}:{p}' for p in range(port, port + processes))}"
        )

        stopped_by: list[int] = []

        def forward(signum: int, frame: FrameType | None) -> None:
            stopped_by.append(signum)
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        codes = [child.wait() for child in children]
        # uvicorn re-raises the signal it stopped on, so -SIGTERM is a clean stop we asked for.
        failed = [code for code in codes if code and -code not in stopped_by]
        if failed:
            raise CommandError(f"server processes exited with {codes}")
