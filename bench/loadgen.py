"""The load generator: worker processes holding the client sockets, driven by a `Fleet`.

Client i lives in worker i % W (W worker processes, so receiving does not sit on one core).
Clients 0..S-1 are the senders. In a phase, message m (0 ≤ m < total) is sent by client m % S
at t0 + m / rate, with its id and send time in the body; every client counts what it receives.
A phase ends when every open client has every message, or at its deadline: it is bounded in
count and in time. The Fleet reads the server's and its own workers' CPU time from /proc
around each phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from array import array
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection

from bench import procstat
from bench.dialects import PARLEY, Target, body, client_id
from bench.recorder import Recorder
from bench.views import OnlineView
from bench.wsclient import WsClient

CONNECT_TIMEOUT = 90.0
CLOSE_TIMEOUT = 3.0
POLL_SECONDS = 0.01


@dataclass(frozen=True)
class PhaseSpec:
    """One measured window: `total` messages from `senders` clients at `rate` messages/s."""

    phase: int
    rate: float
    total: int
    senders: int
    t0: float
    drain: float
    nonce: str

    @property
    def deadline(self) -> float:
        return self.t0 + self.total / self.rate + self.drain


# -- the worker process --------------------------------------------------------------------


class Worker:
    """One process's share of the clients; answers the Fleet's commands over a pipe."""

    def __init__(self, pipe: Connection, target: Target, worker: int, workers: int) -> None:
        self.pipe = pipe
        self.target = target
        self.worker = worker
        self.workers = workers
        self.recorder = Recorder(track_seq=target.kind == PARLEY)
        self.clients: dict[int, WsClient] = {}
        self.sent = 0

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command, args = await loop.run_in_executor(None, self.pipe.recv)
            result = await getattr(self, f"cmd_{command}")(**args)
            self.pipe.send(result)
            if command == "stop":
                return

    def mine(self, indices: list[int]) -> list[int]:
        return [index for index in indices if index % self.workers == self.worker]

    # -- connecting -------------------------------------------------------------------------

    async def cmd_connect(
        self,
        indices: list[int],
        concurrency: int,
        resume: bool,
        t0: float | None = None,
        rate: float | None = None,
        views: int | None = None,
    ) -> dict:
        """Open (or, with `resume`, reopen with `after`) this worker's share of `indices`.

        With `rate`, the client at position p of `indices` starts at `t0` + p / `rate` (the
        same clock in every worker); with `views` (the room's member count), each client keeps
        who is online (bench/views.py)."""
        began = time.monotonic()
        gate = asyncio.Semaphore(concurrency)
        mine = self.mine(indices)
        starts = {index: position for position, index in enumerate(indices)} if rate else {}
        outcomes = await asyncio.gather(
            *(
                self._open(
                    i,
                    gate,
                    resume,
                    start_at=t0 + starts[i] / rate if t0 is not None and rate else None,
                    views=views,
                )
                for i in mine
            )
        )
        failures = [outcome for outcome in outcomes if isinstance(outcome, str)]
        return {
            "opened": len(mine) - len(failures),
            "failures": failures[:5],
            "failed": len(failures),
            "setup_ms": array("f", [o for o in outcomes if isinstance(o, float)]).tobytes(),
            "elapsed": time.monotonic() - began,
        }

    async def _open(
        self,
        index: int,
        gate: asyncio.Semaphore,
        resume: bool,
        *,
        start_at: float | None = None,
        views: int | None = None,
    ) -> float | str:
        """Connect and subscribe one client: the milliseconds it took, or why it failed."""
        if start_at is not None:
            await asyncio.sleep(max(0.0, start_at - time.monotonic()))
        async with gate:
            began = time.monotonic()
            client = WsClient(index, self.recorder.on_message)
            if views is not None:
                client.view = OnlineView(own=index, size=views)
            previous = self.clients.get(index)
            if resume and previous is not None:
                client.last_seq = previous.last_seq
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT):
                    await client.open(
                        self.target.port_for(index), self.target.path(), self.target.headers(index)
                    )
                    await self._subscribe(client, client.last_seq if resume else None)
            except Exception as exc:
                if client.transport is not None:
                    client.transport.abort()
                return f"client {index}: {type(exc).__name__}: {exc}"
            self.clients[index] = client
            return (time.monotonic() - began) * 1000

    async def _subscribe(self, client: WsClient, after: int | None) -> None:
        frame = self.target.subscribe_frame(after)
        if frame is None:
            return
        client.subscribed = asyncio.get_running_loop().create_future()
        client.send_text(frame)
        await client.subscribed

    # -- a measured phase -----------------------------------------------------------------

    async def cmd_phase(self, spec: dict) -> dict:
        phase = PhaseSpec(**spec)
        live = [client for client in self.clients.values() if client.close_code is None]
        self.recorder.begin(phase.phase, phase.total, live)
        self.sent = 0
        sender = asyncio.get_running_loop().create_task(self._send_all(phase))
        await self._until_complete(live, phase.deadline)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        return self._phase_result(live)

    async def _send_all(self, phase: PhaseSpec) -> None:
        for message in range(phase.total):
            sender_index = message % phase.senders
            if sender_index % self.workers != self.worker:
                continue
            delay = phase.t0 + message / phase.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._send_one(phase, message, self.clients.get(sender_index))

    def _send_one(self, phase: PhaseSpec, message: int, client: WsClient | None) -> None:
        if client is None or client.close_code is not None:
            return
        sent_us = int(time.monotonic() * 1_000_000)
        self.recorder.sent_at[message] = sent_us
        text = self.target.send_frame(
            body(phase.phase, message, sent_us), client_id(phase.nonce, phase.phase, message)
        )
        client.send_text(text)
        self.sent += 1

    async def _until_complete(self, live: list[WsClient], deadline: float) -> None:
        """Wait until every still-open client has every message, or the deadline."""
        while time.monotonic() < deadline:
            open_clients = sum(1 for client in live if client.close_code is None)
            complete = sum(1 for c in live if c.close_code is None and c.got == self.recorder.total)
            if complete == open_clients:
                return
            await asyncio.sleep(POLL_SECONDS)

    def _phase_result(self, live: list[WsClient]) -> dict:
        rec = self.recorder
        return {
            "clients": len(live),
            "sent": self.sent,
            "got": sum(client.got for client in live),
            "dups": rec.dups,
            "stray": rec.stray,
            "latencies": rec.latencies.tobytes(),
            "acks": rec.acks.tobytes(),
            "last_arrival_us": rec.last_arrival_us,
            "errors": rec.errors,
            "error_samples": rec.error_samples,
            "seq_dups": rec.seq_dups,
            "seq_gaps": rec.seq_gaps,
            "closed": Counter(c.close_code for c in live if c.close_code is not None),
        }

    # -- restarts ---------------------------------------------------------------------------

    async def cmd_wait_closed(self, limit_s: float) -> dict:
        """Wait until the server has closed every client (it was stopped)."""
        clients = list(self.clients.values())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit_s):
                await asyncio.gather(*(client.closed for client in clients))
        return {"closed": Counter(c.close_code for c in clients if c.closed.done())}

    async def cmd_wait_seq(self, seq: int, since: float, limit_s: float) -> dict:
        """After a resume: when each client reached `seq` (ms after `since`), and the seq checks."""
        reached: dict[int, float] = {}
        while True:
            for index, client in self.clients.items():
                if index not in reached and client.last_seq >= seq:
                    reached[index] = (time.monotonic() - since) * 1000
            if len(reached) == len(self.clients) or time.monotonic() - since > limit_s:
                break
            await asyncio.sleep(POLL_SECONDS)
        rec = self.recorder
        return {
            "clients": len(self.clients),
            "reached": array("f", reached.values()).tobytes(),
            "seq_dups": rec.seq_dups,
            "seq_gaps": rec.seq_gaps,
            "errors": rec.errors,
            "error_samples": rec.error_samples,
        }

    # -- who is online, as each client sees it (the `presence` scenario) ----------------------

    async def cmd_opened(self) -> dict:
        """When each client's handshake completed (µs, monotonic), by client index."""
        return {"opened": {index: c.opened_us for index, c in self.clients.items()}}

    async def cmd_views(self, opened: bytes, limit_s: float) -> dict:
        """Wait until every client's view is right (bench/views.py), or `limit_s`; then how many
        are not, and the presence frames' latencies (`opened`: every client's opening, µs)."""
        views = [c.view for c in self.clients.values() if c.view is not None]
        deadline = time.monotonic() + limit_s
        while True:
            if time.monotonic() >= deadline or all(view.right for view in views):
                break
            await asyncio.sleep(POLL_SECONDS)
        opened_us = array("q")
        opened_us.frombytes(opened)
        latencies = array("f")
        for view in views:
            latencies.extend(view.latencies_ms(opened_us))
        wrong = [view for view in views if not view.right]
        return {
            "clients": len(views),
            "wrong": len(wrong),
            "wrong_samples": [(v.own, v.size - 1 - v.count) for v in wrong[:5]],
            "complete_us": array("q", [v.complete_us for v in views if v.right]).tobytes(),
            "latencies": latencies.tobytes(),
            "presence_frames": sum(v.presence_frames for v in views),
            "presence_entries": sum(v.presence_entries for v in views),
            "pages_asked": sum(v.pages_asked for v in views),
            "pages_answered": sum(v.pages_answered for v in views),
            "strangers": sum(v.strangers for v in views),
            "closed": sum(1 for c in self.clients.values() if c.close_code is not None),
            "errors": self.recorder.errors,
            "error_samples": self.recorder.error_samples,
        }

    async def cmd_stop(self) -> dict:
        for client in self.clients.values():
            client.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await asyncio.gather(*(client.closed for client in self.clients.values()))
        return {}


def worker_main(pipe: Connection, target: Target, worker: int, workers: int) -> None:
    """Entry point of a worker process: uvloop when available, like the servers."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(Worker(pipe, target, worker, workers).serve())
    else:
        uvloop.run(Worker(pipe, target, worker, workers).serve())


# -- the controlling side ----------------------------------------------------------------


@dataclass
class PhaseResult:
    """One phase, summed over the workers."""

    rate: float
    clients: int
    sent: int
    deliveries: int
    lost: int
    dups: int
    stray: int
    window_s: float
    deliveries_per_s: float
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    ack_p50_ms: float | None
    ack_p99_ms: float | None
    server_cpu_us: float | None
    loadgen_cpu_us: float | None
    server_cores: float
    loadgen_cores: float
    errors: int
    seq_dups: int
    seq_gaps: int
    parts_cpu_us: dict = field(default_factory=dict)
    closed: dict = field(default_factory=dict)
    error_samples: list = field(default_factory=list)

    def row(self) -> dict:
        return asdict(self)


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of sorted `values`."""
    if not values:
        return None
    return values[min(len(values) - 1, int(fraction * len(values)))]


def floats(blobs: list[bytes]) -> list[float]:
    values = array("f")
    for blob in blobs:
        values.frombytes(blob)
    return sorted(values)


class Fleet:
    """W worker processes with their clients, for one target."""

    def __init__(
        self,
        target: Target,
        *,
        workers: int,
        server_pids: Callable[[], list[int]],
        parts: dict[str, list[int]] | None = None,
    ) -> None:
        self.target = target
        # Asked at every measurement: a restarted server has new process ids.
        self.server_pids = server_pids
        # Named subsets of the server's processes whose CPU is also reported apart (Redis).
        self.parts = parts or {}
        self.phase_no = 0
        self.nonce = f"{time.time_ns() & 0xFFFFFFFFFF:x}"
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes = []
        for worker in range(workers):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=worker_main, args=(theirs, target, worker, workers), daemon=True
            )
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    @property
    def worker_pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def _all(self, command: str, **args) -> list[dict]:
        for pipe in self.pipes:
            pipe.send((command, args))
        return [pipe.recv() for pipe in self.pipes]

    def connect(
        self,
        indices: list[int],
        *,
        concurrency: int = 100,
        resume: bool = False,
        rate: float | None = None,
        views: int | None = None,
    ):
        """Open the clients (with `rate`, that many a second, in the order of `indices`; with
        `views`, each keeping who is online among that many members: bench/views.py); returns
        (opened, failed, sorted setup ms, elapsed s, failures)."""
        t0 = time.monotonic() + 0.2 if rate else None
        results = self._all(
            "connect",
            indices=indices,
            concurrency=concurrency,
            resume=resume,
            t0=t0,
            rate=rate,
            views=views,
        )
        return (
            sum(r["opened"] for r in results),
            sum(r["failed"] for r in results),
            floats([r["setup_ms"] for r in results]),
            max(r["elapsed"] for r in results),
            [f for r in results for f in r["failures"]],
        )

    def phase(self, *, rate: float, total: int, senders: int, drain: float) -> PhaseResult:
        """Run one measured window and sum it up, with CPU time from /proc."""
        self.phase_no += 1
        t0 = time.monotonic() + 0.3
        spec = PhaseSpec(self.phase_no, rate, total, senders, t0, drain, self.nonce)
        for pipe in self.pipes:
            pipe.send(("phase", {"spec": asdict(spec)}))
        time.sleep(max(0.0, t0 - time.monotonic()))
        before = self._cpu()
        results = [pipe.recv() for pipe in self.pipes]
        elapsed = time.monotonic() - t0
        cpu = {name: seconds - before[name] for name, seconds in self._cpu().items()}
        return self._sum_phase(spec, results, elapsed, cpu)

    def _cpu(self) -> dict[str, float]:
        """CPU seconds so far of the server, the workers, and each named part."""
        groups = {"server": self.server_pids(), "loadgen": self.worker_pids, **self.parts}
        return {name: procstat.cpu_seconds(pids) for name, pids in groups.items()}

    def _sum_phase(
        self, spec: PhaseSpec, results: list[dict], elapsed: float, cpu: dict[str, float]
    ) -> PhaseResult:
        clients = sum(r["clients"] for r in results)
        sent = sum(r["sent"] for r in results)
        got = sum(r["got"] for r in results)
        latencies = floats([r["latencies"] for r in results])
        acks = floats([r["acks"] for r in results])
        last = max(r["last_arrival_us"] for r in results) / 1_000_000
        window = max(last - spec.t0, spec.total / spec.rate) if last else elapsed
        closed: Counter = Counter()
        for r in results:
            closed.update(r["closed"])
        return PhaseResult(
            rate=spec.rate,
            clients=clients,
            sent=sent,
            deliveries=got,
            lost=sent * clients - got,
            dups=sum(r["dups"] for r in results),
            stray=sum(r["stray"] for r in results),
            window_s=round(window, 3),
            deliveries_per_s=got / window if window else 0.0,
            p50_ms=percentile(latencies, 0.50),
            p99_ms=percentile(latencies, 0.99),
            max_ms=latencies[-1] if latencies else None,
            ack_p50_ms=percentile(acks, 0.50),
            ack_p99_ms=percentile(acks, 0.99),
            server_cpu_us=cpu["server"] * 1e6 / got if got else None,
            loadgen_cpu_us=cpu["loadgen"] * 1e6 / got if got else None,
            server_cores=cpu["server"] / elapsed,
            loadgen_cores=cpu["loadgen"] / elapsed,
            parts_cpu_us={n: cpu[n] * 1e6 / got for n in self.parts} if got else {},
            errors=sum(r["errors"] for r in results),
            seq_dups=sum(r["seq_dups"] for r in results),
            seq_gaps=sum(r["seq_gaps"] for r in results),
            closed={str(code): n for code, n in closed.items()},
            error_samples=[s for r in results for s in r["error_samples"]][:5],
        )

    def wait_closed(self, timeout: float) -> dict:
        closed: Counter = Counter()
        for result in self._all("wait_closed", limit_s=timeout):
            closed.update(result["closed"])
        return {str(code): n for code, n in closed.items()}

    def wait_seq(self, seq: int, *, since: float, timeout: float) -> dict:
        """Every client's time to reach `seq`, and the seq checks since the clients opened."""
        results = self._all("wait_seq", seq=seq, since=since, limit_s=timeout)
        return {
            "clients": sum(r["clients"] for r in results),
            "reached_ms": floats([r["reached"] for r in results]),
            "seq_dups": sum(r["seq_dups"] for r in results),
            "seq_gaps": sum(r["seq_gaps"] for r in results),
            "errors": sum(r["errors"] for r in results),
            "error_samples": [s for r in results for s in r["error_samples"]][:5],
        }

    def views(self, *, limit_s: float) -> dict:
        """Every client's view of who is online (bench/views.py), once each is right or after
        `limit_s`: how many are wrong, when the right ones became right (µs, monotonic, sorted)
        and each `presence` announcement's latency from its user's socket opening (ms, sorted)."""
        opened: dict[int, int] = {}
        for result in self._all("opened"):
            opened.update(result["opened"])
        opened_us = array("q", bytes(8 * (max(opened, default=0) + 1)))
        for index, moment in opened.items():
            opened_us[index] = moment
        results = self._all("views", opened=opened_us.tobytes(), limit_s=limit_s)
        complete = array("q")
        for r in results:
            complete.frombytes(r["complete_us"])
        counts = ("presence_frames", "presence_entries", "pages_asked", "pages_answered")
        return {
            "clients": sum(r["clients"] for r in results),
            "wrong": sum(r["wrong"] for r in results),
            "wrong_samples": [s for r in results for s in r["wrong_samples"]][:5],
            "complete_us": sorted(complete),
            "latencies_ms": floats([r["latencies"] for r in results]),
            **{
                name: sum(r[name] for r in results)
                for name in (*counts, "strangers", "closed", "errors")
            },
            "error_samples": [s for r in results for s in r["error_samples"]][:5],
        }

    def close(self) -> None:
        """Close every client and end the workers."""
        with contextlib.suppress(OSError, EOFError):
            self._all("stop")
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
