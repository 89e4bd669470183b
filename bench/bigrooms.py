"""The big-room scenarios of `make bench` (issue 23, docs/protocol.md "Big rooms").

- `presence`: the members of a room of exactly `presence_clients` (1,000) connect, paced, and
  subscribe; how long the server stays busy after the last of them, and whether every client's
  view of who is online is right (bench/views.py), with each announcement's latency.
- `bigroom`: `bigroom_clients` (10,000) sockets subscribe to a room of as many members, Parley
  and the plain server: time to open them all, connect + subscribe p50/p99, RSS per socket.
- `manyrooms`: one user in `manyrooms_rooms` (200) rooms subscribes to all of them at once, as
  the web client does when it opens (bench/readers.py).

Each runs `bigrooms_runs` times on freshly started servers (the references in turn with Parley,
so that the machine's drift falls on both); the figures are the medians of the runs, each run's
own kept beside them. Their rooms are seeded here, once, only when they run.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from bench import procstat, readers
from bench.loadgen import Fleet, percentile
from bench.scenarios import (
    QUIET_CORES,
    QUIET_LIMIT_S,
    WARM_CLIENTS,
    Context,
    connect,
    fleet_for,
    idle_memory,
    running,
    server_traceback,
)

PRESENCE_ROOM = "crowd"
BIG_ROOM = "big"
MANY_PREFIX = "many-"
# "Settled": the server under QUIET_CORES for QUIET_FOR_S in a row, seen in windows of
# QUIET_WINDOW_S; the figure is when that quiet stretch began. A whole second, because batched
# presence (one frame per room per second) leaves the server idle between two batches.
QUIET_WINDOW_S = 0.25
QUIET_FOR_S = 1.0
# How long after the server went quiet a client's view may still become right: the protocol's
# bound for a presence change to reach every subscriber.
VIEW_WAIT_S = 2.0


def quiet_after(fleet: Fleet) -> float:
    """Seconds from now until the server went quiet (see QUIET_WINDOW_S; bounded)."""
    began = time.monotonic()
    quiet_since: float | None = None
    cpu = procstat.cpu_seconds(fleet.server_pids())
    while time.monotonic() - began < QUIET_LIMIT_S:
        window = time.monotonic()
        time.sleep(QUIET_WINDOW_S)
        now_cpu = procstat.cpu_seconds(fleet.server_pids())
        busy = (now_cpu - cpu) / (time.monotonic() - window) >= QUIET_CORES
        cpu = now_cpu
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = window
        if quiet_since is not None and time.monotonic() - quiet_since >= QUIET_FOR_S:
            return round(quiet_since - began, 2)
    return QUIET_LIMIT_S


def medians(runs: list[dict], keys: tuple[str, ...]) -> dict:
    """The median of each of `keys` over the runs that have it (None when none has)."""
    out = {}
    for key in keys:
        values = [run[key] for run in runs if run.get(key) is not None]
        out[key] = statistics.median(values) if values else None
    return out


# -- presence ----------------------------------------------------------------------------------

PRESENCE_KEYS = (
    "setup_s",
    "setup_p99_ms",
    "settle_s",
    "wrong",
    "right_p50_s",
    "right_max_s",
    "latency_p50_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "presence_frames_per_client",
    "errors",
)


def presence(ctx: Context) -> dict:
    """`presence_clients` members of one room connect at `presence_rate` a second (Parley only:
    the references have no presence)."""
    plan = ctx.plan
    members = plan.presence_clients
    ctx.parley.manage_python(f"room_of(slug={PRESENCE_ROOM!r}, members={members})")
    runs = []
    for n in range(plan.bigrooms_runs):
        ctx.log(f"  parley, run {n + 1}: {members:,} members connect, {plan.presence_rate:g}/s")
        runs.append(presence_run(ctx))
    return {"parley": {**medians(runs, PRESENCE_KEYS), "clients": members, "runs": runs}}


def presence_run(ctx: Context) -> dict:
    plan = ctx.plan
    members = plan.presence_clients
    with running(ctx, "parley") as server, fleet_for(ctx, server, room=PRESENCE_ROOM) as fleet:
        setup = connect(
            ctx, fleet, list(range(members)), settle=False, rate=plan.presence_rate, views=members
        )
        last_connect_us = time.monotonic() * 1_000_000
        settle_s = quiet_after(fleet)
        views = fleet.views(limit_s=VIEW_WAIT_S)
    right = [(moment - last_connect_us) / 1_000_000 for moment in views["complete_us"]]
    latencies = views["latencies_ms"]
    row = {
        "setup_s": setup["setup_s"],
        "setup_p99_ms": setup["setup_p99_ms"],
        "failed": setup["failed"],
        "settle_s": settle_s,
        "clients": views["clients"],
        "wrong": views["wrong"] + setup["failed"],
        "wrong_samples": views["wrong_samples"],
        # When the views became right, from the last client's `subscribed` (s).
        "right_p50_s": _round(percentile(right, 0.5)),
        "right_max_s": _round(right[-1] if right else None),
        "latency_p50_ms": _round(percentile(latencies, 0.5)),
        "latency_p99_ms": _round(percentile(latencies, 0.99)),
        "latency_max_ms": _round(latencies[-1] if latencies else None),
        "presence_frames_per_client": _round(views["presence_frames"] / max(1, views["clients"])),
        "presence_entries": views["presence_entries"],
        "pages_asked": views["pages_asked"],
        "pages_answered": views["pages_answered"],
        "strangers": views["strangers"],
        "closed": views["closed"],
        "errors": views["errors"],
        "error_samples": views["error_samples"],
    }
    ctx.log(
        f"    connected in {row['setup_s']} s; server quiet {settle_s} s after the last; "
        f"{row['wrong']} of {members} views wrong; announcements p50 {row['latency_p50_ms']} ms, "
        f"p99 {row['latency_p99_ms']} ms; {row['presence_frames_per_client']} presence frames "
        f"per client; {row['pages_answered']}/{row['pages_asked']} member pages answered"
    )
    if row["errors"] or row["wrong"] or row["closed"]:
        ctx.log(
            f"    {row['closed']} sockets closed, {row['errors']} error frames, e.g. "
            f"{row['error_samples'][:1]}; wrong views (client, members missing): "
            f"{row['wrong_samples']}"
        )
        ctx.log(server_traceback([ctx.parley]))
    return row


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# -- bigroom -----------------------------------------------------------------------------------

BIGROOM_KEYS = ("setup_s", "setup_p50_ms", "setup_p99_ms", "rss_per_conn_kib", "settle_s")


def bigroom(ctx: Context) -> dict:
    """`bigroom_clients` sockets subscribe to a room of as many members, Parley and plain in
    turn. Nobody sends `presence_watch`, so no presence is fanned out (see `presence`)."""
    plan = ctx.plan
    clients = plan.bigroom_clients
    ctx.parley.manage_python(f"room_of(slug={BIG_ROOM!r}, members={clients})")
    runs: dict[str, list[dict]] = {"parley": [], "plain": []}
    for n in range(plan.bigrooms_runs):
        for name, rows in runs.items():
            ctx.log(f"  {name}, run {n + 1}: {clients:,} sockets subscribe to one room")
            with running(ctx, name) as server, fleet_for(ctx, server, room=BIG_ROOM) as fleet:
                memory = idle_memory(ctx, fleet, server, clients - WARM_CLIENTS)
            setup = memory["setup"]
            rows.append(
                {
                    "opened": setup["opened"] + WARM_CLIENTS,
                    "failed": setup["failed"],
                    "setup_s": setup["setup_s"],
                    "setup_p50_ms": setup["setup_p50_ms"],
                    "setup_p99_ms": setup["setup_p99_ms"],
                    "settle_s": setup["settle_s"],
                    "rss_per_conn_kib": memory["rss_per_conn_kib"],
                }
            )
            ctx.log(
                f"    {setup['setup_s']} s to open them; p50 {setup['setup_p50_ms']:.0f} ms, "
                f"p99 {setup['setup_p99_ms']:.0f} ms"
            )
    return {
        name: {
            **medians(rows, BIGROOM_KEYS),
            "opened": min(row["opened"] for row in rows),
            "failed": max(row["failed"] for row in rows),
            "runs": rows,
        }
        for name, rows in runs.items()
    }


# -- manyrooms ---------------------------------------------------------------------------------

MANYROOMS_KEYS = ("first_ms", "p50_ms", "p95_ms", "max_ms", "wrong_unread")


def manyrooms(ctx: Context) -> dict:
    """One user in `manyrooms_rooms` rooms sends a `subscribe` for each, back to back: the time
    until the last `subscribed`, on a fresh server (the first) and then `manyrooms_repeats`
    times more, each on a new socket."""
    plan = ctx.plan
    slugs = [f"{MANY_PREFIX}{n:03d}" for n in range(plan.manyrooms_rooms)]
    seeded = ctx.parley.manage_python(
        f"many_rooms(slugs={slugs!r}, unread={plan.manyrooms_unread})"
    )
    session = seeded.split()[-1]
    runs = []
    for n in range(plan.bigrooms_runs):
        ctx.log(
            f"  parley, run {n + 1}: {len(slugs)} subscribes at once, {plan.manyrooms_repeats}x"
        )
        with running(ctx, "parley"):
            row = readers.subscribe_all(
                ctx.parley.running[0].port,
                session,
                slugs,
                repeats=plan.manyrooms_repeats,
                unread=plan.manyrooms_unread,
            )
        runs.append(row)
        ctx.log(
            f"    first {row['first_ms']} ms, then p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms;"
            f" {row['wrong_unread']} rooms with a wrong unread count"
        )
    return {"parley": {**medians(runs, MANYROOMS_KEYS), "rooms": len(slugs), "runs": runs}}


BIG_ROOM_SCENARIOS: dict[str, Callable[[Context], dict]] = {
    "presence": presence,
    "bigroom": bigroom,
    "manyrooms": manyrooms,
}
