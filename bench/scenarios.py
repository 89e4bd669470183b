"""The scenarios of `make bench`. Each starts its servers fresh, measures, and stops them.

Server names: "parley" (default settings: SQLite, in-process layer), "parley-redis" (the same
with REDIS_URL, a private Redis, RedisChannelLayer), "tutorial" and "plain" (the references).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import corpus, procstat, readers
from bench.dialects import PLAIN, TUTORIAL
from bench.loadgen import Fleet, PhaseResult, percentile
from bench.plan import Plan
from bench.servers import (
    ROOT,
    Parley,
    RedisServer,
    Reference,
    fresh_postgres,
    postgres_available,
    under_daphne,
)
from tests.e2e.services import private_redis

P99_BOUND_MS = 250.0
WARM_CLIENTS = 20
SETTLE_SECONDS = 2.0
QUIET_CORES = 0.1
QUIET_LIMIT_S = 120.0
REFILL_LOG = r"refilling room"


@dataclass
class Context:
    plan: Plan
    work: Path
    parley: Parley
    log: Callable[[str], None]
    # Every Parley started so far (the SQLite one, then those on PostgreSQL), for their logs.
    parleys: list[Parley] = field(default_factory=list)


# -- servers and fleets --------------------------------------------------------------------


@contextlib.contextmanager
def running(ctx: Context, name: str) -> Iterator[Parley | Reference]:
    """Start the named server (and its private Redis) for one scenario; stop it afterwards."""
    if name in ("parley", "parley-redis"):
        with _private_redis(name == "parley-redis") as redis:
            parley = ctx.parley
            parley.configure(REDIS_URL=redis.url if redis else "", PARLEY_REDIS_LAYER="core")
            parley.extra_pids = [redis.process.pid] if redis and redis.process else []
            parley.forget_presence()
            parley.start()
            try:
                yield parley
            finally:
                parley.stop()
        return
    server = Reference({"tutorial": TUTORIAL, "plain": PLAIN}[name])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def _private_redis(wanted: bool) -> Iterator[RedisServer | None]:
    if not wanted:
        yield None
        return
    with private_redis() as redis:
        yield redis


@contextlib.contextmanager
def fleet_for(ctx: Context, server, *, room: str = "bench", parts=None) -> Iterator[Fleet]:
    fleet = Fleet(
        server.target(room),
        workers=ctx.plan.workers,
        server_pids=lambda: server.pids,
        parts=parts,
    )
    try:
        yield fleet
    finally:
        fleet.close()


def connect(
    ctx: Context, fleet: Fleet, indices: list[int], *, settle: bool = True, **options
) -> dict:
    """Open clients, then (unless told not to) wait for the server to go quiet.

    Returns how long connecting (and subscribing) took, and how long the server then stayed
    busy: Parley tells a room's subscribers each time a member comes online, so N members
    connecting cause about N²/2 presence frames after the last `subscribed`.
    """
    opened, failed, setup_ms, elapsed, failures = fleet.connect(indices, **options)
    if failed:
        ctx.log(f"    {failed} of {len(indices)} clients failed to connect: {failures[:2]}")
    return {
        "opened": opened,
        "failed": failed,
        "setup_p50_ms": percentile(setup_ms, 0.5),
        "setup_p99_ms": percentile(setup_ms, 0.99),
        "setup_s": round(elapsed, 2),
        "settle_s": wait_quiet(ctx, fleet) if settle else None,
    }


def wait_quiet(ctx: Context, fleet: Fleet) -> float:
    """Seconds until the server used under QUIET_CORES of CPU for a whole second (bounded)."""
    began = time.monotonic()
    while time.monotonic() - began < QUIET_LIMIT_S:
        before = procstat.cpu_seconds(fleet.server_pids())
        time.sleep(1.0)
        if procstat.cpu_seconds(fleet.server_pids()) - before < QUIET_CORES:
            break
    elapsed = round(time.monotonic() - began, 1)
    if elapsed > 1.5:
        ctx.log(f"    server busy for {elapsed} s after the clients connected")
    return elapsed


def describe(result: PhaseResult) -> str:
    p99 = f"{result.p99_ms:.0f}" if result.p99_ms is not None else "-"
    cpu = f"{result.server_cpu_us:.1f}" if result.server_cpu_us is not None else "-"
    return (
        f"{result.rate:g} msg/s: {result.deliveries_per_s:,.0f} deliveries/s, p99 {p99} ms, "
        f"lost {result.lost}, dup {result.dups}, server {cpu} µs/delivery"
    )


def phase(ctx: Context, fleet: Fleet, *, rate: float, seconds: float, senders: int) -> dict:
    total = max(1, round(rate * seconds))
    result = fleet.phase(rate=rate, total=total, senders=senders, drain=ctx.plan.drain)
    ctx.log(f"    {describe(result)}")
    if result.errors:
        ctx.log(f"    {result.errors} error frames, e.g. {result.error_samples[0]}")
        ctx.log(server_traceback([ctx.parley, *ctx.parleys]))
    return result.row()


def server_traceback(parleys: list[Parley]) -> str:
    """The last traceback in Parley's server output, to say why it answered with errors."""
    lines = [line for parley in parleys for server in parley.servers for line in server.output]
    starts = [n for n, line in enumerate(lines) if line.startswith("Traceback")]
    if not starts:
        return "    (no traceback in Parley's output)"
    return "".join(lines[max(0, starts[-1] - 2) : starts[-1] + 40])


# -- fan-out -------------------------------------------------------------------------------


def fanout(ctx: Context, *, clients: int, rate: float) -> dict:
    """`clients` sockets in one room, `rate` messages/s from the plan's senders, per server."""
    results = {}
    names = ("parley", "parley-redis", "tutorial", "plain")
    for name in names if RedisServer.available() else names[:1] + names[2:]:
        ctx.log(f"  {name}: {clients} clients at {rate:g} msg/s")
        with running(ctx, name) as server, fleet_for(ctx, server) as fleet:
            setup = connect(ctx, fleet, list(range(clients)))
            refills = _refills(server)
            row = phase(
                ctx, fleet, rate=rate, seconds=ctx.plan.fanout_seconds, senders=ctx.plan.senders
            )
            results[name] = {**row, "setup": setup, "refills": _refills(server) - refills}
    return results


def _refills(server) -> int:
    """Parley's hub refills from the database (the layer dropped or reordered): a log line each."""
    return server.log_count(REFILL_LOG) if isinstance(server, Parley) else 0


def fanout_small(ctx: Context) -> dict:
    return fanout(ctx, clients=ctx.plan.small_clients, rate=ctx.plan.small_rate)


def fanout_large(ctx: Context) -> dict:
    return fanout(ctx, clients=ctx.plan.large_clients, rate=ctx.plan.large_rate)


# -- saturation ----------------------------------------------------------------------------


def sweep_rates(ctx: Context, fleet: Fleet, rates: tuple[float, ...]) -> dict:
    """Step the rate up until a step loses a delivery or its p99 reaches the bound.

    The figure is the highest rate before the first failing step; a few steps more (bounded
    by the plan) show where throughput levels off, for the chart.
    """
    plan, steps = ctx.plan, []
    began = time.monotonic()
    failures = 0
    for rate in rates:
        seconds = max(plan.sweep_step_seconds, plan.sweep_min_messages / rate)
        row = judged_step(ctx, fleet, rate=rate, seconds=seconds)
        steps.append(row)
        failures += not row["ok"]
        over_budget = time.monotonic() - began > plan.sweep_budget_s
        if failures > plan.sweep_steps_past_failure or (failures and over_budget):
            break
        time.sleep(0.5)
    clean = list(itertools.takewhile(lambda step: step["ok"], steps))
    return {
        "steps": steps,
        "best_rate": clean[-1]["rate"] if clean else None,
        "best_deliveries_per_s": clean[-1]["deliveries_per_s"] if clean else None,
        "lowest_rate": rates[0],
        # Every step passed: the figure is at least the highest rate tried.
        "unbounded": len(clean) == len(rates),
    }


def judged_step(ctx: Context, fleet: Fleet, *, rate: float, seconds: float) -> dict:
    """One sweep step; a failing step is run once more (the machine is shared and noisy), and
    fails only if the second run fails too."""
    row: dict = {}
    for attempt in (1, 2):
        row = phase(ctx, fleet, rate=rate, seconds=seconds, senders=ctx.plan.senders)
        row["ok"] = row["lost"] == 0 and row["dups"] == 0 and (row["p99_ms"] or 0) < P99_BOUND_MS
        row["attempts"] = attempt
        if row["ok"]:
            break
        time.sleep(1.0)
    return row


def saturation(ctx: Context) -> dict:
    plan, results = ctx.plan, {}
    for name in ("plain", "parley", "tutorial"):
        rates = plan.tutorial_rates if name == "tutorial" else plan.sweep_rates
        ctx.log(f"  {name}: {plan.sweep_clients} clients, rates {rates[0]:g}..{rates[-1]:g}")
        with running(ctx, name) as server, fleet_for(ctx, server) as fleet:
            setup = connect(ctx, fleet, list(range(plan.sweep_clients)))
            results[name] = {**sweep_rates(ctx, fleet, rates), "setup": setup}
    return results


# -- memory and connection count -----------------------------------------------------------


def idle_memory(ctx: Context, fleet: Fleet, server, clients: int) -> dict:
    """RSS per connection: (RSS with `clients` more idle sockets - RSS before) / `clients`."""
    connect(ctx, fleet, list(range(WARM_CLIENTS)))
    time.sleep(SETTLE_SECONDS)
    before = procstat.rss_kib(server.pids)
    setup = connect(ctx, fleet, list(range(WARM_CLIENTS, WARM_CLIENTS + clients)))
    time.sleep(SETTLE_SECONDS)
    after = procstat.rss_kib(server.pids)
    per_conn = (after - before) / setup["opened"] if setup["opened"] else None
    ctx.log(f"    {setup['opened']} idle: RSS {before} → {after} KiB, {per_conn or 0:.1f} KiB each")
    return {
        "setup": setup,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "rss_per_conn_kib": per_conn,
    }


def idle(ctx: Context) -> dict:
    """Idle sockets per server; Parley's subscribed to the "lobby" room.

    In the "lobby" only the senders are members, so the measurement is not mixed up with the
    presence announcements of 2,000 members coming online (see `connect`).
    """
    results = {}
    for name, room in (("parley", "lobby"), ("tutorial", "bench"), ("plain", "bench")):
        ctx.log(f"  {name}: {ctx.plan.idle_clients} idle connections")
        with running(ctx, name) as server, fleet_for(ctx, server, room=room) as fleet:
            results[name] = idle_memory(ctx, fleet, server, ctx.plan.idle_clients)
    return results


def hold(ctx: Context) -> dict:
    """Many connections on one process, all subscribed, then a few messages to all of them."""
    plan, results = ctx.plan, {}
    clients = plan.hold_clients - WARM_CLIENTS
    for name in ("parley", "plain"):
        ctx.log(f"  {name}: {plan.hold_clients} connections on one process")
        with running(ctx, name) as server, fleet_for(ctx, server, room="lobby") as fleet:
            memory = idle_memory(ctx, fleet, server, clients)
            check = phase(ctx, fleet, rate=plan.hold_rate, seconds=plan.hold_seconds, senders=1)
            results[name] = {
                **memory,
                "check": check,
                "held": memory["setup"]["opened"] + WARM_CLIENTS,
            }
    return results


# -- reconnect storm -----------------------------------------------------------------------


def storm(ctx: Context) -> dict:
    """Restart Parley under `storm_clients` subscribers; all resume at once with `after`."""
    plan, parley = ctx.plan, ctx.parley
    clients = list(range(plan.storm_clients))
    ctx.log(f"  parley: {plan.storm_clients} subscribers, restart, resume with `after`")
    with running(ctx, "parley") as server, fleet_for(ctx, server) as fleet:
        # Not waiting for the presence announcements of 2,000 members to end: the restart
        # cuts them off, and the resume pays them again, as it would in production.
        setup = connect(ctx, fleet, clients, settle=False)
        parley.stop()
        closed = fleet.wait_closed(timeout=30)
        # Stored meanwhile (as through another process): the clients must get them from the
        # database on resume.
        last_seq = int(parley.manage_python(f"post(count={plan.storm_missed})").split()[-1])
        parley.start()
        began = time.monotonic()
        resumed = connect(ctx, fleet, clients, settle=False, concurrency=len(clients), resume=True)
        reached = fleet.wait_seq(last_seq, since=began, timeout=plan.storm_timeout)
        storm_s = time.monotonic() - began
        after = phase(ctx, fleet, rate=plan.storm_rate, seconds=2, senders=plan.senders)
    caught_up = len(reached["reached_ms"])
    ctx.log(f"    {caught_up}/{len(clients)} caught up to seq {last_seq} in {storm_s:.1f} s")
    return {
        "parley": {
            "clients": len(clients),
            "setup": setup,
            "closed_by_restart": closed,
            "missed": plan.storm_missed,
            "resumed": resumed,
            "caught_up": caught_up,
            "catch_up_p50_ms": percentile(reached["reached_ms"], 0.5),
            "catch_up_p99_ms": percentile(reached["reached_ms"], 0.99),
            "storm_s": round(storm_s, 2),
            "seq_dups": reached["seq_dups"] + after["seq_dups"],
            "seq_gaps": reached["seq_gaps"] + after["seq_gaps"],
            "after": after,
        }
    }


# -- send → ack, SQLite and PostgreSQL -----------------------------------------------------


def ack_phase(ctx: Context, parley: Parley) -> dict:
    plan = ctx.plan
    with running_parley(parley) as server, fleet_for(ctx, server) as fleet:
        setup = connect(ctx, fleet, list(range(plan.ack_clients)))
        row = phase(
            ctx, fleet, rate=plan.ack_rate, seconds=plan.ack_seconds, senders=plan.ack_senders
        )
        return {**row, "setup": setup}


@contextlib.contextmanager
def running_parley(parley: Parley, processes: int | None = None) -> Iterator[Parley]:
    parley.forget_presence()
    parley.start(processes)
    try:
        yield parley
    finally:
        parley.stop()


def ack(ctx: Context) -> dict:
    plan = ctx.plan
    ctx.log(f"  parley (SQLite): {plan.ack_senders} senders, {plan.ack_rate:g} msg/s")
    ctx.parley.configure(REDIS_URL="")
    results = {"sqlite": ack_phase(ctx, ctx.parley)}
    if not postgres_available():
        ctx.log("  PostgreSQL is not reachable: skipped")
        return results
    with postgres_parley(ctx, "ack-pg", processes=1, users=plan.ack_clients) as parley:
        ctx.log(f"  parley (PostgreSQL): {plan.ack_senders} senders, {plan.ack_rate:g} msg/s")
        results["postgresql"] = ack_phase(ctx, parley)
    return results


@contextlib.contextmanager
def postgres_parley(ctx: Context, name: str, *, processes: int, users: int) -> Iterator[Parley]:
    """Parley on a fresh `parley_bench_*` PostgreSQL database, seeded; dropped afterwards."""
    with fresh_postgres() as url:
        parley = Parley(ctx.work / name, env={"DATABASE_URL": url}, processes=processes)
        parley.prepare(users=users, members=users, lobby_members=ctx.plan.senders)
        ctx.parleys.append(parley)
        yield parley


# -- RedisChannelLayer vs RedisPubSubChannelLayer ------------------------------------------


def layers(ctx: Context) -> dict:
    """Two Parley processes on one PostgreSQL database, clients split across them, per layer."""
    plan = ctx.plan
    if not (RedisServer.available() and postgres_available()):
        ctx.log("  needs redis-server and PostgreSQL: skipped")
        return {}
    results = {}
    with postgres_parley(ctx, "layers", processes=2, users=plan.layer_clients) as parley:
        for layer in ("core", "pubsub"):
            ctx.log(f"  {layer}: {plan.layer_clients} clients over 2 processes")
            results[layer] = layer_run(ctx, parley, layer)
    return results


def layer_run(ctx: Context, parley: Parley, layer: str) -> dict:
    plan = ctx.plan
    with _private_redis(True) as redis:
        assert redis is not None and redis.process is not None
        parley.configure(REDIS_URL=redis.url, PARLEY_REDIS_LAYER=layer)
        parley.extra_pids = [redis.process.pid]
        parts = {"redis": [redis.process.pid]}
        with running_parley(parley) as server, fleet_for(ctx, server, parts=parts) as fleet:
            setup = connect(ctx, fleet, list(range(plan.layer_clients)))
            refills = parley.log_count(REFILL_LOG)
            fan = phase(
                ctx, fleet, rate=plan.large_rate, seconds=plan.fanout_seconds, senders=plan.senders
            )
            sweep = sweep_rates(ctx, fleet, plan.layer_rates)
            return {
                "setup": setup,
                "fanout": fan,
                "sweep": sweep,
                "refills": parley.log_count(REFILL_LOG) - refills,
            }


# -- the naive alternatives, piece by piece -------------------------------------------------


def costs(ctx: Context) -> dict:
    """Microseconds per delivery of each per-recipient step Parley avoids (bench/costs.py)."""
    ctx.log("  timing encode, layer message, dispatch hop, queue and counter in one process")
    return {"per_delivery_us": bench_module("costs", timeout=300)}


# -- ASGI servers and WebSocket implementations ---------------------------------------------

# Parley served by uvicorn (`manage.py serve`) with these PARLEY_* variables, or by daphne.
# "default" sets none of them: uvicorn's `auto` (websockets-sansio, uvloop), deflate off.
SERVER_VARIANTS: dict[str, dict[str, str]] = {
    "default": {},
    "deflate": {"PARLEY_WS_DEFLATE": "true"},
    "websockets": {"PARLEY_WS_IMPLEMENTATION": "websockets"},
    "wsproto": {"PARLEY_WS_IMPLEMENTATION": "wsproto"},
    "asyncio": {"PARLEY_SERVER_LOOP": "asyncio"},
    "daphne": {},
}
SERVER_KEYS = ("PARLEY_WS_IMPLEMENTATION", "PARLEY_SERVER_LOOP", "PARLEY_WS_DEFLATE")
CLOSED_LOG = r"socket closed"
STOP_WAIT_S = 20.0


def servers(ctx: Context) -> dict:
    """Parley at fanout-large's size and rate (the plan's `servers_*`) under each ASGI server
    and WebSocket variant.

    Per variant, besides the phase: RSS per subscribed connection, whether the server accepts
    permessage-deflate when a client asks (the load generator never asks: every variant sends
    uncompressed frames), and what SIGTERM does to the open sockets (close codes, how many
    `disconnect()`s ran, how long the stop took). BENCH_SERVER_VARIANTS (names, comma-separated)
    picks the variants and their order: the machine's load drifts, so runs in another order
    tell a variant's figure from its turn's.
    """
    plan, results = ctx.plan, {}
    order = os.environ.get("BENCH_SERVER_VARIANTS") or ",".join(SERVER_VARIANTS)
    names = [name.strip() for name in order.split(",") if name.strip()]
    unknown = set(names) - set(SERVER_VARIANTS)
    if unknown:
        raise ValueError(
            f"BENCH_SERVER_VARIANTS: unknown {sorted(unknown)}; {list(SERVER_VARIANTS)}"
        )
    for name in names:
        env = SERVER_VARIANTS[name]
        ctx.log(f"  {name}: {plan.servers_clients} clients at {plan.servers_rate:g} msg/s {env}")
        try:
            results[name] = server_variant(ctx, name, env)
        except Exception as exc:
            ctx.log(f"    failed: {type(exc).__name__}: {exc}")
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return results


def server_variant(ctx: Context, name: str, env: dict[str, str]) -> dict:
    parley, plan = ctx.parley, ctx.plan
    saved = [{key: s.env.get(key) for key in SERVER_KEYS} for s in parley.servers]
    parley.configure(REDIS_URL="", PARLEY_REDIS_LAYER="core")
    parley.extra_pids = []
    for server in parley.servers:
        for key in SERVER_KEYS:
            server.env.pop(key, None)
    parley.configure(**env)
    target = under_daphne(parley) if name == "daphne" else parley
    try:
        with running_parley(target) as server, fleet_for(ctx, server) as fleet:
            memory = idle_memory(ctx, fleet, server, plan.servers_clients - WARM_CLIENTS)
            refills = server.log_count(REFILL_LOG)
            row = phase(
                ctx,
                fleet,
                rate=plan.servers_rate,
                seconds=plan.servers_seconds,
                senders=plan.senders,
            )
            deflate = deflate_accepted(server)
            time.sleep(SETTLE_SECONDS)  # the probe's own disconnect, before counting SIGTERM's
            shutdown = sigterm(ctx, server, fleet)
        return {
            **row,
            "setup": memory["setup"],
            "rss_per_conn_kib": memory["rss_per_conn_kib"],
            "refills": server.log_count(REFILL_LOG) - refills,
            "deflate_accepted": deflate,
            "deflate_negotiated": False,  # bench/wsclient.py sends no Sec-WebSocket-Extensions
            "sigterm": shutdown,
        }
    finally:
        for server, values in zip(parley.servers, saved, strict=True):
            for key, value in values.items():
                if value is None:
                    server.env.pop(key, None)
                else:
                    server.env[key] = value


def deflate_accepted(server: Parley) -> bool | None:
    """Whether the server answers an upgrade that offers permessage-deflate by accepting it."""
    target = server.target()
    port, headers = target.port_for(0), target.headers(0)
    request = [
        f"GET {target.path()} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        *(f"{key}: {value}" for key, value in headers.items()),
    ]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        return None
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    if not head.startswith("http/1.1 101"):
        return None
    return "sec-websocket-extensions: permessage-deflate" in head


def sigterm(ctx: Context, server: Parley, fleet: Fleet) -> dict:
    """Stop the server with SIGTERM under its subscribed clients: how the sockets end."""
    closed_before = server.log_count(CLOSED_LOG)
    began = time.monotonic()
    stop_s = sum(s.stop(timeout=STOP_WAIT_S) for s in server.running)
    codes = fleet.wait_closed(timeout=10)
    result = {
        "stop_s": round(stop_s, 2),
        "close_codes": codes,
        "disconnects_run": server.log_count(CLOSED_LOG) - closed_before,
        "killed": any(s.process is not None and s.process.returncode == -9 for s in server.running),
    }
    ctx.log(
        f"    SIGTERM: stopped in {time.monotonic() - began:.1f} s, close codes {codes}, "
        f"{result['disconnects_run']} disconnect() logged"
    )
    return result


# -- search and history over generated history ------------------------------------------------

# Seeded users of a corpus database: the search user (the first), the rooms' authors, and the
# senders of the send → ack phases.
CORPUS_USERS = 60
HISTORY_ROOM = "history"


def engines(ctx: Context) -> list[str]:
    if postgres_available():
        return ["sqlite", "postgresql"]
    ctx.log("  PostgreSQL is not reachable: SQLite only")
    return ["sqlite"]


@contextlib.contextmanager
def corpus_parley(ctx: Context, name: str, engine: str) -> Iterator[Parley]:
    """A seeded Parley of its own on `engine` (a fresh database), for a generated corpus; its
    database is dropped (PostgreSQL) or deleted (SQLite) afterwards."""
    users = max(CORPUS_USERS, ctx.plan.ack_clients)
    if engine == "postgresql":
        with postgres_parley(ctx, name, processes=1, users=users) as parley:
            yield parley
        return
    parley = Parley(ctx.work / name, env={})
    parley.prepare(users=users, members=users, lobby_members=ctx.plan.senders)
    ctx.parleys.append(parley)
    try:
        yield parley
    finally:
        shutil.rmtree(ctx.work / name, ignore_errors=True)


def search(ctx: Context) -> dict:
    """Search latency over a growing corpus, the index's size, and what keeping it costs a send.

    Per engine: rooms laid out by bench/corpus.py, then for each of the plan's sizes the
    messages up to it (bulk-loaded with the index kept in step), then a fresh server and the
    plan's queries one after the other as the search user (bench/readers.py), then the same
    queries through the search service alone (bench/search_cost.py). At the last size,
    the `ack` phase with the index and without it (SQLite: its triggers dropped; PostgreSQL:
    its trigram index dropped), in turn.
    """
    plan = ctx.plan
    queries = corpus.Text().queries(plan.search_queries)
    results: dict = {"rooms": plan.search_rooms, "queries": len(queries)}
    for engine in engines(ctx):
        with corpus_parley(ctx, f"search-{engine}", engine) as parley:
            results[engine] = search_engine(ctx, parley, engine, queries)
    return results


def search_engine(ctx: Context, parley: Parley, engine: str, queries: list[dict]) -> dict:
    plan = ctx.plan
    db = corpus.Database(parley.database_url)
    try:
        if not db.search_index():
            raise RuntimeError("no search index in the migrated database (parley/search)")
        rooms = corpus.search_corpus(db, plan.search_rooms)
        sizes = {}
        for size in plan.search_sizes:
            ctx.log(f"  {engine}: loading {size - rooms.messages:,} messages, {size:,} in all")
            load = rooms.grow(size - rooms.messages)
            load["analyze_s"] = db.analyze()
            db.checkpoint()
            disk = db.sizes()
            ctx.log(
                f"    {load['seconds']} s ({load['per_s']:,} rows/s inserting); search index "
                f"{disk['search_index_bytes'] / 2**20:,.0f} MiB, table "
                f"{disk['table_bytes'] / 2**20:,.0f} MiB"
            )
            with running_parley(parley):
                latency = readers.search_latency(
                    parley.running[0].port, parley.sessions[0], queries, warmup=plan.search_warmup
                )
            ctx.log(
                f"    {len(queries)} queries: p50 {latency['p50_ms']} ms, p95 "
                f"{latency['p95_ms']} ms, {latency['failed']} failed, "
                f"{latency['empty_results']} without results; a query matching nothing: p50 "
                f"{latency['floor']['p50_ms']} ms"
            )
            if latency["failures"]:
                ctx.log(f"    e.g. {latency['failures'][0]}")
            service = bench_module(
                "search_cost", "--database-url", parley.database_url, "--queries", str(len(queries))
            )
            ctx.log(
                f"    the search service alone: p50 {service['p50_ms']} ms, "
                f"p95 {service['p95_ms']} ms"
            )
            sizes[str(size)] = {
                "load": load,
                "disk": disk,
                "latency": latency,
                "service": service,
            }
        send = index_send_cost(ctx, parley, db)
    finally:
        db.close()
    return {"sizes": sizes, "readable_rooms": rooms.readable, "send": send}


def index_send_cost(ctx: Context, parley: Parley, db: corpus.Database) -> dict:
    """The `ack` phase with the search index kept in step, then without, `search_ack_rounds`
    times each in turn, each followed by bench/send_cost.py on the stopped server's database;
    medians of their figures."""
    runs: dict[str, list[dict]] = {"with": [], "without": []}
    costs: dict[str, list[dict]] = {"with": [], "without": []}
    rebuilt = []
    statements: list[str] = []
    for turn in range(ctx.plan.search_ack_rounds):
        if turn:
            rebuilt.append(db.restore_search_index(statements))
        for name in ("with", "without"):
            if name == "without":
                statements = db.drop_search_index()
            ctx.log(f"    send → ack, {name} the search index")
            runs[name].append(ack_phase(ctx, parley))
            cost = database_send_cost(ctx, parley.database_url, label=f"{name}{turn}")
            costs[name].append(cost)
            ctx.log(f"    database work per send: {cost['median_us']} µs, p99 {cost['p99_us']} µs")
    summary = {
        name: {
            "ack_p50_ms": statistics.median(run["ack_p50_ms"] for run in rows),
            "ack_p99_ms": statistics.median(run["ack_p99_ms"] for run in rows),
            "lost": sum(run["lost"] for run in rows),
            "runs": rows,
            "db_median_us": statistics.median(cost["median_us"] for cost in costs[name]),
            "db_p99_us": statistics.median(cost["p99_us"] for cost in costs[name]),
        }
        for name, rows in runs.items()
    }
    return {**summary, "index_rebuild_s": rebuilt}


def database_send_cost(ctx: Context, url: str, *, label: str) -> dict:
    """bench/send_cost.py on this database as it is: what one `send` holds the database thread
    for, in one process without the network or the load generator (far less noisy than a
    phase's p99 on a shared machine). Its room and users are new, named with `label`."""
    count = str(ctx.plan.search_send_count)
    options = ["--database-url", url, "--label", label, "--count", count, "--queries", "10"]
    return bench_module("send_cost", *options)["send"]


def bench_module(name: str, *options: str, timeout: float = 900) -> dict:
    """Run `python -m bench.<name> <options>`; the JSON of its last line of output."""
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"bench.{name} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def history(ctx: Context) -> dict:
    """Pages of 50 at the start, middle and end of one room of `history_items` messages,
    through the socket's `history` frame, one at a time (bench/readers.py)."""
    plan, results = ctx.plan, {}
    count = plan.history_items
    positions = {"start": 51, "middle": count // 2 + 26, "end": None}
    for engine in engines(ctx):
        with corpus_parley(ctx, f"history-{engine}", engine) as parley:
            db = corpus.Database(parley.database_url)
            try:
                ctx.log(f"  {engine}: loading {count:,} messages into one room")
                load = corpus.one_room(db, HISTORY_ROOM).grow(count)
                load["analyze_s"] = db.analyze()
                db.checkpoint()
            finally:
                db.close()
            ctx.log(f"    {load['seconds']} s ({load['per_s']:,} rows/s inserting)")
            with running_parley(parley):
                pages = readers.history_latency(
                    parley.running[0].port,
                    parley.sessions[0],
                    HISTORY_ROOM,
                    positions,
                    repeats=plan.history_repeats,
                )
            for name, page in pages.items():
                ctx.log(f"    {name}: p50 {page['p50_ms']} ms, p95 {page['p95_ms']} ms")
            results[engine] = {"items": count, "load": load, "pages": pages}
    return results


# bench/run.py adds bench/bigrooms.py's to these.
BASE_SCENARIOS: dict[str, Callable[[Context], dict]] = {
    "fanout-small": fanout_small,
    "fanout-large": fanout_large,
    "saturation": saturation,
    "idle": idle,
    "hold": hold,
    "storm": storm,
    "ack": ack,
    "layers": layers,
    "costs": costs,
    "servers": servers,
    "search": search,
    "history": history,
}
