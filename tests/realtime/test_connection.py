"""The per-socket queue: ordering, the slow-reader bound, and closing past a blocked writer."""

import asyncio

from parley.realtime.connection import Connection, Subscription
from parley.realtime.protocol import CloseCode


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
