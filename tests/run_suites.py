"""`make test`'s runner: the whole suite on SQLite + the in-process layer, then again on
PostgreSQL + channels-redis.

The second pass uses TEST_DATABASE_URL / TEST_REDIS_URL (defaults: this machine's services).
Where they are not reachable it is skipped with the reason, except under CI=true, where a
missing service is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.parse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def reachable(url: str, default_port: int) -> str | None:
    """None if something accepts TCP connections at the URL's address, else the reason."""
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return f"{parts.scheme} at {host}:{port} is not reachable ({exc})"


def pytest(args: list[str], env: dict[str, str]) -> int:
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main(args: list[str]) -> int:
    in_ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    base_env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

    print("== pass 1: SQLite, in-process channel layer", flush=True)
    status = pytest(args, base_env)
    if status != 0:
        return status

    database_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    problems = [p for p in (reachable(database_url, 5432), reachable(redis_url, 6379)) if p]
    if problems:
        reason = "; ".join(problems)
        if in_ci:
            print(f"== pass 2 FAILED: CI=true but {reason}", flush=True)
            return 1
        print(f"== pass 2 skipped: {reason}", flush=True)
        return 0
    print("== pass 2: PostgreSQL, channels-redis", flush=True)
    env = {**base_env, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    return pytest([*args, "-p", "no:cacheprovider"], env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
