"""`make chaos`: a real server and real clients chatting through kills, restarts and cut sockets.

    python -m tests.e2e.chaos [--messages N] [--kills K] [--terms T] [--clients C] [--drops D]
                              [--redis-restarts R] [--rooms 1|2] [--duration S] [--seed S]
                              [--changes F] [--replies F] [--replay-limit L]

It starts a `LiveServer` (its own SQLite file in a temporary folder; with DATABASE_URL set to
PostgreSQL, a fresh `parley_chaos_*` database dropped at the end; REDIS_URL is passed on), signs
up C users over HTTP, creates the rooms, has every user join them, and runs one
`ResilientClient` per user, subscribed to every room. N frames are sent at a steady rate over
`duration` seconds (tests/e2e/conversations.py): a share F (--changes) edit, delete or react to
earlier messages, the rest are messages, a share (--replies) of them replies; chosen so that the
server must accept every one. Meanwhile, at random moments of that window, the server is
SIGKILLed and restarted K times, SIGTERMed and restarted T times (it must exit within 8 s), D
client sockets are cut, and with REDIS_URL, Redis is restarted R times. The server always comes
back on the same port.

Then, with a deadline, it waits until every frame is acked and every client shows each room up
to the server's last seq, compares every acked item (message, edit, deletion or reaction) with
what each client shows (and with the server's own timeline), reduces each client's items to
every message as it now is (the `state_seq` rule of docs/protocol.md) and compares that with the
messages of the server's final history read, and prints one line

    sent N, acked A, delivered-to-all D, lost L, duplicated U, out-of-order O, views differ V

and a few lines of detail. The exit status is 0 only when A == N, D == A, L == U == O == V == 0
and nothing else broke: no server crash, no slow SIGTERM exit, no error frame the protocol does
not allow, no item that differs from the server's, no message the server shows otherwise than
the frames sent make it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import statistics
import sys
import tempfile
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from tests.e2e.conversations import Traffic, differing_views
from tests.e2e.live import HttpSession, LiveServer
from tests.e2e.resilient_client import ResilientClient, Signal

TERM_EXIT_LIMIT = 8.0
SETUP_SECONDS = 30.0
SETTLE_SECONDS = 60.0
DROP_WAIT = 10.0
# Faults happen within this part of the sending window, so the end of the run is calm.
FAULT_WINDOW = (0.1, 0.85)
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


@dataclass(frozen=True)
class ChaosConfig:
    """One run's plan: how much traffic, which faults, how many of each, and the services."""

    seed: int
    messages: int = 2000
    kills: int = 5
    terms: int = 2
    clients: int = 6
    drops: int = 20
    redis_restarts: int = 0
    rooms: int = 2
    duration: float = 75.0
    # The share of frames that edit, delete or react; the share of the messages that are replies.
    changes: float = 0.3
    replies: float = 0.25
    # The server's PARLEY_REPLAY_LIMIT (None: its default, 500): small, clients page with history.
    replay_limit: int | None = None
    database_url: str | None = None
    redis_url: str | None = None


def parse_args(argv: list[str] | None = None) -> ChaosConfig:
    """The run's settings; DATABASE_URL and REDIS_URL come from the environment."""
    redis_url = os.environ.get("REDIS_URL") or None
    parser = argparse.ArgumentParser(
        prog="python -m tests.e2e.chaos",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=5, help="SIGKILL + restart")
    parser.add_argument("--terms", type=int, default=2, help="SIGTERM + restart")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--drops", type=int, default=20, help="client sockets cut (0: none)")
    parser.add_argument(
        "--redis-restarts", type=int, default=2 if redis_url else 0, help="needs REDIS_URL"
    )
    parser.add_argument("--rooms", type=int, choices=(1, 2), default=2)
    parser.add_argument("--duration", type=float, default=75.0, help="seconds of sending")
    parser.add_argument(
        "--replay-limit", type=int, help="the server's backlog cut (small: exercise paging)"
    )
    parser.add_argument(
        "--changes", type=float, default=0.3, help="share of frames that edit, delete or react"
    )
    parser.add_argument("--replies", type=float, default=0.25, help="share of messages replying")
    parser.add_argument("--seed", type=int, default=secrets.randbelow(10**6))
    args = parser.parse_args(argv)
    if args.redis_restarts and not redis_url:
        parser.error("--redis-restarts needs REDIS_URL")
    if args.messages < 1 or args.clients < 1 or args.duration <= 0:
        parser.error("--messages, --clients and --duration must be positive")
    if not (0 <= args.changes <= 1 and 0 <= args.replies <= 1):
        parser.error("--changes and --replies are shares, from 0 to 1")
    return ChaosConfig(
        seed=args.seed,
        messages=args.messages,
        kills=args.kills,
        terms=args.terms,
        clients=args.clients,
        drops=args.drops,
        redis_restarts=args.redis_restarts,
        rooms=args.rooms,
        duration=args.duration,
        changes=args.changes,
        replies=args.replies,
        replay_limit=args.replay_limit,
        database_url=os.environ.get("DATABASE_URL") or None,
        redis_url=redis_url,
    )


# -- the verdict -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """The counts of the summary line; `clean` is the pass condition."""

    sent: int
    acked: int
    delivered: int
    lost: int
    duplicated: int
    out_of_order: int
    # An acked seq that is not where a client shows the item (or shows another type of item
    # there), or an item a client shows differently from the server's timeline.
    mismatched: int
    # Messages some client sees otherwise (as its items reduce) than the server's final read.
    views_differ: int = 0

    @property
    def clean(self) -> bool:
        return (
            self.acked == self.sent
            and self.delivered == self.acked
            and self.lost == self.duplicated == self.out_of_order == self.mismatched == 0
            and self.views_differ == 0
        )

    def line(self) -> str:
        return (
            f"sent {self.sent}, acked {self.acked}, delivered-to-all {self.delivered}, "
            f"lost {self.lost}, duplicated {self.duplicated}, out-of-order {self.out_of_order}, "
            f"views differ {self.views_differ}"
        )


def order_breaks(items: list[dict]) -> int:
    """How many items do not follow the one before by exactly one seq (the first must be 1)."""
    previous, breaks = 0, 0
    for item in items:
        breaks += item["seq"] != previous + 1
        previous = item["seq"]
    return breaks


def diverging_items(items: list[dict], reference: list[dict]) -> int:
    """How many items differ (by id) from the reference item with the same seq."""
    ids = {item["seq"]: item["id"] for item in reference}
    return sum(ids.get(item["seq"]) != item["id"] for item in items)


def placements(items: list[dict]) -> dict[str, list[tuple[int, str]]]:
    """client_id -> every (seq, type) at which the list shows the item sent with it (a message,
    edit, delete or reaction)."""
    places: dict[str, list[tuple[int, str]]] = {}
    for item in items:
        if item.get("client_id"):
            places.setdefault(item["client_id"], []).append((item["seq"], item["type"]))
    return places


def tally(
    sent: dict[str, str],
    acks: dict[str, int],
    views: dict[str, dict[str, list[dict]]],
    server: dict[str, list[dict]] | None,
    kinds: dict[str, str] | None = None,
) -> Tally:
    """Judge every acked item against every view and the server's own timeline.

    `sent`: client_id -> room; `acks`: client_id -> acked seq; `views`: client -> room -> the
    items it shows; `server`: room -> the stored timeline (None if it could not be read);
    `kinds`: client_id -> the item type it stores (default: "message"). An item is delivered to
    all when every view and the server show it exactly once, at its acked seq, with its type;
    it is lost if some view lacks it, duplicated if some list has it twice, and mismatched if it
    sits at another seq or has another type. Items that differ from the server's count as
    mismatched too. `views_differ`: the messages some view reduces to otherwise than the
    server's final read shows them (conversations.differing_views).
    """
    kinds = kinds or {}
    server = server or {}
    lists = [(room, items) for rooms in views.values() for room, items in rooms.items()]
    indexes = [(room, placements(items)) for room, items in lists]
    indexes += [(room, placements(items)) for room, items in server.items()]
    counts: Counter = Counter()
    for client_id, seq in acks.items():
        found = [index.get(client_id, []) for room, index in indexes if room == sent[client_id]]
        lost, doubled = any(not f for f in found), any(len(f) > 1 for f in found)
        moved = any(f and f[0] != (seq, kinds.get(client_id, "message")) for f in found)
        counts.update(lost=lost, duplicated=doubled, mismatched=moved)
        counts["delivered"] += not (lost or doubled or moved)
    return Tally(
        sent=len(sent),
        acked=len(acks),
        delivered=counts["delivered"],
        lost=counts["lost"],
        duplicated=counts["duplicated"],
        out_of_order=sum(order_breaks(items) for _, items in lists),
        mismatched=counts["mismatched"]
        + sum(diverging_items(items, server[room]) for room, items in lists if room in server),
        views_differ=len(differing_views(views, server or None)),
    )


# -- the services the run uses -----------------------------------------------------------------


@contextmanager
def chaos_database(url: str | None, tag: str) -> Iterator[str | None]:
    """The DATABASE_URL for the server: None (its own SQLite), `url` itself, or for PostgreSQL
    a fresh database `parley_chaos_<tag>` on that server, dropped afterwards."""
    parts = urllib.parse.urlsplit(url or "")
    if parts.scheme not in POSTGRES_SCHEMES:
        yield url
        return
    import psycopg
    from psycopg import sql

    admin_url = urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    name = f"parley_chaos_{tag}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


async def _command(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    return output.decode(errors="replace")


class RedisControl:
    """The machine's Redis at REDIS_URL: stopped without saving, started the way CI starts it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.port = urllib.parse.urlsplit(url).port or 6379

    async def answers(self) -> bool:
        return (await _command("redis-cli", "-u", self.url, "ping")).strip() == "PONG"

    async def restart(self, downtime: float) -> None:
        """Shut Redis down (all its data gone), wait `downtime`, start it and wait for PONG."""
        await _command("redis-cli", "-u", self.url, "shutdown", "nosave")
        await self._until(up=False, timeout=10)
        await asyncio.sleep(downtime)
        await self.start()

    async def start(self) -> None:
        await _command(
            "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
            "--port", str(self.port), "--save", "", "--appendonly", "no",
            "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
        )  # fmt: skip
        await self._until(up=True, timeout=20)

    async def _until(self, *, up: bool, timeout: float) -> None:
        """Poll `redis-cli ping` (Redis has no event to wait for) until it answers or not."""
        async with asyncio.timeout(timeout):
            while True:
                if await self.answers() == up:
                    return
                await asyncio.sleep(0.05)


# -- setting up users and rooms ----------------------------------------------------------------


def sign_up(base_url: str, username: str) -> HttpSession:
    session = HttpSession(base_url)
    session.signup(username)
    return session


def create_rooms(session: HttpSession, slugs: list[str]) -> None:
    for slug in slugs:
        fields = {"name": f"Chaos {slug}", "slug": slug, "visibility": "public"}
        status, _, url = session.post_form("/rooms/new/", fields)
        if not url.endswith(f"/rooms/{slug}/"):
            raise RuntimeError(f"creating room {slug} failed ({status}, {url})")


async def request(ws: ClientConnection, frame: dict, *, timeout: float = 10) -> dict:
    """Send a frame with a `ref`; its answer (live items in between are skipped)."""
    await ws.send(json.dumps(frame))
    async with asyncio.timeout(timeout):
        while True:
            answer = json.loads(await ws.recv())
            if answer.get("ref") == frame["ref"]:
                if answer["type"] == "error":
                    raise RuntimeError(f"{frame['type']} refused: {answer}")
                return answer


async def join_rooms(ws_url: str, session: HttpSession, slugs: list[str]) -> None:
    async with connect(ws_url, additional_headers=session.ws_headers()) as ws:
        for slug in slugs:
            await request(ws, {"type": "join", "room": slug, "ref": slug})


async def server_timeline(ws_url: str, session: HttpSession, slug: str) -> list[dict]:
    """The room's whole stored timeline, oldest first, paged with `history`."""
    items: list[dict] = []
    async with connect(ws_url, additional_headers=session.ws_headers(), max_size=None) as ws:
        frame = {"type": "history", "room": slug, "limit": 200, "ref": "h"}
        while True:
            page = await request(ws, frame)
            items[:0] = page["items"]
            if not page["has_more"] or not page["items"]:
                return items
            frame = {**frame, "before": page["items"][0]["seq"]}


# -- faults ------------------------------------------------------------------------------------


def plan_faults(config: ChaosConfig, rng: random.Random) -> list[tuple[float, str]]:
    """Every fault at a random moment of the sending window, as (seconds from start, kind)."""
    kinds = (
        ["kill"] * config.kills
        + ["term"] * config.terms
        + ["drop"] * config.drops
        + ["redis"] * config.redis_restarts
    )
    low, high = (config.duration * share for share in FAULT_WINDOW)
    return sorted((rng.uniform(low, high), kind) for kind in kinds)


@dataclass
class FaultInjector:
    """Carries out a fault plan in order; records what it did and what went wrong."""

    server: LiveServer
    clients: list[ResilientClient]
    rng: random.Random
    redis_control: RedisControl | None
    progress: Signal
    done: Counter = field(default_factory=Counter)
    term_seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    async def run(self, plan: list[tuple[float, str]], start: float) -> None:
        loop = asyncio.get_running_loop()
        for at, kind in plan:
            await asyncio.sleep(max(0.0, start + at - loop.time()))
            await self.check_alive()
            await getattr(self, kind)()
            self.done[kind] += 1

    async def check_alive(self) -> None:
        """A server that exited without being told to is a crash: recorded, then restarted."""
        process = self.server.process
        if process is not None and process.poll() is not None:
            self.done["crash"] += 1
            self.problems.append(f"the server exited by itself with status {process.returncode}")
            await asyncio.to_thread(self.server.start)

    async def kill(self) -> None:
        await asyncio.to_thread(self.server.stop, signal.SIGKILL)
        await self._restart()

    async def term(self) -> None:
        seconds = await asyncio.to_thread(self.server.stop, signal.SIGTERM)
        self.term_seconds.append(seconds)
        if seconds >= TERM_EXIT_LIMIT:
            self.problems.append(f"SIGTERM took {seconds:.1f} s to stop the server")
        await self._restart()

    async def _restart(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, 0.5))  # down for a moment, as a deploy would be
        await asyncio.to_thread(self.server.start)

    async def drop(self) -> None:
        """Cut a random connected client's socket (waiting, bounded, for one to be connected)."""
        await self.progress.wait_for(lambda: any(c.connected for c in self.clients), DROP_WAIT)
        connected = [client for client in self.clients if client.connected]
        if not connected or not self.rng.choice(connected).drop():
            self.done["drop-missed"] += 1

    async def redis(self) -> None:
        assert self.redis_control is not None
        await self.redis_control.restart(downtime=self.rng.uniform(0.2, 1.0))


# -- the run -----------------------------------------------------------------------------------


@dataclass
class ChaosResult:
    """A finished run: the tally, what the faults and the clients recorded, and the report."""

    config: ChaosConfig
    tally: Tally
    faults: FaultInjector
    clients: list[ResilientClient]
    latencies: list[float]
    seconds: dict[str, float]
    traffic: Traffic | None = None
    # Messages the server shows otherwise than the frames sent make them.
    unlike_intent: list[str] = field(default_factory=list)
    server_log: Path | None = None
    server_log_counts: Counter = field(default_factory=Counter)

    @property
    def problems(self) -> list[str]:
        clients = [p for c in self.clients for p in c.problems]
        return self.faults.problems + clients + self.unlike_intent

    @property
    def ok(self) -> bool:
        return self.tally.clean and not self.problems

    def report(self) -> str:
        return "\n".join(
            [
                self.tally.line(),
                self._traffic_line(),
                self._faults_line(),
                self._clients_line(),
                self._delivery_line(),
                self._timing_line(),
                "problems: " + ("; ".join(self.problems[:10]) or "none"),
            ]
        )

    def _traffic_line(self) -> str:
        if self.traffic is None:
            return "traffic: -"
        return (
            f"{self.traffic.line()}; messages the server shows otherwise than the frames sent "
            f"make them: {len(self.unlike_intent)}"
        )

    def _faults_line(self) -> str:
        done, exits = self.faults.done, ", ".join(f"{s:.1f} s" for s in self.faults.term_seconds)
        return (
            f"faults: {done['kill']} SIGKILL+restart, {done['term']} SIGTERM+restart "
            f"(exited in {exits or '-'}), {done['drop'] - done['drop-missed']} sockets cut "
            f"({done['drop-missed']} drops found none), "
            f"{done['redis']} Redis restarts; server crashes {done['crash']}"
        )

    def _clients_line(self) -> str:
        stats = [c.stats for c in self.clients]
        codes: Counter = sum((s.close_codes for s in stats), Counter())
        closes = ", ".join(f"{code}: {n}" for code, n in sorted(codes.items(), key=str))
        return (
            f"clients: {len(stats)} in {self.config.rooms} rooms; "
            f"{sum(s.connects for s in stats)} connections (closes {closes}); "
            f"{sum(s.connect_failures for s in stats)} failed connects; "
            f"retried later {dict(sum((s.retries for s in stats), Counter()))}; "
            f"{sum(s.pong_timeouts for s in stats)} pong timeouts; "
            f"{sum(s.history_requests for s in stats)} gap-fill requests "
            f"(server sent {sum(s.wire_gaps for s in stats)} gaps, "
            f"{sum(s.wire_repeats for s in stats)} repeats on a socket)"
        )

    def _delivery_line(self) -> str:
        counts = self.server_log_counts
        latency = "-"
        if self.latencies:
            cuts = statistics.quantiles(self.latencies, n=100) if len(self.latencies) > 1 else []
            p50, p99 = (cuts[49], cuts[98]) if cuts else (self.latencies[0],) * 2
            latency = f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
            latency += f"max {max(self.latencies):.2f} s"
        return (
            f"mismatched {self.tally.mismatched}; ack to shown on every client: {latency}; "
            f"server log: {counts['refill']} refills, "
            f"{counts['traceback']} tracebacks ({self.server_log})"
        )

    def _timing_line(self) -> str:
        s = self.seconds
        return (
            f"duration {s['total']:.1f} s (sending {s['sending']:.1f} s, settling "
            f"{s['settling']:.1f} s); replay: python -m tests.e2e.chaos {replay_args(self.config)}"
        )


def replay_args(config: ChaosConfig) -> str:
    """The command-line arguments that repeat this run's plan (timing aside)."""
    return (
        f"--seed {config.seed} --messages {config.messages} --kills {config.kills} "
        f"--terms {config.terms} --clients {config.clients} --drops {config.drops} "
        f"--redis-restarts {config.redis_restarts} --rooms {config.rooms} "
        f"--duration {config.duration:g} --changes {config.changes:g} "
        f"--replies {config.replies:g}"
        + (f" --replay-limit {config.replay_limit}" if config.replay_limit else "")
    )


def delivery_latencies(clients: list[ResilientClient]) -> list[float]:
    """Per acked item and client: seconds from the sender's ack to the item being shown."""
    latencies = []
    for sender in clients:
        for client_id, acked_at in sender.acked_at.items():
            where = (sender.sent[client_id], sender.acks[client_id])
            latencies += [
                max(0.0, c.shown_at[where] - acked_at) for c in clients if where in c.shown_at
            ]
    return latencies


async def send_steadily(traffic: Traffic, config: ChaosConfig) -> None:
    """Queue config.messages frames (messages, replies and changes), evenly spaced over
    config.duration seconds."""
    loop = asyncio.get_running_loop()
    start, interval = loop.time(), config.duration / config.messages
    for n in range(config.messages):
        await asyncio.sleep(max(0.0, start + n * interval - loop.time()))
        traffic.step(n)


async def settle(
    clients: list[ResilientClient],
    signal_: Signal,
    session: HttpSession,
    ws_url: str,
    rooms: list[str],
    problems: list[str],
) -> dict[str, list[dict]] | None:
    """Wait (bounded) for every ack and for every client to catch up; the server's timelines.

    A server that cannot answer then is noted in `problems`, and None is returned.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_SECONDS
    await signal_.wait_for(lambda: all(not c.outbox for c in clients), SETTLE_SECONDS)
    try:
        server = {room: await server_timeline(ws_url, session, room) for room in rooms}
    except (OSError, TimeoutError, RuntimeError, InvalidHandshake, ConnectionClosed) as exc:
        problems.append(f"the server's timelines could not be read: {exc!r:.300}")
        return None
    last = {room: items[-1]["seq"] if items else 0 for room, items in server.items()}
    await signal_.wait_for(lambda: all(c.settled(last) for c in clients), deadline - loop.time())
    return server


def count_server_log(lines: list[str]) -> Counter:
    return Counter(
        refill=sum("refilling room" in line for line in lines),
        traceback=sum(line.startswith("Traceback") for line in lines),
    )


async def run_chaos(config: ChaosConfig) -> ChaosResult:
    """One whole chaos run; the server and its database are gone when this returns."""
    tag = secrets.token_hex(4)
    with (
        tempfile.TemporaryDirectory(prefix="parley-chaos-") as folder,
        chaos_database(config.database_url, tag) as database_url,
    ):
        env = {"REDIS_URL": config.redis_url or "", "PARLEY_REDIS_PREFIX": f"chaos-{tag}"}
        if database_url:
            env["DATABASE_URL"] = database_url
        if config.replay_limit:
            env["PARLEY_REPLAY_LIMIT"] = str(config.replay_limit)
        server = LiveServer(Path(folder), env=env)
        await asyncio.to_thread(server.prepare)
        await asyncio.to_thread(server.start)
        redis = RedisControl(config.redis_url) if config.redis_url else None
        try:
            result = await _run(config, server, redis, tag)
        finally:
            await asyncio.to_thread(server.stop)
            log = _save_log(server, config.seed)
            if redis is not None and not await redis.answers():
                await redis.start()
    result.server_log, result.server_log_counts = log, count_server_log(server.output)
    return result


async def _run(
    config: ChaosConfig, server: LiveServer, redis: RedisControl | None, tag: str
) -> ChaosResult:
    loop = asyncio.get_running_loop()
    began = loop.time()
    rng = random.Random(config.seed)
    rooms = [f"chaos-{tag}-{n}" for n in range(config.rooms)]
    sessions = await set_up_members(server, rooms, config.clients, tag)
    progress = Signal()
    clients = [
        ResilientClient(
            f"c{n}",
            server.ws_url,
            s.ws_headers(),
            rooms,
            seed=rng.randrange(2**32),
            signal=progress,
        )
        for n, s in enumerate(sessions)
    ]
    users = {client.name: f"chaos{n}_{tag}" for n, client in enumerate(clients)}
    traffic = Traffic(
        clients, rooms, users, random.Random(rng.random()), config.changes, config.replies
    )
    faults = FaultInjector(server, clients, rng, redis, progress)
    for client in clients:
        client.start()
    try:
        if not await progress.wait_for(lambda: all(c.subscribed for c in clients), SETUP_SECONDS):
            raise RuntimeError("the clients did not subscribe")
        sending = loop.time()
        plan = plan_faults(config, rng)
        await asyncio.gather(send_steadily(traffic, config), faults.run(plan, sending))
        settling = loop.time()
        await faults.check_alive()
        server_items = await settle(
            clients, progress, sessions[0], server.ws_url, rooms, faults.problems
        )
        ended = loop.time()
    finally:
        for client in clients:
            await client.stop()
    seconds = {"total": ended - began, "sending": settling - sending, "settling": ended - settling}
    return judge(config, clients, server_items, faults, seconds, traffic)


async def set_up_members(server: LiveServer, rooms: list[str], count: int, tag: str):
    """`count` users signed up over HTTP; the first creates the rooms, and all join them."""
    sessions = await asyncio.gather(
        *(asyncio.to_thread(sign_up, server.base_url, f"chaos{n}_{tag}") for n in range(count))
    )
    await asyncio.to_thread(create_rooms, sessions[0], rooms)
    for session in sessions:
        await join_rooms(server.ws_url, session, rooms)
    return sessions


def judge(config, clients, server_items, faults, seconds, traffic=None) -> ChaosResult:
    """The run's result: every client's records compared with the server's timelines, and the
    server's messages with what the traffic's frames make them."""
    return ChaosResult(
        config=config,
        tally=tally(
            sent={k: v for c in clients for k, v in c.sent.items()},
            acks={k: v for c in clients for k, v in c.acks.items()},
            views={c.name: {slug: t.items for slug, t in c.timelines.items()} for c in clients},
            server=server_items,
            kinds={k: v for c in clients for k, v in c.kinds.items()},
        ),
        faults=faults,
        clients=clients,
        latencies=delivery_latencies(clients),
        seconds=seconds,
        traffic=traffic,
        unlike_intent=traffic.unlike_intent(server_items) if traffic and server_items else [],
    )


def _save_log(server: LiveServer, seed: int) -> Path:
    path = Path(tempfile.gettempdir()) / f"parley-chaos-{seed}.log"
    path.write_text("".join(server.output))
    return path


def main(argv: list[str] | None = None) -> int:
    """Run once, print the summary line and the details; 0 only for a clean run."""
    config = parse_args(argv)
    print(f"chaos: {replay_args(config)}", file=sys.stderr, flush=True)
    result = asyncio.run(run_chaos(config))
    print(result.report(), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
