"""Where Parley's server time goes under a fan-out load: py-spy on the server process.

    python -m bench.profile --clients 1000 --rate 20 --seconds 15
    python -m bench.profile --database postgresql --clients 100 --senders 50 --rate 200

Starts a seeded Parley like `make bench`, connects the clients, records the server with
`py-spy record --threads` while the load runs, and prints, per thread, the functions with the
most samples on top of the stack (self) and anywhere in it (inclusive). py-spy comes with the
`bench` extra; it needs permission to read the server's memory (root, or ptrace allowed).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from bench.loadgen import Fleet
from bench.run import log, raise_open_files
from bench.scenarios import describe
from bench.servers import Parley, fresh_postgres

TOP = 25


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--settings", help="another DJANGO_SETTINGS_MODULE for the server")
    parser.add_argument(
        "--gil", action="store_true", help="only samples holding the GIL (CPU, not waits)"
    )
    parser.add_argument("--out", type=Path, help="keep py-spy's raw stacks here")
    return parser.parse_args()


@contextlib.contextmanager
def database(kind: str) -> Iterator[dict[str, str]]:
    if kind == "sqlite":
        yield {}
        return
    with fresh_postgres() as url:
        yield {"DATABASE_URL": url}


def record(pid: int, seconds: float, out: Path, *, gil: bool) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *("py-spy", "record", "--threads", "--rate", "250", "--format", "raw"),
            *("--duration", str(round(seconds)), "--pid", str(pid), "--output", str(out)),
            *(["--gil"] if gil else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def summarise(raw: Path) -> None:
    """Per thread: total samples, and the top functions by self and inclusive samples."""
    by_thread: dict[str, tuple[Counter, Counter]] = defaultdict(lambda: (Counter(), Counter()))
    totals: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        thread, *frames = stack.split(";")
        own, inclusive = by_thread[thread]
        totals[thread] += int(count)
        if frames:
            own[frames[-1]] += int(count)
            for frame in set(frames):
                inclusive[frame] += int(count)
    for thread, total in totals.most_common():
        own, inclusive = by_thread[thread]
        print(f"\n== {thread}: {total} samples")
        for title, counter in (("self", own), ("inclusive", inclusive)):
            print(f"-- top {TOP} by {title}")
            for frame, count in counter.most_common(TOP):
                print(f"{100 * count / total:5.1f}%  {frame}")


def main() -> None:
    args = parse_args()
    if shutil.which("py-spy") is None:
        raise SystemExit("py-spy is not installed: pip install -e '.[bench]'")
    raise_open_files()
    with (
        tempfile.TemporaryDirectory(prefix="parley-profile-") as work,
        database(args.database) as env,
    ):
        if args.settings:
            env["DJANGO_SETTINGS_MODULE"] = args.settings
        parley = Parley(Path(work), env=env)
        parley.prepare(users=args.clients, members=args.clients, lobby_members=args.senders)
        parley.start()
        fleet = Fleet(parley.target(), workers=2, server_pids=lambda: parley.pids)
        try:
            log(f"connecting {args.clients} clients")
            fleet.connect(list(range(args.clients)))
            raw = args.out or Path(work) / "stacks.txt"
            spy = record(parley.pids[0], args.seconds, raw, gil=args.gil)
            total = round(args.rate * args.seconds)
            result = fleet.phase(rate=args.rate, total=total, senders=args.senders, drain=5.0)
            spy.wait()
            log(describe(result))
            if spy.returncode:
                raise SystemExit(f"py-spy failed: {spy.stderr.read() if spy.stderr else ''}")
            summarise(raw)
        finally:
            fleet.close()
            parley.stop()


if __name__ == "__main__":
    main()
