"""The per-socket queue: ordering, the slow-reader bound, and closing past a blocked writer."""

import asyncio

from parley.realtime.connection import Connection, Subscription
from parley.wire.codes import CloseCode


class FakeSocket:
    """Accepts nothing until `release` is set; records what was sent and how it was closed."""

    def __init__(self, *, expect_frames: int = 0):
        self.release = asyncio.Event()
        self.all_sent = asyncio.Event()
        self.closed_event = asyncio.Event()
        self.expect_frames = expect_frames
        self.sent: list[str] = []
        self.closed: list[int] = []

    async def send(self, frame: str) -> None:
        await self.release.wait()
        self.sent.append(frame)
        if len(self.sent) == self.expect_frames:
            self.all_sent.set()

    async def close(self, code: int) -> None:
        self.closed.append(code)
        self.closed_event.set()

    def connection(self, *, max_queued: int) -> Connection:
        conn = Connection(
            user_id=1, username="ada", is_staff=False, session_key=None,
            send=self.send, close=self.close, max_queued=max_queued,
        )  # fmt: skip
        conn.subscriptions[7] = Subscription(room_id=7, slug="ops", buffer=None)
        return conn


async def test_a_backlog_the_client_asked_for_does_not_count_as_falling_behind():
    socket = FakeSocket(expect_frames=54)
    conn = socket.connection(max_queued=5)
    for n in range(50):
        conn.push(f"backlog{n}")
    for seq in range(1, 5):
        conn.deliver(7, seq, f"live{seq}")
    socket.release.set()
    await asyncio.wait_for(socket.all_sent.wait(), 5)
    assert socket.closed == []
    assert socket.sent == [f"backlog{n}" for n in range(50)] + [f"live{s}" for s in range(1, 5)]
    conn.stop()


async def test_too_many_live_items_waiting_close_the_socket_even_with_the_writer_blocked():
    socket = FakeSocket()
    conn = socket.connection(max_queued=5)
    for seq in range(1, 8):
        conn.deliver(7, seq, f"live{seq}")
    # The writer is stuck on the socket; the close does not wait behind it.
    await asyncio.wait_for(socket.closed_event.wait(), 5)
    assert socket.closed == [CloseCode.SLOW_READER]
    assert socket.sent == []
    conn.stop()


class FlowControlledSocket:
    """Like uvicorn's send: finishes at once while `writable` is set, else waits for it."""

    def __init__(self, *, fail_after: int | None = None):
        self.writable = asyncio.Event()
        self.writable.set()
        self.sent: list[str] = []
        self.fail_after = fail_after
        # Frames per write to the transport, through `burst` or `send`.
        self.writes: list[int] = []

    async def send(self, frame: str) -> None:
        await self.writable.wait()
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionResetError("gone")
        self.sent.append(frame)
        self.writes.append(1)

    def burst(self, frames) -> bool:
        """Like burst.py's writer: everything in one write, or False while paused."""
        if not self.writable.is_set():
            return False
        self.sent.extend(frames)
        self.writes.append(len(frames))
        return True

    async def close(self, code: int) -> None:
        pass

    def connection(self, *, burst: bool = False) -> Connection:
        conn = Connection(
            user_id=1, username="ada", is_staff=False, session_key=None,
            send=self.send, close=self.close, max_queued=100,
            burst=self.burst if burst else None,
        )  # fmt: skip
        conn.subscriptions[7] = Subscription(room_id=7, slug="ops", buffer=None)
        return conn


async def test_a_socket_that_keeps_up_is_written_at_once_without_a_task():
    socket = FlowControlledSocket()
    conn = socket.connection()
    assert conn.deliver(7, 1, "live1")
    conn.push("reply")
    # Written before any other task ran: no writer task, nothing waiting.
    assert socket.sent == ["live1", "reply"]
    assert conn._writer is None and conn._pending is None
    assert not conn.deliver(7, 1, "live1 again")  # not newer than the cursor
    conn.stop()


async def test_a_paused_socket_keeps_the_order_and_writes_directly_again_once_drained():
    socket = FlowControlledSocket()
    conn = socket.connection()
    conn.deliver(7, 1, "live1")
    socket.writable.clear()  # the transport's buffer is full
    for seq in range(2, 6):
        assert conn.deliver(7, seq, f"live{seq}")
    conn.push("reply")
    assert socket.sent == ["live1"]
    writer = conn._writer
    assert writer is not None
    socket.writable.set()
    await asyncio.wait_for(writer, 5)
    assert socket.sent == ["live1", "live2", "live3", "live4", "live5", "reply"]
    assert conn._writer is None and conn._pending is None and conn._live_waiting == 0
    conn.deliver(7, 6, "live6")
    assert socket.sent[-1] == "live6"  # direct again
    conn.stop()


async def test_a_writer_that_starts_while_the_socket_is_still_paused_waits_for_it():
    """The send stepped by hand left its future marked as awaited (asyncio's C futures refuse
    a second await of such a future): the writer must take it over as a task would, or the
    socket goes silent without closing."""
    socket = FlowControlledSocket()
    conn = socket.connection()
    socket.writable.clear()
    conn.push("backlog1")
    conn.push("backlog2")
    writer = conn._writer
    assert writer is not None
    # The transport drains only after the writer task's first step (scheduled before this), so
    # that step meets it still paused.
    asyncio.get_running_loop().call_soon(socket.writable.set)
    await asyncio.wait_for(writer, 5)
    assert not conn._broken
    assert socket.sent == ["backlog1", "backlog2"]
    assert conn._writer is None and conn._pending is None
    conn.stop()


async def test_a_send_that_fails_stops_the_writing_without_raising_to_the_hub():
    socket = FlowControlledSocket(fail_after=1)
    conn = socket.connection()
    conn.deliver(7, 1, "live1")
    conn.deliver(7, 2, "live2")  # the socket is gone: dropped, no exception
    conn.push("reply")
    assert socket.sent == ["live1"]
    conn.stop()


async def test_stopping_a_writer_blocked_on_a_paused_socket_cancels_its_send():
    socket = FlowControlledSocket()
    conn = socket.connection()
    socket.writable.clear()
    conn.deliver(7, 1, "live1")
    writer = conn._writer
    assert writer is not None
    conn.stop()
    await asyncio.wait({writer}, timeout=5)
    assert writer.cancelled()
    assert not socket.writable._waiters  # the send's wait was cancelled, not left behind
    socket.writable.set()
    conn.deliver(7, 2, "live2")
    assert socket.sent == []


async def test_frames_pushed_together_go_out_in_one_write_while_the_socket_keeps_up():
    socket = FlowControlledSocket()
    conn = socket.connection(burst=True)
    conn.push_many(["subscribed", "backlog1", "backlog2"])
    assert conn.deliver(7, 3, "live3")
    assert socket.sent == ["subscribed", "backlog1", "backlog2", "live3"]
    assert socket.writes == [3, 1]
    assert conn._writer is None and conn._live_waiting == 0
    conn.stop()


async def test_frames_pushed_together_behind_a_paused_socket_keep_their_order():
    socket = FlowControlledSocket()
    conn = socket.connection(burst=True)
    socket.writable.clear()
    assert conn.deliver(7, 1, "live1")  # the burst is refused: the send waits, a writer starts
    conn.push_many(["subscribed", "backlog1"])
    conn.deliver(7, 2, "live2")
    writer = conn._writer
    assert writer is not None and socket.sent == []
    socket.writable.set()
    await asyncio.wait_for(writer, 5)
    assert socket.sent == ["live1", "subscribed", "backlog1", "live2"]
    assert conn._pending is None and conn._live_waiting == 0
    conn.push_many(["a", "b"])  # drained: one write again
    assert socket.writes[-1] == 2 and socket.sent[-2:] == ["a", "b"]
    conn.stop()


async def test_frames_pushed_together_go_one_by_one_without_a_burst_writer():
    socket = FlowControlledSocket()
    conn = socket.connection()
    conn.push_many(["subscribed", "backlog1"])
    assert socket.sent == ["subscribed", "backlog1"]
    assert socket.writes == [1, 1]
    conn.stop()
    conn.push_many(["after stop"])
    assert socket.sent == ["subscribed", "backlog1"]
