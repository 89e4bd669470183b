"""The presence tracker and its stores, without sockets: what is announced when, and the Redis
store's rules for several processes (combined status, reaping a killed process, resync).

Redis tests run on a private redis-server (tests/e2e/services.py); without one they skip.
"""

import asyncio
import uuid

import pytest

from parley.realtime.presence import (
    Change,
    MemoryPresenceStore,
    NotRegistered,
    PresenceTracker,
    Status,
)

ACTIVE, IDLE, OFFLINE = Status.ACTIVE, Status.IDLE, Status.OFFLINE


class Announcements:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[int, Status]] = asyncio.Queue()

    async def __call__(self, changed: list[tuple[int, Status]]) -> None:
        for user_id, status in changed:
            self.queue.put_nowait((user_id, status))

    async def next(self, *, timeout: float = 5.0) -> tuple[int, Status]:
        return await asyncio.wait_for(self.queue.get(), timeout)

    async def none_within(self, seconds: float) -> bool:
        try:
            got = await asyncio.wait_for(self.queue.get(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"unexpected announcement {got}")


def tracker(store, announce, **options) -> PresenceTracker:
    config = {"grace": 0.1, "min_interval": 0.0, "heartbeat_every": 60.0, "reap_every": 60.0}
    return PresenceTracker(store=store, announce=announce, **{**config, **options})


@pytest.fixture
async def memory_tracker():
    announce = Announcements()
    presence = tracker(MemoryPresenceStore(), announce)
    await presence.start()
    yield presence, announce
    await presence.stop()


async def test_tabs_of_one_user_are_announced_once_and_offline_after_the_grace(memory_tracker):
    presence, announce = memory_tracker
    presence.opened(1, "t1")
    presence.opened(1, "t2")
    assert await announce.next() == (1, ACTIVE)
    presence.closed(1, "t1")
    # A window: a wrong offline would come when the grace (0.1 s) ends, and nothing marks that
    # the tracker let it pass without a word.
    assert await announce.none_within(0.3)
    presence.closed(1, "t2")
    assert await announce.next() == (1, OFFLINE)
    assert await presence.statuses([1]) == {1: OFFLINE}


async def test_idle_needs_every_tab_idle(memory_tracker):
    presence, announce = memory_tracker
    presence.opened(1, "t1")
    presence.opened(1, "t2")
    assert await announce.next() == (1, ACTIVE)
    presence.set_idle(1, "t1", True)
    # The other tab is still active: nothing to say. The worker reconciles the users due at once
    # in id order, each to its end, so an announcement of this change would come before that of
    # user 2 coming online right after it.
    presence.opened(2, "s1")
    assert await announce.next() == (2, ACTIVE)
    presence.set_idle(1, "t2", True)
    assert await announce.next() == (1, IDLE)
    presence.opened(1, "t3")  # a new tab is activity
    assert await announce.next() == (1, ACTIVE)


async def test_local_sockets_count_before_the_store_has_them():
    announce = Announcements()
    presence = tracker(MemoryPresenceStore(), announce)  # not started: nothing is written
    presence.opened(1, "t1")
    assert await presence.statuses([1, 2]) == {1: ACTIVE, 2: OFFLINE}


class FlakyStore(MemoryPresenceStore):
    """Fails its first write, then forgets this process once."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = ["error", "unregistered"]
        self.resyncs = 0

    async def write(self, user_id, state):
        if self.failures:
            failure = self.failures.pop(0)
            if failure == "error":
                raise ConnectionError("store down")
            raise NotRegistered()
        return await super().write(user_id, state)

    async def resync(self, states):
        self.resyncs += 1
        return await super().resync(states)


async def test_a_failing_store_is_retried_and_a_forgotten_process_resyncs(monkeypatch):
    monkeypatch.setattr("parley.realtime.presence.tracker.RETRY_SECONDS", 0.05)
    announce, store = Announcements(), FlakyStore()
    presence = tracker(store, announce)
    await presence.start()
    try:
        presence.opened(1, "t1")
        assert await announce.next() == (1, ACTIVE)
        assert store.resyncs == 1
    finally:
        await presence.stop()


# -- Redis ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url():
    from tests.e2e.services import RedisServer

    server = RedisServer()
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
async def redis_store(redis_url):
    """Makes stores of "processes" sharing a fresh key prefix; closes them at the end."""
    from parley.realtime.presence.redis_store import RedisPresenceStore

    prefix = f"test-presence:{uuid.uuid4().hex}"
    stores = []

    def make(process: str, *, ttl: float = 30.0, reap_every: float = 0.5):
        store = RedisPresenceStore(
            redis_url, prefix=prefix, process=process, ttl=ttl, reap_every=reap_every
        )
        stores.append(store)
        return store

    yield make
    for store in stores:
        await store.close()


async def test_redis_combines_the_states_of_every_process(redis_store):
    a, b = redis_store("A"), redis_store("B")
    await a.register()
    await b.register()
    assert await a.write(7, ACTIVE) == Change(OFFLINE, ACTIVE)
    assert await b.write(7, IDLE) is None  # still active on A
    assert await a.write(7, IDLE) == Change(ACTIVE, IDLE)
    assert await b.statuses([7, 8]) == {7: IDLE, 8: OFFLINE}
    assert await a.write(7, None) is None  # still idle on B
    assert await b.write(7, None) == Change(IDLE, OFFLINE)
    assert await a.statuses([7]) == {7: OFFLINE}


async def test_redis_reaps_a_process_that_stopped_renewing_once(redis_store):
    killed, a, b = redis_store("killed", ttl=0.0), redis_store("A"), redis_store("B")
    for store in (killed, a, b):
        await store.register()
    assert await killed.write(1, ACTIVE) == Change(OFFLINE, ACTIVE)
    assert await killed.write(2, ACTIVE) == Change(OFFLINE, ACTIVE)
    assert await a.write(2, ACTIVE) is None  # user 2 has a socket on A too
    assert await a.reap() == [(1, Change(ACTIVE, OFFLINE))]
    assert await b.reap() == []  # one reaper at a time, and nothing left anyway
    assert await a.statuses([1, 2]) == {1: OFFLINE, 2: ACTIVE}
    # The reaped process learns it at its next renewal, and writes its users again.
    assert await killed.heartbeat() is False
    with pytest.raises(NotRegistered):
        await killed.write(3, ACTIVE)
    assert await killed.resync({1: ACTIVE, 3: IDLE}) in (
        [(1, Change(OFFLINE, ACTIVE)), (3, Change(OFFLINE, IDLE))],
        [(3, Change(OFFLINE, IDLE)), (1, Change(OFFLINE, ACTIVE))],
    )
    assert await killed.heartbeat() is True


async def test_redis_forget_takes_a_stopping_process_out(redis_store):
    a, b = redis_store("A"), redis_store("B")
    await a.register()
    await b.register()
    await a.write(1, ACTIVE)
    await b.write(2, ACTIVE)
    await a.forget()
    assert await b.statuses([1, 2]) == {1: OFFLINE, 2: ACTIVE}


async def test_a_killed_processs_users_are_announced_offline_by_another(redis_store):
    """Two trackers on one Redis: the first never renews (as if killed); the second reaps it."""
    announce_a, announce_b = Announcements(), Announcements()
    doomed = tracker(redis_store("doomed", ttl=0.3), announce_a, heartbeat_every=3600.0)
    survivor = tracker(redis_store("survivor", reap_every=0.1), announce_b, reap_every=0.1)
    await doomed.start()
    await survivor.start()
    try:
        doomed.opened(5, "t1")
        assert await announce_a.next() == (5, ACTIVE)
        assert await announce_b.next(timeout=5) == (5, OFFLINE)
    finally:
        await survivor.stop()
        for task in doomed._tasks:
            task.cancel()
        await doomed.store.close()
