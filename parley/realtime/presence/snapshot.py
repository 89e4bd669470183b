"""Presence across a graceful restart of a process that keeps presence in its own memory.

Without REDIS_URL the process's memory is the presence store, so a restarted process would
have forgotten who was online and would announce every returning user online again, to every
subscriber already back: ~N²/2 frames for N members, about users whose going offline nobody
was told of (that is announced only after PRESENCE_GRACE_SECONDS, and the old process stopped
within it). So a graceful stop writes each online user's state and the end of their grace, in
wall-clock time, to a file (PARLEY["PRESENCE_SNAPSHOT_PATH"]); the next process reads it once
at start and keeps those users online-but-leaving for the rest of their grace.

A snapshot older than the grace, from the future, or unreadable is ignored: its users are
simply offline, as they would have been without it. With REDIS_URL presence lives in Redis,
which outlives the process, and no snapshot is written.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

VERSION = 1
# A snapshot stamped later than this after "now" comes from a clock that went back: ignored.
CLOCK_SKEW_SECONDS = 1.0


def write(path: Path, *, saved_at: float, users: dict[int, tuple[str, float]]) -> None:
    """Replace the snapshot at `path` (atomically) by `users`: id -> (state, grace end, wall)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "version": VERSION,
        "saved_at": saved_at,
        "users": [[uid, state, until] for uid, (state, until) in sorted(users.items())],
    }
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as file:
            json.dump(data, file)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def take(path: Path, *, now: float, grace: float) -> dict[int, tuple[str, float]]:
    """Read and remove the snapshot at `path`: id -> (state, seconds of grace left) of each user
    still within their grace at `now` (wall clock). Empty if there is none, or it is older than
    `grace`, from the future, or unreadable; it is read once, then gone."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    except OSError:
        log.warning("presence snapshot %s unreadable; ignored", path, exc_info=True)
        return {}
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
    try:
        data = json.loads(text)
        if data["version"] != VERSION:
            raise ValueError(f"version {data['version']!r}")
        saved_at = float(data["saved_at"])
        entries = [(int(uid), str(state), float(until)) for uid, state, until in data["users"]]
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("presence snapshot %s unreadable (%s); ignored", path, exc)
        return {}
    age = now - saved_at
    if age > grace or age < -CLOCK_SKEW_SECONDS:
        log.info("presence snapshot %s is %.1f s old, not within the grace; ignored", path, age)
        return {}
    return {uid: (state, min(until - now, grace)) for uid, state, until in entries if until > now}
