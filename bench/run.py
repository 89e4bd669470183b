"""`make bench`: Parley against the Channels tutorial consumer and a plain websockets server.

    python -m bench.run                 # everything (about 30 minutes on 2 cores)
    python -m bench.run --quick         # smaller rooms, fewer steps (a few minutes)
    python -m bench.run --only storm    # one scenario (repeatable)
    python -m bench.run --only search   # search latency at 100k and 1M messages (--quick: less)
    python -m bench.run --only servers  # uvicorn variants and daphne (not in a full run)
    python -m bench.run --only presence --only bigroom --only manyrooms   # big rooms (issue 23)

Every server is started here, on free local ports, with its own data; PostgreSQL (a fresh
`parley_bench_*` database) and Redis (a private redis-server) are used when available. A full
run prints the table and writes bench/results.json, docs/bench.png and the generated section
of docs/performance.md; a partial one (--quick or --only) only prints and writes its JSON to
the temporary folder it names.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shlex
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path

from bench import procstat
from bench.bigrooms import BIG_ROOM_SCENARIOS
from bench.plan import FULL, QUICK, Plan
from bench.publish import chart, markdown, write_docs
from bench.report import costs_table, layers_table, results_table
from bench.scenarios import BASE_SCENARIOS, Context
from bench.servers import Parley
from bench.targets import judge, targets_table

ROOT = Path(__file__).resolve().parent.parent
# Enough descriptors for 10,000 sockets in the server and as many in the load generator.
OPEN_FILES = 65536


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def raise_open_files() -> int:
    """Raise this process's open-file limit (inherited by every server and worker it starts)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(soft, OPEN_FILES)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
    except (ValueError, OSError):
        # Not root: only up to the hard limit.
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# Every scenario, in the order of a full run (the big rooms' in bench/bigrooms.py).
SCENARIOS = {**BASE_SCENARIOS, **BIG_ROOM_SCENARIOS}

# Scenarios that make all their data themselves: the shared Parley is not seeded for them alone.
OWN_DATA = {"costs", "search", "history"}


def run_scenarios(plan: Plan, names: list[str], work: Path) -> dict:
    """Seed Parley once, then run each scenario; one that fails is recorded, not fatal."""
    parley = Parley(work / "parley", env={})
    if set(names) - OWN_DATA:
        log(f"seeding Parley: {plan.users:,} users, {plan.members:,} members of the room")
        parley.prepare(users=plan.users, members=plan.members, lobby_members=plan.senders)
    ctx = Context(plan=plan, work=work, parley=parley, log=log)
    results = {}
    for name in names:
        log(f"== {name}")
        try:
            results[name] = SCENARIOS[name](ctx)
        except Exception as exc:
            traceback.print_exc()
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


# Scenarios a full run leaves out (run them with --only): the ASGI server comparison takes
# ~8 minutes and its figures are kept by hand in docs/performance.md.
OPT_IN = {"servers"}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller and shorter scenarios")
    parser.add_argument("--only", action="append", choices=sorted(SCENARIOS), metavar="SCENARIO")
    parser.add_argument("--workers", type=int, help="load generator processes (default 2)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    plan = QUICK if args.quick else FULL
    if args.workers:
        plan = replace(plan, workers=args.workers)
    names = args.only or [name for name in SCENARIOS if name not in OPT_IN]
    full = not args.quick and not args.only
    log(f"open-file limit {raise_open_files():,}; scenarios: {', '.join(names)}")
    began = time.monotonic()
    command = "make bench" if full else "python -m bench.run " + shlex.join(argv or sys.argv[1:])
    results = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command,
        "machine": procstat.machine(),
        "python": platform.python_version(),
        "plan": asdict(plan),
    }
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as work:
        results["scenarios"] = run_scenarios(plan, names, Path(work))
        results["duration_s"] = round(time.monotonic() - began)
        judged = judge(results)
        results["targets"] = judged
        print("\n" + results_table(results) + "\n\n" + targets_table(judged))
        print("\n" + layers_table(results) + "\n\n" + costs_table(results))
        if not full:
            out = Path(tempfile.mkdtemp(prefix="parley-bench-results-")) / "results.json"
            out.write_text(json.dumps(results, indent=1))
            log(f"partial run: results in {out}; docs left as they are")
            return 0
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    chart(results, ROOT / "docs" / "bench.png")
    write_docs(ROOT / "docs" / "performance.md", markdown(results, judged))
    log("wrote bench/results.json, docs/bench.png and docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
