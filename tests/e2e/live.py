"""A real Parley server process for live tests and fault scripts, and a small HTTP client.

`LiveServer` runs `uvicorn config.asgi:application` exactly as `make serve` does, against its
own data folder, and waits for uvicorn's own "running" line rather than polling.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = re.compile(r"Uvicorn running on")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, data_dir: Path, *, port: int | None = None, env: dict | None = None):
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "PARLEY_DATA_DIR": str(self.data_dir),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        # The live server uses its own database unless the caller names one.
        own_db = f"sqlite:///{self.data_dir / 'parley.sqlite3'}"
        self.env["DATABASE_URL"] = (env or {}).get("DATABASE_URL") or own_db
        if self.env["DATABASE_URL"] == own_db and "PARLEY_REDIS_PREFIX" not in (env or {}):
            # And then its own keys in the suite's Redis, named after its folder (a restart in
            # the same folder finds them): servers with databases of their own number their
            # users and rooms alike, so shared keys would mix one server's rate limit buckets,
            # presence and room groups into another's.
            folder = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
            self.env["PARLEY_REDIS_PREFIX"] = f"live-{folder}"
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []
        self._ready = threading.Event()
        self._new_output = threading.Condition()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")

    # The server's command line, and the line of its output that says it accepts connections.
    READY = READY_LINE

    def command(self) -> list[str]:
        return [
            sys.executable,
            "manage.py",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]

    def start(self, *, timeout: float = 30) -> None:
        self._ready.clear()
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()
        if not self._ready.wait(timeout):
            self.kill()
            raise RuntimeError("server did not start:\n" + "".join(self.output[-40:]))

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self._new_output:
                self.output.append(line)
                self._new_output.notify_all()
            if self.READY.search(line):
                self._ready.set()

    def wait_for_output(self, holds, *, timeout: float = 10) -> None:
        """Block until `holds(output lines)` is true: the server's output arrives through a
        reader thread, some time after the server wrote it."""
        with self._new_output:
            if not self._new_output.wait_for(lambda: holds(self.output), timeout):
                raise TimeoutError("".join(self.output[-20:]))

    def stop(self, sig: int = signal.SIGTERM, *, timeout: float = 15) -> float:
        """Send `sig` and wait for the exit; returns the seconds it took."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        began = time.monotonic()
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - began

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


class HttpSession:
    """A browser-like session: cookies and CSRF, for sign-up, log-in and forms."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base_url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def _csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value
        raise RuntimeError("no CSRF cookie yet")

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        """GET the form (for the CSRF cookie), then POST it: status, body and final URL."""
        self.get(path)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self._csrf()}).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, headers={"Referer": self.base_url + path}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), path

    def signup(self, username: str, password: str = "correct-horse-battery-9") -> None:
        status, body, url = self.post_form(
            "/accounts/signup/",
            {"username": username, "password1": password, "password2": password},
        )
        if status != 200 or "/accounts/signup/" in url:
            raise RuntimeError(f"sign-up of {username} failed ({status})")

    def login(self, username: str, password: str = "correct-horse-battery-9") -> None:
        status, body, url = self.post_form(
            "/accounts/login/", {"username": username, "password": password}
        )
        if "/accounts/login/" in url:
            raise RuntimeError(f"log-in of {username} failed ({status})")

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def ws_headers(self) -> dict[str, str]:
        return {"Cookie": self.cookie_header, "Origin": self.base_url}
