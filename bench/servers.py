"""The servers under test, each started by the benchmark itself on a free local port.

- `Parley`: one or more `manage.py serve` processes (tests/e2e/live.py's `LiveServer`), seeded
  with users, sessions and rooms in bulk (bench/seed_parley.py).
- `Reference`: the Channels tutorial consumer or the plain websockets server (bench/).
- `RedisServer` and `fresh_postgres`: private services, so the benchmark neither disturbs nor
  is disturbed by anything else on the machine, and Redis's CPU time can be counted.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from bench.dialects import PARLEY, PLAIN, TUTORIAL, Target
from tests.e2e.live import ROOT, HttpSession, LiveServer, free_port
from tests.e2e.services import RedisServer, new_postgres_database  # noqa: F401 (re-exported)

BENCH_SECRET_KEY = "parley-bench-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
# Parley's settings for the benchmark: its defaults, except what would stop a measurement.
PARLEY_ENV = {
    "SECRET_KEY": BENCH_SECRET_KEY,
    "PARLEY_RATE_LIMITS": "off",
    # A socket past saturation would be closed as a slow reader (and resume): measure instead.
    "PARLEY_MAX_QUEUED_FRAMES": "1000000",
    "PARLEY_REPLAY_LIMIT": "5000",
    "REDIS_URL": "",
}
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
START_TIMEOUT = 60.0


def reachable(url: str, default_port: int) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


class Parley:
    """Parley server process(es) sharing one database, seeded once."""

    def __init__(self, work: Path, *, env: dict[str, str], processes: int = 1) -> None:
        self.env = {**PARLEY_ENV, **env}
        self.servers = [LiveServer(work / f"process-{n}", env=self.env) for n in range(processes)]
        self.running: list[LiveServer] = []
        self.sessions: tuple[str, ...] = ()
        # Processes whose CPU counts as the server's too (a private Redis).
        self.extra_pids: list[int] = []

    def prepare(self, *, users: int, members: int, lobby_members: int) -> None:
        """Migrate, seed, and check that a seeded session is signed in."""
        for server in self.servers:
            server.prepare()
        out = self.servers[0].data_dir / "sessions.json"
        sizes = f"users={users}, members={members}, lobby_members={lobby_members}"
        self.manage_python(f"seed({sizes}, out={str(out)!r})")
        self.sessions = tuple(json.loads(out.read_text())["sessions"])

    @property
    def database_url(self) -> str:
        return self.servers[0].env["DATABASE_URL"]

    def manage_python(self, call: str) -> str:
        """Run `bench.seed_parley.<call>` inside `manage.py shell`; its printed output."""
        return self.servers[0].manage("shell", "-c", f"from bench.seed_parley import *; {call}")

    def configure(self, **env: str) -> None:
        """Change the environment of the next start (e.g. REDIS_URL)."""
        for server in self.servers:
            server.env.update(env)

    def forget_presence(self) -> None:
        """Remove the presence snapshot the last graceful stop wrote, so that a scenario starts
        with nobody online. (Taken over, the last scenario's users who do not reconnect are
        announced offline at the end of their grace, in the middle of this scenario's
        measurement: 2,000 after the storm, which made the ack phase after it measure that
        instead of its sends. The storm's own restart keeps it, as a restart in production.)"""
        for server in self.servers:
            (server.data_dir / "presence-snapshot.json").unlink(missing_ok=True)

    def start(self, processes: int | None = None) -> None:
        """Start the first `processes` server processes (all by default)."""
        self.running = self.servers[: processes or len(self.servers)]
        for server in self.running:
            server.start(timeout=START_TIMEOUT)
        self._check_session()

    def _check_session(self) -> None:
        http = HttpSession(self.servers[0].base_url)
        http.opener.addheaders = [("Cookie", f"sessionid={self.sessions[0]}")]
        status, page = http.get("/")
        if status != 200 or 'name="password"' in page:
            raise RuntimeError(f"a seeded session is not signed in (HTTP {status})")

    def stop(self) -> None:
        for server in self.running:
            server.stop()

    @property
    def pids(self) -> list[int]:
        return [s.process.pid for s in self.running if s.process is not None] + self.extra_pids

    def target(self, room: str = "bench") -> Target:
        return Target(PARLEY, tuple(s.port for s in self.running), room, self.sessions)

    def log_count(self, pattern: str) -> int:
        """How many lines of the servers' output match `pattern` (e.g. hub refills)."""
        regex = re.compile(pattern)
        return sum(1 for s in self.servers for line in s.output if regex.search(line))


class DaphneLiveServer(LiveServer):
    """Parley under `daphne config.asgi:application` instead of `manage.py serve` (uvicorn):
    same environment, same data folder; daphne's own defaults for everything else."""

    READY = re.compile(r"Listening on TCP address")

    def command(self) -> list[str]:
        daphne = Path(sys.executable).with_name("daphne")
        return [str(daphne), "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"]


def under_daphne(parley: Parley) -> Parley:
    """The same seeded Parley (data folder, sessions, environment) served by daphne."""
    twin = copy.copy(parley)
    twin.servers = [DaphneLiveServer(s.data_dir, env=dict(s.env)) for s in parley.servers]
    twin.running = []
    twin.extra_pids = []
    return twin


class Reference:
    """A reference server (`python -m bench.<module> --port N`), ready when it says so."""

    READY = re.compile(r"Uvicorn running on|server running on")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.module = {TUTORIAL: "bench.tutorial_server", PLAIN: "bench.plain_server"}[kind]
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []

    def start(self) -> None:
        ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, "--port", str(self.port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, args=(ready,), daemon=True).start()
        if not ready.wait(START_TIMEOUT):
            self.stop()
            raise RuntimeError(f"{self.module} did not start:\n" + "".join(self.output[-20:]))

    def _read(self, ready: threading.Event) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if self.READY.search(line):
                ready.set()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def pids(self) -> list[int]:
        return [self.process.pid] if self.process is not None else []

    def target(self, room: str = "bench") -> Target:
        return Target(self.kind, (self.port,), room)


def postgres_available() -> bool:
    return reachable(POSTGRES_ADMIN_URL, 5432)


@contextlib.contextmanager
def fresh_postgres() -> Iterator[str]:
    """The URL of a new, empty database `parley_bench_<random>`, dropped afterwards."""
    with new_postgres_database(POSTGRES_ADMIN_URL, prefix="parley_bench") as url:
        yield url
