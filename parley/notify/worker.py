"""Web Push runs beside the server, on a thread and event loop of its own.

Changes are emitted after commit in the thread that committed (in the server, the database
thread every socket's writes go through), so `on_change` only keeps what may notify someone
(policy.may_notify, no query) and hands it over; at most PARLEY_PUSH["MAX_PENDING"] wait, more
are dropped (logged). The worker thread's loop then, one message at a time (so pushes follow the
room's order), finds the recipients (a query on one of its two database threads), keeps those
who are away (away.py), and pushes:

- coalesced: at most one push per room per user per COALESCE_SECONDS. The first message of a
  quiet room is pushed at once; the ones that follow within the window are summed up in one
  push when it ends ("3 new messages in #ops", pointing at the first of them), if the user is
  still away then;
- at most WORKERS requests at once, each within TIMEOUT_SECONDS (the guard's total deadline);
- a timeout, a connection error, 429 or 5xx is tried again RETRIES times, after BACKOFF_SECONDS,
  then twice that, … (or the push service's Retry-After, up to a minute); 404 and 410 delete the
  subscription at once, other refusals count as failures (MAX_FAILURES in a row delete it).

People who seemed connected when a message came are asked again once the presence grace has
passed (a socket closed a moment before still counts as online for PRESENCE_GRACE_SECONDS): who
is gone by then without having read the message is pushed to, still within the contract's 10 s.

Nothing here runs on the server's event loop: a push service that hangs holds only this
thread's requests. `wait_idle` waits until nothing is queued, waiting to be coalesced, being sent
or waiting to be retried (tests, shutdown).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

from parley.notify.away import away_among
from parley.notify.policy import Recipient, may_notify, push_recipients
from parley.notify.push import (
    Notice,
    Result,
    Target,
    notice_of,
    outcome_record,
    payload,
    push_send,
    targets_of,
)
from parley.rooms.changes import ItemAdded
from parley.rooms.models import Membership, Room

log = logging.getLogger(__name__)

R = TypeVar("R")

# Windows that ended this long ago (in COALESCE_SECONDS) are forgotten when the map is swept.
SWEEP_EVERY_OFFERS = 1000
# After the presence grace, a little more: the tracker announces the change at the grace's end.
RECHECK_MARGIN_SECONDS = 0.5
# The worker's own database threads (recipients, push targets, outcomes).
DATABASE_THREADS = 2
# drop_pending: how long to wait for the message being decided before dropping again.
DROP_WAIT_SECONDS = 0.2


@dataclass(slots=True)
class Window:
    """A user's pushes about one room: when the last went, and what waits for the next."""

    last_sent: float
    first: Notice | None = None  # the first message waiting
    count: int = 0
    urgent: bool = False


@dataclass(slots=True)
class _State:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[ItemAdded]
    database: ThreadPoolExecutor
    windows: dict[tuple[int, int], Window] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    slots: asyncio.Semaphore | None = None
    offers: int = 0


class PushWorker:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._state: _State | None = None
        # Work not finished: queued messages, waiting windows, sends (retries included).
        self._outstanding = 0
        self._queued = 0
        self._consumer: asyncio.Task[None] | None = None

    # -- any thread ----------------------------------------------------------------------------

    def submit(self, change: ItemAdded) -> bool:
        """Queue a message for the worker; False when too many wait (it is dropped)."""
        state = self._started()
        with self._lock:
            if self._queued >= settings.PARLEY_PUSH["MAX_PENDING"]:
                log.warning(
                    "push skipped: too many messages pending",
                    extra={"event": "push_skipped", "room_id": change.room_id},
                )
                return False
            self._queued += 1
            self._outstanding += 1
        state.loop.call_soon_threadsafe(state.queue.put_nowait, change)
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Wait until the worker has nothing left to do; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._outstanding == 0, timeout)

    def drop_pending(self, timeout: float = 10.0) -> bool:
        """Drop what waits (queued messages, windows, rechecks, retries) and return once nothing
        of the worker runs, its database calls included; False on timeout. For tests: a query
        of the worker still running when the test database is emptied deadlocks with it."""
        state = self._state
        if state is None:
            return True
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            asyncio.run_coroutine_threadsafe(self._drop(left), state.loop).result(left)
            # The message being decided when the rest was dropped may start more work.
            with self._lock:
                if self._lock.wait_for(lambda: self._outstanding == 0, DROP_WAIT_SECONDS):
                    break
        # A cancelled task's database call runs to its end: one more call per thread, all held
        # until each thread has taken one, ends after it.
        left = max(0.1, deadline - time.monotonic())
        everyone = threading.Barrier(DATABASE_THREADS, timeout=left)
        waits = [state.database.submit(everyone.wait) for _ in range(DATABASE_THREADS)]
        try:
            for wait in waits:
                wait.result()
        except threading.BrokenBarrierError:
            return False
        return True

    async def _drop(self, wait_seconds: float) -> None:
        state = self._state
        assert state is not None
        while not state.queue.empty():
            state.queue.get_nowait()
            self._finished(queued=True)
        state.windows.clear()
        tasks = [task for task in state.tasks if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=wait_seconds)

    def forget_windows(self) -> None:
        """Start every room's window afresh (tests: ids are reused between them)."""
        state = self._state
        if state is not None:
            done = threading.Event()

            def clear() -> None:
                state.windows.clear()
                done.set()

            state.loop.call_soon_threadsafe(clear)
            done.wait(5)

    def _started(self) -> _State:
        with self._lock:
            if self._state is None:
                ready = threading.Event()
                thread = threading.Thread(
                    target=self._run, args=(ready,), name="parley-push", daemon=True
                )
                thread.start()
                ready.wait()
            assert self._state is not None
            return self._state

    def _finished(self, *, queued: bool = False) -> None:
        with self._lock:
            self._outstanding -= 1
            if queued:
                self._queued -= 1
            self._lock.notify_all()

    def _begun(self) -> None:
        with self._lock:
            self._outstanding += 1

    # -- the worker's thread -------------------------------------------------------------------

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._state = _State(
            loop=loop,
            queue=asyncio.Queue(),
            database=ThreadPoolExecutor(
                max_workers=DATABASE_THREADS, thread_name_prefix="parley-push-db"
            ),
        )
        self._consumer = loop.create_task(self._consume())
        ready.set()
        loop.run_forever()

    async def _db(self, func: Callable[..., R], *args: Any) -> R:
        def call() -> R:
            try:
                return func(*args)
            finally:
                # This thread's connection: it may wait long for its next call.
                connections.close_all()

        assert self._state is not None
        return await self._state.loop.run_in_executor(self._state.database, call)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run `coroutine` as outstanding work (counted from now until it ends)."""
        assert self._state is not None
        self._begun()
        task = self._state.loop.create_task(coroutine)
        self._state.tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            assert self._state is not None
            self._state.tasks.discard(finished)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("push task failed", exc_info=finished.exception())
            self._finished()

        task.add_done_callback(done)

    async def _consume(self) -> None:
        assert self._state is not None
        while True:
            change = await self._state.queue.get()
            try:
                await self._decide(change)
            except Exception:
                log.exception("push decision failed", extra={"event": "push_error"})
            finally:
                self._finished(queued=True)

    async def _decide(self, change: ItemAdded) -> None:
        found = await self._db(_recipients_of, change)
        if found is None:
            return
        notice, recipients = found
        away = await away_among([recipient.user_id for recipient in recipients])
        present = []
        for recipient in recipients:
            if recipient.user_id in away:
                self._offer(recipient, notice)
            else:
                present.append(recipient)
        if present:
            self._spawn(self._recheck(present, notice))

    async def _recheck(self, recipients: list[Recipient], notice: Notice) -> None:
        """Ask again, once the presence grace has passed, whether `recipients` are away; push to
        those who are and have not read the message meanwhile."""
        await asyncio.sleep(settings.PARLEY["PRESENCE_GRACE_SECONDS"] + RECHECK_MARGIN_SECONDS)
        away = await away_among([recipient.user_id for recipient in recipients])
        if not away:
            return
        unread = await self._db(_not_read, notice.room_id, notice.seq, sorted(away))
        for recipient in recipients:
            if recipient.user_id in unread:
                self._offer(recipient, notice)

    def _offer(self, recipient: Recipient, notice: Notice) -> None:
        state = self._state
        assert state is not None
        now = state.loop.time()
        every = settings.PARLEY_PUSH["COALESCE_SECONDS"]
        state.offers += 1
        if state.offers % SWEEP_EVERY_OFFERS == 0:
            self._sweep(now, every)
        key = (recipient.user_id, notice.room_id)
        window = state.windows.get(key)
        if window is None or (window.first is None and now - window.last_sent >= every):
            state.windows[key] = Window(last_sent=now)
            self._spawn(self._send(recipient.user_id, payload(notice), recipient.mentioned))
            return
        if window.first is None:
            window.first, window.count, window.urgent = notice, 0, False
            self._spawn(self._flush_at(key, window.last_sent + every))
        window.count += 1
        window.urgent = window.urgent or recipient.mentioned

    def _sweep(self, now: float, every: float) -> None:
        assert self._state is not None
        windows = self._state.windows
        stale = [k for k, w in windows.items() if w.first is None and now - w.last_sent >= every]
        for key in stale:
            del windows[key]

    async def _flush_at(self, key: tuple[int, int], when: float) -> None:
        assert self._state is not None
        await asyncio.sleep(max(0.0, when - self._state.loop.time()))
        window = self._state.windows.get(key)
        if window is None or window.first is None:
            return
        first, count, urgent = window.first, window.count, window.urgent
        window.first, window.count, window.urgent = None, 0, False
        user_id = key[0]
        if user_id not in await away_among([user_id]):
            return  # back meanwhile: the client shows what they missed
        window.last_sent = self._state.loop.time()
        await self._send(user_id, payload(first, count), urgent)

    async def _send(self, user_id: int, data: dict[str, object], urgent: bool) -> None:
        for target in await self._db(targets_of, user_id):
            self._spawn(self._deliver(target, data, "high" if urgent else "normal"))

    async def _deliver(self, target: Target, data: dict[str, object], urgency: str) -> None:
        assert self._state is not None
        config = settings.PARLEY_PUSH
        if self._state.slots is None:
            self._state.slots = asyncio.Semaphore(max(1, config["WORKERS"]))
        backoff = config["BACKOFF_SECONDS"]
        for attempt in range(config["RETRIES"] + 1):
            async with self._state.slots:
                outcome = await push_send(
                    target,
                    data,
                    urgency=urgency,
                    ttl=config["TTL_SECONDS"],
                    deadline=config["TIMEOUT_SECONDS"],
                )
            if outcome.result is not Result.RETRY or attempt == config["RETRIES"]:
                break
            await asyncio.sleep(outcome.retry_after or backoff * 2**attempt)
        record = partial(outcome_record, max_failures=config["MAX_FAILURES"])
        await self._db(record, target, outcome)


def _not_read(room_id: int, seq: int, user_ids: list[int]) -> set[int]:
    """Those of `user_ids` whose read pointer in the room is still before `seq`."""
    return set(
        Membership.objects.filter(
            room_id=room_id, user_id__in=user_ids, last_read_seq__lt=seq
        ).values_list("user_id", flat=True)
    )


def _recipients_of(change: ItemAdded) -> tuple[Notice, list[Recipient]] | None:
    room = Room.objects.filter(pk=change.room_id).first()
    if room is None:
        return None
    recipients = push_recipients(change, room)
    if not recipients:
        return None
    return notice_of(change, room), recipients


worker = PushWorker()


def on_change(change: object) -> None:
    """Hand a posted message to the push worker (a listener of parley.core.changes)."""
    if isinstance(change, ItemAdded) and may_notify(change):
        worker.submit(change)


def wait_idle(timeout: float) -> bool:
    return worker.wait_idle(timeout)
