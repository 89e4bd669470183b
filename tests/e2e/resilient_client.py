"""A chat client that behaves as Parley's browser client is meant to, for fault scripts.

One WebSocket to `/ws/`, subscribed to one or more rooms. Whatever happens to the socket or the
server, it guarantees:

- per room, the shown list is exactly the items seq 1, 2, …, `last_seq`, each once, in order:
  an item that skips ahead is held while the gap is read with `history` (`before` = the held
  seq, `limit` = the gap, at most 200), and `backlog_truncated` is paged the same way;
- after any close or error it reconnects (exponential backoff with jitter from 0.1 s up to 2 s;
  at once after close code 1012) and resubscribes with `after` = the last seq shown;
- a frame that stores an item (`send`, a reply being a `send` with `thread`; `edit`, `delete`,
  `react`) stays in the outbox until an `ack` with its client_id arrives, and is re-sent with
  the same client_id after every reconnect (one the server already stored gets its original
  ack, nothing new). Outbox frames go out oldest first, at most SEND_WINDOW unanswered at a
  time; after `unavailable` (backing off while the outage lasts) or `rate_limited` (for its
  `retry_after`) sending pauses, then resumes with the refused frame. A change to a message
  (`edit`, `delete`, `react`) waits while an earlier frame of the outbox changing the same
  message is unanswered: a refusal retried later never lets a later change of one message
  overtake an earlier one (a `remove` its `add`, a `delete` its `edit`). Any other error
  refuses a frame for good and is recorded as a problem;
- a `ping` every `ping_interval` seconds; no `pong` within `pong_timeout` means the socket is
  dead: it is cut and the client reconnects;
- a handshake refused with `rate_limited` (then close 4429) is retried no sooner than its
  `retry_after`.

It records what a checker needs: every client_id sent (with its room and the type of item it
makes), every ack, the final shown lists, when each item was shown, and anything the server did
that the protocol does not allow. `message`, `edit`, `delete`, `reaction` and `event` frames are
all timeline items (each with its seq) and are shown alike.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

HISTORY_LIMIT = 200
BACKOFF_START = 0.1
BACKOFF_CAP = 2.0
CLOSE_SERVICE_RESTART = 1012
# After `unavailable` a frame is repeated later: 0.5 s, doubling while the outage lasts, up to 5 s.
RETRY_START = 0.5
RETRY_CAP = 5.0
# Unanswered outbox frames on a socket at most: bounds a burst after a reconnect, and so the
# refusals in a row a rate limit can cause.
SEND_WINDOW = 10
RETRY_CODES = {"unavailable", "rate_limited"}
# Frames this client does not act on: answers to its own joins, and live features.
IGNORED_TYPES = {"joined", "left", "presence", "typing", "read"}
ITEM_FRAMES = {"message", "edit", "delete", "reaction", "event"}
TRACED_TYPES = {"subscribed", "backlog_truncated", "history", "error", *ITEM_FRAMES}
TRACED_FIELDS = {"type", "seq", "after", "before", "limit", "last_seq", "code", "ref", "has_more"}
# Frames about timelines kept per client, to explain a problem (the newest last).
TRACE_LENGTH = 300
# The item each outbox frame type stores.
ITEM_TYPES = {"send": "message", "edit": "edit", "delete": "delete", "react": "reaction"}


class Signal:
    """Wakes every waiter at each `notify()`; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """True as soon as `predicate()` holds; False if it still does not after `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._event.wait()
        except TimeoutError:
            return predicate()
        return True


@dataclass
class Timeline:
    """One room as the client shows it: `items` holds seq 1..last_seq, each once, in order."""

    slug: str
    items: list[dict] = field(default_factory=list)
    # Items that arrived ahead of a gap, by seq: always above last_seq + 1.
    held: dict[int, dict] = field(default_factory=dict)
    # Seqs up to here exist but will not come by themselves (backlog_truncated): page them.
    fill_to: int = 0
    # The room's last seq as the latest `subscribed` on a socket reported it.
    server_last_seq: int = 0
    # The `history` request (before, limit) for this room in flight on the current socket.
    asked: tuple[int, int] | None = None

    @property
    def last_seq(self) -> int:
        return self.items[-1]["seq"] if self.items else 0

    def offer(self, item: dict) -> list[dict]:
        """Take an item from anywhere; return the items it let through to the shown list."""
        seq = item["seq"]
        if seq <= self.last_seq:
            return []
        self.held[seq] = item
        shown = []
        while self.last_seq + 1 in self.held:
            shown.append(self.held.pop(self.last_seq + 1))
            self.items.append(shown[-1])
        return shown

    def next_gap(self) -> tuple[int, int] | None:
        """The `history` request (before, limit) for the lowest missing seqs, or None."""
        if self.held:
            top = min(self.held)
        elif self.fill_to > self.last_seq:
            top = self.fill_to + 1
        else:
            return None
        return top, min(top - self.last_seq - 1, HISTORY_LIMIT)


@dataclass
class Stats:
    """What happened to one client's sockets, for the report."""

    connects: int = 0
    connect_failures: int = 0
    drops: int = 0
    pong_timeouts: int = 0
    history_requests: int = 0
    retries: Counter = field(default_factory=Counter)  # error code -> frames repeated later
    # Per socket, the server promises every item once and in order: a break is a server fault.
    wire_gaps: int = 0
    wire_repeats: int = 0
    close_codes: Counter = field(default_factory=Counter)


class ResilientClient:
    """One user's chat client with the guarantees in this module's docstring.

    `start()` runs it until `stop()`; `post()`, `edit()`, `delete()` and `react()` queue a frame;
    `drop()` cuts its socket. All
    state changes the caller may wait for (acks, shown items, subscriptions) `notify` `signal`.
    """

    def __init__(
        self,
        name: str,
        url: str,
        headers: dict[str, str],
        rooms: list[str],
        *,
        seed: int,
        signal: Signal | None = None,
        ping_interval: float = 2.0,
        pong_timeout: float = 5.0,
    ) -> None:
        self.name = name
        self.url = url
        self.headers = headers
        self.timelines = {slug: Timeline(slug) for slug in rooms}
        self.signal = signal or Signal()
        self.ping_interval = ping_interval
        self.pong_timeout = pong_timeout
        # client_id -> the frame (without its ref), oldest first: queued and not yet acked.
        self.outbox: dict[str, dict] = {}
        self.sent: dict[str, str] = {}  # every client_id queued -> its room
        self.kinds: dict[str, str] = {}  # every client_id queued -> the item type it stores
        self.acks: dict[str, int] = {}  # client_id -> acked seq
        self.acked_at: dict[str, float] = {}  # client_id -> when the ack arrived
        self.shown_at: dict[tuple[str, int], float] = {}  # (room, seq) -> when it was shown
        self.problems: list[str] = []
        # (socket generation, "<" sent or ">" received, room, what): the latest timeline frames.
        self.trace: deque[tuple[int, str, str, str]] = deque(maxlen=TRACE_LENGTH)
        self.stats = Stats()
        self._rng = random.Random(seed)
        self._counter = itertools.count(1)
        self._failures = 0  # failed connections since the last `subscribed`
        self._unavailable = 0  # `unavailable` answers since the last ack
        self._not_before = 0.0  # no handshake before this loop time (rate_limited)
        self._generation = 0
        self._ws: ClientConnection | None = None
        self._out: asyncio.Queue[str] | None = None
        self._wire: dict[str, int] = {}
        self._in_flight: set[str] = set()  # send frames on this socket not yet answered
        self._pause: asyncio.TimerHandle | None = None  # sending resumes when it fires
        self._pong = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    # -- what the caller does ------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        """Stop reconnecting and close the socket; the records stay."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def post(self, room: str, body: str, thread: int | None = None) -> str:
        """Queue a message (a reply in the thread of the root at seq `thread`, if given); it is
        sent as soon as the socket and the send window allow. Its client_id."""
        frame: dict = {"type": "send", "room": room, "body": body}
        if thread is not None:
            frame["thread"] = thread
        return self._enqueue(frame)

    def edit(self, room: str, target: int, body: str) -> str:
        """Queue a new body for this user's message at seq `target`."""
        return self._enqueue({"type": "edit", "room": room, "target": target, "body": body})

    def delete(self, room: str, target: int) -> str:
        """Queue the deletion of the message at seq `target`."""
        return self._enqueue({"type": "delete", "room": room, "target": target})

    def react(self, room: str, target: int, emoji: str, op: str) -> str:
        """Queue adding (`op` "add") or removing ("remove") this user's `emoji` on a message."""
        frame = {"type": "react", "room": room, "target": target, "emoji": emoji, "op": op}
        return self._enqueue(frame)

    def _enqueue(self, frame: dict) -> str:
        client_id = frame["client_id"] = f"{self.name}-{next(self._counter):05d}"
        self.sent[client_id] = frame["room"]
        self.kinds[client_id] = ITEM_TYPES[frame["type"]]
        self.outbox[client_id] = frame
        self._pump()
        return client_id

    def drop(self) -> bool:
        """Cut the socket without a closing handshake, as a network failure would."""
        if self._ws is None:
            return False
        self._ws.transport.abort()
        self.stats.drops += 1
        return True

    @property
    def connected(self) -> bool:
        return self._ws is not None

    @property
    def subscribed(self) -> bool:
        """Every room has answered `subscribed` once (a timeline starts with a join, seq 1)."""
        return all(t.server_last_seq > 0 for t in self.timelines.values())

    def settled(self, last_seqs: dict[str, int]) -> bool:
        """Every frame acked, and every room shown up to `last_seqs` with nothing held."""
        return not self.outbox and all(
            t.last_seq == last_seqs[slug] and not t.held for slug, t in self.timelines.items()
        )

    # -- the connection loop -------------------------------------------------------------------

    async def run(self) -> None:
        """Stay connected until stopped: reconnect after any close or error."""
        loop = asyncio.get_running_loop()
        delay = 0.0
        while not self._stopping:
            delay = max(delay, self._not_before - loop.time())
            if delay > 0:
                await asyncio.sleep(delay)
            code = await self._connect_once()
            delay = 0.0 if code == CLOSE_SERVICE_RESTART else self._next_backoff()

    def _next_backoff(self) -> float:
        ceiling = min(BACKOFF_CAP, BACKOFF_START * 2**self._failures)
        self._failures += 1
        return self._rng.uniform(ceiling / 2, ceiling)

    async def _connect_once(self) -> int | None:
        """One socket's life; its close code, or None if it never opened."""
        try:
            async with connect(
                self.url,
                additional_headers=self.headers,
                open_timeout=5,
                close_timeout=1,
                ping_interval=None,
            ) as ws:
                self.stats.connects += 1
                return await self._session(ws)
        except InvalidStatus as exc:
            self.stats.close_codes[f"http {exc.response.status_code}"] += 1
        except (OSError, TimeoutError, InvalidHandshake):
            self.stats.connect_failures += 1
        return None

    async def _session(self, ws: ClientConnection) -> int | None:
        self._generation += 1
        self._ws, self._out, self._wire = ws, asyncio.Queue(), {}
        for timeline in self.timelines.values():
            timeline.asked = None
            self._subscribe(timeline)
        self._pump()
        tasks = [asyncio.create_task(self._write(ws, self._out)), asyncio.create_task(self._beat())]
        try:
            async for raw in ws:
                self._receive(raw)
        except ConnectionClosed:
            pass
        finally:
            self._end_session()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        self.stats.close_codes[ws.close_code] += 1
        if ws.close_code == 4401:
            self.problems.append(f"{self.name}: closed 4401 (session lost)")
        return ws.close_code

    def _end_session(self) -> None:
        """Forget the socket: what was in flight on it is re-sent on the next one."""
        self._ws = self._out = None
        self._in_flight.clear()
        if self._pause is not None:
            self._pause.cancel()
            self._pause = None

    async def _write(self, ws: ClientConnection, out: asyncio.Queue[str]) -> None:
        while True:
            frame = await out.get()
            try:
                await ws.send(frame)
            except ConnectionClosed:
                return

    async def _beat(self) -> None:
        """Ping; a socket that does not answer in time is cut (the loop then reconnects)."""
        while True:
            await asyncio.sleep(self.ping_interval)
            self._pong.clear()
            self._queue({"type": "ping", "ref": "p"})
            try:
                await asyncio.wait_for(self._pong.wait(), self.pong_timeout)
            except TimeoutError:
                self.stats.pong_timeouts += 1
                if self._ws is not None:
                    self._ws.transport.abort()
                return

    def _queue(self, frame: dict) -> None:
        if self._out is not None:
            self._out.put_nowait(json.dumps(frame))
            if frame["type"] in {"subscribe", "history"}:
                self._note("<", frame)

    def _note(self, direction: str, frame: dict) -> None:
        what = {k: v for k, v in frame.items() if k in TRACED_FIELDS}
        if "items" in frame:
            seqs = [item["seq"] for item in frame["items"]]
            what["items"] = f"{seqs[0]}..{seqs[-1]}" if seqs else "none"
        room = frame.get("room") or (frame.get("ref") or "").partition(":")[2]
        self.trace.append((self._generation, direction, room, str(what)))

    def traced(self, room: str, last: int = 25) -> str:
        """The latest traced frames about `room`, oldest first."""
        lines = [f"#{g}{d}{what}" for g, d, r, what in self.trace if r == room]
        return "; ".join(lines[-last:])

    def _subscribe(self, timeline: Timeline) -> None:
        self._wire[timeline.slug] = timeline.last_seq
        self._queue(
            {
                "type": "subscribe",
                "room": timeline.slug,
                "after": timeline.last_seq,
                "ref": f"sub:{timeline.slug}",
            }
        )

    def _pump(self) -> None:
        """Send outbox frames, oldest first, while the window has room and nothing pauses; a
        change waits while an earlier frame changing the same message is unanswered."""
        if self._out is None or self._pause is not None:
            return
        changing: set[tuple[str, int]] = set()  # messages an earlier outbox frame changes
        for client_id, frame in self.outbox.items():
            if len(self._in_flight) >= SEND_WINDOW:
                return
            if "target" in frame:
                message = (frame["room"], frame["target"])
                if message in changing:
                    continue
                changing.add(message)
            if client_id not in self._in_flight:
                self._in_flight.add(client_id)
                self._queue({**frame, "ref": f"s:{client_id}"})

    def _pause_sending(self, delay: float) -> None:
        """No new outbox frame for `delay` seconds (a longer pause already set stays)."""
        loop = asyncio.get_running_loop()
        if self._pause is not None and self._pause.when() >= loop.time() + delay:
            return
        if self._pause is not None:
            self._pause.cancel()
        self._pause = loop.call_later(delay, self._resume_sending)

    def _resume_sending(self) -> None:
        self._pause = None
        self._pump()

    def _request_gap(self, timeline: Timeline) -> None:
        """Ask for the lowest missing seqs, one request per room at a time."""
        gap = timeline.next_gap()
        if gap is None or timeline.asked is not None or self._out is None:
            return
        before, limit = timeline.asked = gap
        self.stats.history_requests += 1
        self._queue(
            {
                "type": "history",
                "room": timeline.slug,
                "before": before,
                "limit": limit,
                "ref": f"h:{timeline.slug}",
            }
        )

    # -- frames from the server ----------------------------------------------------------------

    def _receive(self, raw: str | bytes) -> None:
        """Act on one frame; a frame that breaks the protocol is recorded, never fatal."""
        try:
            self._handle(json.loads(raw))
        except (ValueError, KeyError, TypeError) as exc:
            self.problems.append(f"{self.name}: bad frame {raw!r:.200} ({exc!r})")

    def _handle(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind in TRACED_TYPES:
            self._note(">", frame)
        handler = self._HANDLERS.get(kind)
        if handler is not None:
            handler(self, frame)
        elif kind not in IGNORED_TYPES:
            self.problems.append(f"{self.name}: unexpected frame {frame!r:.200}")

    def _timeline(self, frame: dict) -> Timeline | None:
        timeline = self.timelines.get(frame.get("room"))
        if timeline is None:
            self.problems.append(f"{self.name}: frame for an unknown room {frame!r:.200}")
        return timeline

    def _on_item(self, frame: dict) -> None:
        timeline = self._timeline(frame)
        if timeline is not None:
            self._check_wire(timeline.slug, frame["seq"])
            self._show(timeline, [frame])

    def _check_wire(self, slug: str, seq: int) -> None:
        expected = self._wire.get(slug, 0) + 1
        if seq < expected:
            self.stats.wire_repeats += 1
        elif seq > expected:
            self.stats.wire_gaps += 1
        self._wire[slug] = max(seq, expected - 1)

    def _show(self, timeline: Timeline, items: list[dict]) -> None:
        now = time.monotonic()
        shown = []
        for item in items:
            shown.extend(timeline.offer(item))
        for item in shown:
            self.shown_at[(timeline.slug, item["seq"])] = now
        self._request_gap(timeline)
        if shown:
            self.signal.notify()

    def _on_subscribed(self, frame: dict) -> None:
        timeline = self._timeline(frame)
        if timeline is not None:
            timeline.server_last_seq = frame["last_seq"]
            self._failures = 0
            self.signal.notify()

    def _on_backlog_truncated(self, frame: dict) -> None:
        timeline = self._timeline(frame)
        if timeline is not None:
            timeline.fill_to = max(timeline.fill_to, frame["last_seq"])
            self._wire[timeline.slug] = frame["last_seq"]
            self._request_gap(timeline)

    def _on_history(self, frame: dict) -> None:
        timeline = self._timeline(frame)
        if timeline is None:
            return
        asked, timeline.asked = timeline.asked, None
        items = frame["items"]
        new = [i for i in items if i["seq"] > timeline.last_seq and i["seq"] not in timeline.held]
        if not new and asked is not None and asked != timeline.next_gap():
            # A stale answer: what it was asked for came meanwhile (a resubscription's backlog,
            # an earlier answer), so ask for the gap there is now, if any.
            self._request_gap(timeline)
            return
        if timeline.next_gap() is not None and not new:
            # Asking again would get the same answer: the server has a hole in its timeline.
            seqs = f"{items[0]['seq']}..{items[-1]['seq']}" if items else "nothing"
            self.problems.append(
                f"{self.name}: history {asked} for {timeline.slug} gave {seqs} while showing up "
                f"to {timeline.last_seq} and holding {sorted(timeline.held)[:3]} "
                f"(latest frames: {self.traced(timeline.slug)})"
            )
            return
        self._show(timeline, new)

    def _on_ack(self, frame: dict) -> None:
        client_id, seq = frame["client_id"], frame["seq"]
        known = self.acks.setdefault(client_id, seq)
        if known != seq:
            self.problems.append(f"{self.name}: {client_id} acked as seq {known} and {seq}")
        self.acked_at.setdefault(client_id, time.monotonic())
        self.outbox.pop(client_id, None)
        self._in_flight.discard(client_id)
        self._unavailable = 0
        self._pump()
        self.signal.notify()

    def _on_pong(self, frame: dict) -> None:
        self._pong.set()

    def _on_error(self, frame: dict) -> None:
        code, ref = frame.get("code"), frame.get("ref") or ""
        kind, _, key = ref.partition(":")
        if kind == "s":
            self._in_flight.discard(key)
        if code in RETRY_CODES:
            self._retry_later(code, kind, key, frame.get("retry_after"))
            return
        self.problems.append(f"{self.name}: error {code} for {ref!r}: {frame.get('message')}")
        if kind == "s" and self.outbox.pop(key, None) is not None:
            self._pump()
            self.signal.notify()

    def _retry_later(self, code: str, kind: str, key: str, retry_after: float | None) -> None:
        """Repeat the refused frame later; without a ref it was the handshake that was refused."""
        self.stats.retries[code] += 1
        delay = retry_after or min(RETRY_CAP, RETRY_START * 2 ** min(self._unavailable, 4))
        self._unavailable += code == "unavailable"
        loop = asyncio.get_running_loop()
        if kind == "s":
            self._pause_sending(delay)
        elif kind in {"sub", "h"} and key in self.timelines:
            loop.call_later(delay, self._repeat, kind, self.timelines[key], self._generation)
        elif not kind:
            self._not_before = max(self._not_before, loop.time() + delay)

    def _repeat(self, kind: str, timeline: Timeline, generation: int) -> None:
        """Repeat a refused subscribe or history request, unless its socket is gone."""
        if generation != self._generation or self._out is None:
            return
        if kind == "sub":
            self._subscribe(timeline)
        else:
            timeline.asked = None
            self._request_gap(timeline)

    _HANDLERS: dict[str, Callable[[ResilientClient, dict], None]] = {
        "message": _on_item,
        "edit": _on_item,
        "delete": _on_item,
        "reaction": _on_item,
        "event": _on_item,
        "subscribed": _on_subscribed,
        "backlog_truncated": _on_backlog_truncated,
        "history": _on_history,
        "ack": _on_ack,
        "pong": _on_pong,
        "error": _on_error,
    }
