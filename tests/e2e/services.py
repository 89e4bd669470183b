"""Private instances of the real services for live tests that break them on purpose.

A fresh PostgreSQL database per test (so an outage or a restart touches nothing else) and a
private `redis-server` on a free port (so restarting it leaves the machine's Redis alone).
Without the service: skip with the reason, or fail under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.live import LiveServer, free_port
from tests.run_suites import DEFAULT_DATABASE_URL, reachable


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else DEFAULT_DATABASE_URL


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    admin_url = postgres_admin_url()
    problem = reachable(admin_url, 5432)
    if problem:
        from tests.conftest import skip_or_fail  # Django's models: not for the benchmark

        skip_or_fail(f"PostgreSQL is needed: {problem}")
    with new_postgres_database(admin_url, prefix="parley_live") as url:
        yield url


@contextmanager
def new_postgres_database(admin_url: str, *, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database `<prefix>_<random>` on the server of `admin_url`,
    dropped afterwards (with FORCE: a server process still connected does not keep it)."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin_url)
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def set_database_accepting(database_url: str, accepting: bool) -> None:
    """Open or shut a database: shut, it refuses new connections and loses the open ones."""
    import psycopg

    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(postgres_admin_url(), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(accepting).lower()}')
        if not accepting:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [name],
            )


class RedisServer:
    """A private redis-server process that a test may stop and start again on the same port."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            from tests.conftest import skip_or_fail

            skip_or_fail("redis-server is needed for this test")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if self.process.wait(timeout=0.05) if self.process.poll() is not None else False:
                    break
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@contextmanager
def running_servers(work: Path, env: dict[str, str], *, processes: int = 2) -> Iterator[list]:
    """`processes` Parley server processes with one environment (a shared database and Redis),
    each with its own data folder under `work`; stopped on exit."""
    servers = [LiveServer(work / f"p{n}", env=env) for n in range(processes)]
    try:
        for server in servers:
            server.prepare()
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@contextmanager
def private_redis() -> Iterator[RedisServer]:
    """A redis-server of the test's own, stopped on exit."""
    redis = RedisServer()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
