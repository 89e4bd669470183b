"""Presence across a graceful restart of a process whose memory is the presence store.

The stopping tracker writes who it had online with the end of their grace (wall clock); the
next one takes that snapshot at start: a user back within the rest of the grace is announced
nothing, one who is not is announced offline when it ends; an old or corrupt snapshot is
ignored. Wall clocks are injected; the grace itself is short and real, as in
test_tracker.py, and every wait is for an announcement.
"""

import asyncio
import contextlib
import json
import signal
import time

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from parley.realtime.presence import MemoryPresenceStore, PresenceTracker, Status
from parley.realtime.presence import snapshot as presence_snapshot
from tests.e2e.live import HttpSession, LiveServer
from tests.realtime.presence.test_tracker import Announcements

ACTIVE, IDLE, OFFLINE = Status.ACTIVE, Status.IDLE, Status.OFFLINE
WALL = 1_800_000_000.0  # the wall clock when the old process stops


def tracker(path, announce, *, grace: float, wall: float) -> PresenceTracker:
    return PresenceTracker(
        store=MemoryPresenceStore(),
        announce=announce,
        grace=grace,
        min_interval=0.0,
        heartbeat_every=60.0,
        reap_every=60.0,
        snapshot_path=path,
        wall_clock=lambda: wall,
    )


async def stopped_process(path, *, grace: float) -> None:
    """A process with users 1 (active) and 2 (idle) online, stopped by its server: their
    sockets closed (as uvicorn's shutdown closes them), then the snapshot written."""
    announce = Announcements()
    old = tracker(path, announce, grace=grace, wall=WALL)
    await old.start()
    old.opened(1, "a")
    old.opened(2, "b")
    old.set_idle(2, "b", True)
    assert {await announce.next(), await announce.next()} == {(1, ACTIVE), (2, IDLE)}
    old.closed(1, "a")
    old.closed(2, "b")
    old.save_snapshot()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "var" / "presence-snapshot.json"


async def test_a_graceful_stop_writes_who_was_online_with_the_end_of_their_grace(path):
    await stopped_process(path, grace=10.0)
    data = json.loads(path.read_text())
    assert data["saved_at"] == WALL
    users = {uid: (state, until) for uid, state, until in data["users"]}
    assert users.keys() == {1, 2}
    assert (users[1][0], users[2][0]) == ("active", "idle")
    for _, until in users.values():  # a whole grace (less the moments the test took)
        assert WALL + 9.0 < until <= WALL + 10.0


async def test_a_user_not_yet_written_when_the_server_stopped_is_in_the_snapshot(path):
    """`subscribed` showed them online (their socket counts before the worker writes it), so
    the next process keeps them online-but-leaving too."""
    announce = Announcements()
    old = tracker(path, announce, grace=10.0, wall=WALL)
    await old.start()
    old.opened(3, "c")
    old.set_idle(3, "c", True)
    assert await old.statuses([3]) == {3: IDLE}
    old.closed(3, "c")  # no await since it opened: the worker has written nothing
    old.save_snapshot()
    assert announce.queue.empty()
    [[uid, state, until]] = json.loads(path.read_text())["users"]
    assert (uid, state) == (3, "idle") and until == pytest.approx(WALL + 10.0, abs=1.0)
    new = tracker(path, announce, grace=10.0, wall=WALL + 1.0)
    await new.start()
    try:
        assert await new.statuses([3]) == {3: IDLE}
    finally:
        await new.stop()


async def test_after_a_restart_only_users_who_do_not_come_back_are_announced_offline(path):
    grace = 0.5
    await stopped_process(path, grace=grace)
    announce = Announcements()
    new = tracker(path, announce, grace=grace, wall=WALL + 0.1)
    await new.start()
    try:
        assert not path.exists()  # taken once
        # Both are online-but-leaving: a subscriber now sees them as before the restart.
        assert await new.statuses([1, 2, 3]) == {1: ACTIVE, 2: IDLE, 3: OFFLINE}
        new.opened(1, "a2")  # user 1 reconnects within the grace
        began = time.monotonic()
        # The first announcement is user 2 going offline when the grace ends: nothing was said
        # of user 1, whose reconnect was reconciled at once.
        assert await announce.next() == (2, OFFLINE)
        assert time.monotonic() - began >= (grace - 0.1) * 0.9
        assert announce.queue.empty()
        assert await new.statuses([1, 2]) == {1: ACTIVE, 2: OFFLINE}
        new.closed(1, "a2")
        assert await announce.next() == (1, OFFLINE)  # the tracker goes on as usual
    finally:
        await new.stop()


async def test_the_rest_of_the_grace_is_counted_from_the_snapshot(path):
    await stopped_process(path, grace=30.0)
    announce = Announcements()
    # The new process starts 29.8 s of wall clock after the stop: 0.2 s of grace are left.
    new = tracker(path, announce, grace=30.0, wall=WALL + 29.8)
    await new.start()
    try:
        began = time.monotonic()
        assert {await announce.next(), await announce.next()} == {(1, OFFLINE), (2, OFFLINE)}
        assert time.monotonic() - began < 5.0  # not a whole new grace
    finally:
        await new.stop()


async def test_a_user_idle_before_the_restart_who_comes_back_active_is_announced_active(path):
    await stopped_process(path, grace=10.0)
    announce = Announcements()
    new = tracker(path, announce, grace=10.0, wall=WALL + 1.0)
    await new.start()
    try:
        new.opened(2, "b2")
        assert await announce.next() == (2, ACTIVE)
    finally:
        await new.stop()


@pytest.mark.parametrize(
    "contents",
    [
        "not json",
        '{"version": 1}',
        '{"version": 1, "saved_at": 1800000000.0, "users": [[1, "busy", 1800000009.0]]}',
        '{"version": 99, "saved_at": 1800000000.0, "users": []}',
        '["a list"]',
    ],
)
async def test_a_corrupt_snapshot_is_ignored(path, contents):
    path.parent.mkdir(parents=True)
    path.write_text(contents)
    announce = Announcements()
    new = tracker(path, announce, grace=10.0, wall=WALL + 1.0)
    await new.start()
    try:
        assert await new.statuses([1]) == {1: OFFLINE}
        new.opened(1, "a")
        assert await announce.next() == (1, ACTIVE)  # a fresh start, as without a snapshot
        assert not path.exists()
    finally:
        await new.stop()


@pytest.mark.parametrize("age", [10.5, 3600.0, -60.0])
async def test_a_snapshot_older_than_the_grace_or_from_the_future_is_ignored(path, age):
    await stopped_process(path, grace=10.0)
    announce = Announcements()
    new = tracker(path, announce, grace=10.0, wall=WALL + age)
    await new.start()
    try:
        assert await new.statuses([1, 2]) == {1: OFFLINE, 2: OFFLINE}
        new.opened(1, "a")
        assert await announce.next() == (1, ACTIVE)
    finally:
        await new.stop()


def test_a_user_whose_grace_ended_before_the_stop_is_left_out(path):
    users = presence_snapshot.take(path, now=WALL, grace=10.0)
    assert users == {}  # no snapshot at all
    presence_snapshot.write(
        path, saved_at=WALL, users={1: ("active", WALL + 4.0), 2: ("idle", WALL + 1.0)}
    )
    assert presence_snapshot.take(path, now=WALL + 2.0, grace=10.0) == {1: ("active", 2.0)}


async def test_a_shared_store_takes_no_snapshot(path):
    class SharedStore(MemoryPresenceStore):
        shared = True

    presence_snapshot.write(path, saved_at=WALL, users={1: ("active", WALL + 5.0)})
    shared = PresenceTracker(
        store=SharedStore(),
        announce=Announcements(),
        grace=10.0,
        min_interval=0.0,
        heartbeat_every=60.0,
        reap_every=60.0,
        snapshot_path=path,
        wall_clock=lambda: WALL,
    )
    await shared.start()
    try:
        assert await shared.statuses([1]) == {1: OFFLINE}
        shared.save_snapshot()
        assert path.exists()  # untouched: presence lives in the shared store
        assert json.loads(path.read_text())["users"] == [[1, "active", WALL + 5.0]]
    finally:
        await shared.stop()


# -- the real server -------------------------------------------------------------------------


async def next_of(ws, predicate, *, timeout=15):
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if predicate(frame):
                return frame


def online(reply) -> dict[str, bool]:
    return {member["username"]: member["online"] for member in reply["members"]}


@pytest.fixture(params=["memory", "redis"])
def presence_env(request):
    """The server's presence store: its memory (a snapshot carries it over a restart), or a
    private Redis (which outlives the process; a user not back is reaped after the TTL)."""
    if request.param == "memory":
        yield {"REDIS_URL": ""}
        return
    from tests.e2e.services import RedisServer

    redis = RedisServer()
    redis.start()
    yield {
        "REDIS_URL": redis.url,
        "PARLEY_PRESENCE_TTL_SECONDS": "3",
        "PARLEY_PRESENCE_REAP_SECONDS": "0.5",
    }
    redis.stop()


@pytest.mark.live
async def test_manage_py_serve_keeps_presence_across_a_sigterm_restart(tmp_path, presence_env):
    """SIGTERM to `manage.py serve`: uvicorn closes the sockets with 1012, the snapshot is
    written (without REDIS_URL), and the process still ends by the signal. After the restart,
    the member who comes back is announced nothing; the one who does not, offline at the end of
    the grace (the snapshot's) or when the stopped process is reaped (Redis)."""
    grace = 6.0
    data = tmp_path / "data"
    in_memory = not presence_env["REDIS_URL"]
    server = LiveServer(data, env={"PARLEY_PRESENCE_GRACE_SECONDS": str(grace), **presence_env})
    server.prepare()
    server.start()
    try:
        people = {name: HttpSession(server.base_url) for name in ("ada", "bob", "carol")}
        for name, session in people.items():
            session.signup(name)
        status, _, url = people["ada"].post_form(
            "/rooms/new/", {"name": "Lobby", "slug": "lobby", "visibility": "public"}
        )
        assert url.endswith("/rooms/lobby/"), (status, url)
        async with contextlib.AsyncExitStack() as stack:
            sockets = {
                name: await stack.enter_async_context(
                    ws_connect(server.ws_url, additional_headers=session.ws_headers())
                )
                for name, session in people.items()
            }
            for name in ("bob", "carol"):
                await sockets[name].send(json.dumps({"type": "join", "room": "lobby"}))
                await next_of(sockets[name], lambda f: f["type"] == "joined")
            await sockets["ada"].send(json.dumps({"type": "subscribe", "room": "lobby"}))
            reply = await next_of(sockets["ada"], lambda f: f["type"] == "subscribed")
            assert online(reply) == {"ada": True, "bob": True, "carol": True}
            server.process.send_signal(signal.SIGTERM)
            for ws in sockets.values():
                with pytest.raises(ConnectionClosed) as closed:
                    await next_of(ws, lambda f: False)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
        assert server.process.wait(15) == -signal.SIGTERM  # still ended by the signal
        if in_memory:
            snapshot = json.loads((data / "presence-snapshot.json").read_text())
            assert len(snapshot["users"]) == 3
        else:
            assert not (data / "presence-snapshot.json").exists()

        server.start()
        async with contextlib.AsyncExitStack() as stack:
            ada = await stack.enter_async_context(
                ws_connect(server.ws_url, additional_headers=people["ada"].ws_headers())
            )
            await ada.send(json.dumps({"type": "subscribe", "room": "lobby"}))
            reply = await next_of(ada, lambda f: f["type"] == "subscribed")
            # Within the grace everyone is online, as before the restart.
            assert online(reply) == {"ada": True, "bob": True, "carol": True}
            bob = await stack.enter_async_context(
                ws_connect(server.ws_url, additional_headers=people["bob"].ws_headers())
            )
            await bob.send(json.dumps({"type": "ping"}))
            await next_of(bob, lambda f: f["type"] == "pong")
            # Bob's return would be announced at once; the first presence frame ada gets is
            # carol going offline when the grace ends.
            first = await next_of(ada, lambda f: f["type"] == "presence", timeout=grace + 10)
            assert (first["user"]["username"], first["online"]) == ("carol", False)
        assert not (data / "presence-snapshot.json").exists()  # taken at start
    finally:
        server.stop()


async def test_the_epoch_changes_with_a_status_and_not_when_a_restored_user_comes_back(path):
    """`subscribed` reuses a member list while the epoch stays (member_lists.py): it must change
    whenever `statuses` would answer differently."""
    await stopped_process(path, grace=10.0)
    announce = Announcements()
    new = tracker(path, announce, grace=10.0, wall=WALL + 1.0)
    await new.start()
    users = [1, 2, 5]
    try:
        epoch, seen = new.epoch, await new.statuses(users)
        assert epoch is not None
        new.opened(1, "a2")  # restored active, back active: the same status
        new.opened(1, "a3")
        new.closed(1, "a3")
        assert (new.epoch, await new.statuses(users)) == (epoch, seen)
        # Each step, and the announcement that shows the worker has written it (none for the
        # last: a close is written when its grace ends).
        steps = [
            (lambda: new.opened(5, "e"), (5, ACTIVE)),  # offline → active
            (lambda: new.set_idle(5, "e", True), (5, IDLE)),
            (lambda: new.set_idle(1, "a2", True), (1, IDLE)),
            (lambda: new.set_idle(1, "a2", False), (1, ACTIVE)),
            (lambda: new.closed(5, "e"), None),
        ]
        for step, written in steps:
            step()
            now = await new.statuses(users)
            if now != seen:
                assert new.epoch != epoch, now
            epoch, seen = new.epoch, now
            if written is None:
                continue
            assert await announce.next() == written  # the worker wrote it (epoch changes too)
            now = await new.statuses(users)
            if now != seen:
                assert new.epoch != epoch, now
            epoch, seen = new.epoch, now
    finally:
        await new.stop()
