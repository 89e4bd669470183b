"""The per-process presence tracker, and the announcement of a user's new status.

See the package's docstring for the rules (grace, coalescing, snapshots).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from django.conf import settings

from parley.core import metrics
from parley.realtime import broadcast
from parley.realtime.database import database_call
from parley.realtime.presence import snapshot as presence_snapshot
from parley.realtime.presence.memory import MemoryPresenceStore
from parley.realtime.presence.types import Announce, NotRegistered, PresenceStore, Status
from parley.rooms import selectors

log = logging.getLogger(__name__)

# After a failed store call, the user's state is written again this much later.
RETRY_SECONDS = 1.0
# How long `stop` waits for its tasks and for the store to forget this process.
STOP_WAIT_SECONDS = 2.0


class PresenceTracker:
    """This process's sockets per user, reconciled with the store by one worker task.

    `opened`, `closed` and `set_idle` only record and schedule (no await), so the hub can call
    them from anywhere; the worker writes each user's latest state in order and announces the
    changes the store reports. Obligation of the caller: `start()` before use, `stop()` at the end.

    With `snapshot_path` (a store in this process's memory only), `start()` takes the snapshot a
    graceful stop left there and `save_snapshot()` writes one; `wall_clock` dates it.

    With a store in this process's memory, `epoch` changes whenever `statuses` may answer
    differently (a write, a user's status here changing): an answer is good while it stays the
    same (member_lists.py). None with a shared store, which other processes change.
    """

    def __init__(
        self,
        *,
        store: PresenceStore,
        announce: Announce,
        grace: float,
        min_interval: float,
        heartbeat_every: float,
        reap_every: float,
        clock: Callable[[], float] = time.monotonic,
        snapshot_path: Path | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self._announce = announce
        self._grace = grace
        self._min_interval = min_interval
        self._heartbeat_every = heartbeat_every
        self._reap_every = reap_every
        self._clock = clock
        self._snapshot_path = snapshot_path if not store.shared else None
        self._memory = (
            store if isinstance(store, MemoryPresenceStore) and not store.shared else None
        )
        self.epoch: int | None = None if self._memory is None else 0
        self._wall_clock = wall_clock
        self._sockets: dict[int, dict[str, bool]] = {}  # user -> {socket token: idle}
        self._written: dict[int, Status] = {}  # what the store holds for this process
        self._leaving: dict[int, float] = {}  # user -> end of the grace after the last close
        self._left_as: dict[int, Status] = {}  # a leaving user's local state at the last close
        self._due: dict[int, float] = {}  # user -> when to reconcile
        self._quiet_until: dict[int, float] = {}  # user -> next write allowed
        self._resync_needed = False
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # -- sockets (called by the hub) -----------------------------------------------------------

    def opened(self, user_id: int, token: str) -> None:
        before = self._status_here(user_id)
        self._sockets.setdefault(user_id, {})[token] = False
        self._leaving.pop(user_id, None)
        self._left_as.pop(user_id, None)
        self._schedule(user_id, self._clock())
        self._check_epoch(user_id, before)

    def closed(self, user_id: int, token: str) -> None:
        before = self._status_here(user_id)
        sockets = self._sockets.get(user_id)
        idle = None if sockets is None else sockets.pop(token, None)
        if idle is None:
            return
        now = self._clock()
        if sockets:
            self._schedule(user_id, now)
        else:
            del self._sockets[user_id]
            self._leaving[user_id] = now + self._grace
            self._left_as[user_id] = Status.of(online=True, idle=idle)  # the last socket's
            self._schedule(user_id, now + self._grace)
        self._check_epoch(user_id, before)

    def set_idle(self, user_id: int, token: str, idle: bool) -> None:
        sockets = self._sockets.get(user_id)
        if sockets is None or token not in sockets or sockets[token] == idle:
            return
        before = self._status_here(user_id)
        sockets[token] = idle
        self._schedule(user_id, self._clock())
        self._check_epoch(user_id, before)

    def _status_here(self, user_id: int) -> Status | None:
        """The user's `statuses` answer, with a store in this process's memory (else None)."""
        if self._memory is None:
            return None
        local = self.local_state(user_id)
        status = self._memory.status(user_id)
        return status if local is None else status.combine(local)

    def _check_epoch(self, user_id: int, before: Status | None) -> None:
        if self.epoch is not None and self._status_here(user_id) is not before:
            self.epoch += 1

    def _store_changed(self) -> None:
        if self.epoch is not None:
            self.epoch += 1

    def local_state(self, user_id: int) -> Status | None:
        sockets = self._sockets.get(user_id)
        if not sockets:
            return None
        return Status.of(online=True, idle=all(sockets.values()))

    async def statuses(self, user_ids: Iterable[int]) -> dict[int, Status]:
        """Each user's status, for `subscribed`. Local sockets count even before the worker has
        written them, so a user is never shown offline to a socket of their own process."""
        user_ids = list(user_ids)
        try:
            found = await self.store.statuses(user_ids)
        except Exception:
            metrics.presence_store_errors.labels("statuses").inc()
            log.warning("presence store unreachable; answering from this process", exc_info=True)
            found = {}
        # Once per member of a room for each `subscribed`: a loop without calls (Status.combine
        # of the stored status and the local sockets', inlined).
        active, idle, offline = Status.ACTIVE, Status.IDLE, Status.OFFLINE
        sockets = self._sockets
        result = {}
        for uid in user_ids:
            status = found.get(uid, offline)
            local = sockets.get(uid)
            if local:
                if not all(local.values()):
                    status = active
                elif status is offline:
                    status = idle
            result[uid] = status
        return result

    # -- the worker ----------------------------------------------------------------------------

    def _schedule(self, user_id: int, at: float) -> None:
        due = self._due.get(user_id)
        if due is None or at < due:
            self._due[user_id] = at
        self._wake.set()

    async def start(self) -> None:
        try:
            await self.store.register()
        except Exception:
            metrics.presence_store_errors.labels("register").inc()
            log.warning("presence store unreachable at start; retrying", exc_info=True)
            self._resync_needed = True
        if self._snapshot_path is not None:
            await self._restore_snapshot(self._snapshot_path)
            _snapshotting.add(self)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._work())]
        if self.store.shared:
            self._tasks += [
                loop.create_task(self._every(self._heartbeat_every, self._heartbeat)),
                loop.create_task(self._every(self._reap_every, self._reap)),
            ]

    async def stop(self) -> None:
        """Stop, and take this process's users out of the store without announcing anything
        (a stopping server's users reconnect elsewhere; the others expire)."""
        _snapshotting.discard(self)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=STOP_WAIT_SECONDS)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.store.forget(), STOP_WAIT_SECONDS)
        self._store_changed()
        with contextlib.suppress(Exception):
            await self.store.close()

    async def _work(self) -> None:
        while True:
            self._wake.clear()
            if self._resync_needed:
                await self._resync()
            now = self._clock()
            ready = sorted(uid for uid, at in self._due.items() if at <= now)
            changed: list[tuple[int, Status]] = []
            for uid in ready:
                del self._due[uid]
                status = await self._reconcile(uid)
                if status is not None:
                    changed.append((uid, status))
            # Announced together: a thousand members connecting at once cost one read of their
            # rooms, not a thousand (each behind the subscribes in the database thread).
            await self._announce_safely(changed)
            if ready:
                continue
            delay = min(self._due.values()) - now if self._due else None
            if self._resync_needed:
                delay = RETRY_SECONDS if delay is None else min(delay, RETRY_SECONDS)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _reconcile(self, user_id: int) -> Status | None:
        """Write the user's state if it changed; their new status if the store reports one."""
        now = self._clock()
        desired = self.local_state(user_id)
        if desired is None:
            leaving_until = self._leaving.get(user_id)
            if leaving_until is not None and leaving_until > now:
                self._schedule(user_id, leaving_until)
                return None
            self._leaving.pop(user_id, None)
            self._left_as.pop(user_id, None)
        if desired == self._written.get(user_id):
            return None
        quiet_until = self._quiet_until.get(user_id, 0.0)
        if quiet_until > now:
            self._schedule(user_id, quiet_until)
            return None
        try:
            change = await self.store.write(user_id, desired)
        except NotRegistered:
            self._resync_needed = True
            self._schedule(user_id, now)
            return None
        except Exception:
            metrics.presence_store_errors.labels("write").inc()
            log.warning("presence write failed for user %s; retrying", user_id, exc_info=True)
            self._schedule(user_id, now + RETRY_SECONDS)
            return None
        finally:
            self._store_changed()
        if desired is None:
            self._written.pop(user_id, None)
            self._quiet_until.pop(user_id, None)
        else:
            self._written[user_id] = desired
            self._quiet_until[user_id] = now + self._min_interval
        return None if change is None else change.new

    async def _resync(self) -> None:
        self._resync_needed = False
        try:
            changes = await self.store.resync(dict(self._written))
        except Exception:
            metrics.presence_store_errors.labels("resync").inc()
            log.warning("presence resync failed; retrying", exc_info=True)
            self._resync_needed = True
            return
        finally:
            self._store_changed()
        await self._announce_safely([(uid, change.new) for uid, change in changes])

    async def _announce_safely(self, changed: list[tuple[int, Status]]) -> None:
        if not changed:
            return
        try:
            await self._announce(changed)
        except Exception:
            log.warning("presence announcement of %d users failed", len(changed), exc_info=True)

    # -- snapshots (a store in this process's memory) ------------------------------------------

    def save_snapshot(self) -> None:
        """Write the users this process has online, each with their state and the end of their
        grace (a user with sockets still open gets a whole one), for the next process to take.

        A user's state is the one written, or, if the worker had not written them yet, their
        sockets' (at the last close): `subscribed` showed them online already (`statuses`).
        Synchronous, so that it can run after the server's event loop has ended.
        """
        if self._snapshot_path is None:
            return
        now, wall = self._clock(), self._wall_clock()
        users = {}
        for uid in {*self._written, *self._sockets, *self._leaving}:
            if uid in self._sockets:
                state, left = self._written.get(uid) or self.local_state(uid), self._grace
            else:
                state = self._written.get(uid) or self._left_as.get(uid)
                left = self._leaving.get(uid, now) - now
            if state is not None and left > 0:
                users[uid] = (str(state), wall + left)
        presence_snapshot.write(self._snapshot_path, saved_at=wall, users=users)
        log.info("presence snapshot of %d users written to %s", len(users), self._snapshot_path)

    async def _restore_snapshot(self, path: Path) -> None:
        """The users of the snapshot are online here until the rest of their grace ends, unless
        a socket of theirs opens meanwhile: as if they had closed their last socket here."""
        found = presence_snapshot.take(path, now=self._wall_clock(), grace=self._grace)
        try:
            users = {uid: (Status(state), left) for uid, (state, left) in found.items()}
        except ValueError:
            log.warning("presence snapshot %s names an unknown state; ignored", path)
            return
        now = self._clock()
        for uid, (state, left) in users.items():
            if not state.online:
                continue
            await self.store.write(uid, state)
            self._written[uid] = state
            self._leaving[uid] = now + left
            self._schedule(uid, now + left)
        self._store_changed()
        if users:
            log.info("presence snapshot of %d users taken from %s", len(users), path)

    # -- shared stores -------------------------------------------------------------------------

    async def _every(self, interval: float, call: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await call()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("presence upkeep failed", exc_info=True)

    async def _heartbeat(self) -> None:
        try:
            known = await self.store.heartbeat()
        except Exception:
            metrics.presence_store_errors.labels("heartbeat").inc()
            raise
        if not known:
            log.info("presence store forgot this process; writing its users again")
            self._resync_needed = True
            self._wake.set()

    async def _reap(self) -> None:
        try:
            changes = await self.store.reap()
        except Exception:
            metrics.presence_store_errors.labels("reap").inc()
            raise
        await self._announce_safely([(uid, change.new) for uid, change in changes])


# Started trackers that write a snapshot at a graceful stop (`save_snapshots`).
_snapshotting: weakref.WeakSet[PresenceTracker] = weakref.WeakSet()


def save_snapshots() -> None:
    """Write the snapshot of every started tracker kept in this process's memory: call it once
    the server has stopped serving (`manage.py serve`), when every socket has closed."""
    for tracker in list(_snapshotting):
        try:
            tracker.save_snapshot()
        except Exception:
            log.warning("presence snapshot could not be written", exc_info=True)


async def announce_presence(changed: list[tuple[int, Status]]) -> None:
    """Each user's new status to every room of theirs: one read of their rooms for all of them,
    and one message per room with that room's changes; each process's hub sends them to the
    room's subscribers there in its next `presence` frame (hub.py, presence/batch.py)."""
    statuses = dict(changed)
    rooms = await database_call(selectors.users_presence_rooms)(list(statuses))
    metrics.presence_changes.inc(len(changed))
    for (room_id, slug), members in rooms.items():
        await broadcast.publish_presence(
            room_id,
            slug=slug,
            changes=[
                (uid, username, statuses[uid].online, statuses[uid].idle)
                for uid, username in members
            ],
        )


def presence_tracker(*, process: str, announce: Announce = announce_presence) -> PresenceTracker:
    """The tracker settings describe: Redis-backed with REDIS_URL (`process` names this
    process's entries there: the hub's unique channel name), else in this process's memory."""
    config = settings.PARLEY
    ttl = config["PRESENCE_TTL_SECONDS"]
    store: PresenceStore
    if settings.REDIS_URL:
        from parley.realtime.presence.redis_store import RedisPresenceStore

        store = RedisPresenceStore(
            settings.REDIS_URL,
            prefix=config["PRESENCE_KEY_PREFIX"],
            process=process,
            ttl=ttl,
            reap_every=config["PRESENCE_REAP_SECONDS"],
        )
    else:
        store = MemoryPresenceStore()
    snapshot = config.get("PRESENCE_SNAPSHOT_PATH")
    return PresenceTracker(
        store=store,
        announce=announce,
        grace=config["PRESENCE_GRACE_SECONDS"],
        min_interval=config["PRESENCE_MIN_INTERVAL_SECONDS"],
        heartbeat_every=ttl / 3,
        reap_every=config["PRESENCE_REAP_SECONDS"],
        snapshot_path=Path(snapshot) if snapshot and not store.shared else None,
    )
