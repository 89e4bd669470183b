"""One client socket as the hub sees it: its subscriptions and its ordered outbound frames.

Frames to a socket (replies, backlog, live items) go out in the order they were pushed. While
the socket keeps up, a frame is written at once, without a task switch: under uvicorn's
`websockets-sansio` protocol straight to its transport, and the frames of a replay in one write
(burst.py); under another server through its `send`, which finishes without suspending while
the transport accepts data, so the connection steps it by hand (`_emit`). When a send must
wait (the transport's buffer is full: a slow reader), the connection starts a writer task that
finishes that send and then the frames pushed meanwhile, in order, and ends when none are left.
So a slow socket never blocks the hub or other sockets, and an idle socket holds no task and no
queue.

A socket that lets MAX_QUEUED_FRAMES live frames pile up is closed (CloseCode.SLOW_READER) and
resumes from the database when it reconnects: memory stays bounded and nothing is lost. Live
frames that are not items (presence, typing, read pointers) count as live frames too; `typing`
is shed instead, for a socket that already has many live frames waiting.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from parley.core import metrics
from parley.realtime.burst import BurstWriter
from parley.wire.codes import CloseCode

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Subscription:
    room_id: int
    slug: str
    # Highest seq this socket has been sent, in order.
    cursor: int = 0
    # While the backlog is being replayed, live items wait here: (seq, frame).
    buffer: list[tuple[int, str]] | None = field(default_factory=list)
    # While `subscribed` is being prepared, presence and receipts wait here (typing is dropped),
    # so that they come after the snapshot of the room they update, never before.
    held_ephemeral: list[str] | None = None

    def begin_replay(self) -> None:
        self.buffer = []

    def hold_ephemeral(self) -> None:
        self.held_ephemeral = []

    def release_ephemeral(self, push: Callable[[str], None]) -> None:
        held, self.held_ephemeral = self.held_ephemeral or [], None
        for frame in held:
            push(frame)

    def deliver(self, seq: int, frame: str, push: Callable[[str], bool]) -> bool:
        """Send a live item newer than the cursor, or buffer it during a replay; True if it
        went to the socket now."""
        if self.buffer is not None:
            self.buffer.append((seq, frame))
        elif seq > self.cursor:
            self.cursor = seq
            return push(frame)
        return False

    def end_replay(self, cursor: int, push: Callable[[str], None]) -> None:
        """Live from `cursor` on: send what arrived during the replay and is newer."""
        self.cursor = max(self.cursor, cursor)
        buffered, self.buffer = self.buffer or [], None
        for seq, frame in buffered:
            if seq > self.cursor:
                self.cursor = seq
                push(frame)


Send = Callable[[str], Coroutine[Any, Any, None]]

# How long a closing socket (`close(flush=True)`) may take to write what was already pushed.
FLUSH_SECONDS = 5.0


class Connection:
    __slots__ = (
        "_broken",
        "_burst",
        "_close",
        "_closer",
        "_live_waiting",
        "_max_queued",
        "_pending",
        "_send",
        "_suspended",
        "_writer",
        "address",
        "closing",
        "is_staff",
        "session_key",
        "socket_id",
        "subscriptions",
        "user_id",
        "username",
    )  # fmt: skip

    def __init__(
        self,
        *,
        user_id: int,
        username: str,
        is_staff: bool,
        session_key: str | None,
        send: Send,
        close: Callable[[int], Awaitable[None]],
        max_queued: int,
        address: str | None = None,
        burst: BurstWriter | None = None,
    ) -> None:
        self.user_id = user_id
        # Names this socket across processes: a frame for all of a user's sockets but this one.
        self.socket_id = secrets.token_hex(8)
        self.address = address  # the client's IP address, for the per-address socket cap
        self.username = username
        self.is_staff = is_staff
        self.session_key = session_key
        self.subscriptions: dict[int, Subscription] = {}
        self.closing = False
        # `send(text)` returns the coroutine that writes one text frame.
        self._send = send
        # Writes frames straight to the transport, or returns False (paused, closing, closed):
        # then `send` takes them (burst.py). None under another server.
        self._burst = burst
        self._close = close
        self._max_queued = max_queued
        # Frames waiting behind a send that could not finish at once: (frame, live). None while
        # the socket keeps up (then no writer task runs either).
        self._pending: deque[tuple[str, bool]] | None = None
        # Live frames pushed and not yet written (the one being written included).
        self._live_waiting = 0
        self._writer: asyncio.Task[None] | None = None
        # The send that could not finish at once, until the writer has finished it.
        self._suspended: Coroutine[Any, Any, None] | None = None
        self._closer: asyncio.Task[None] | None = None
        self._broken = False  # a send failed: the socket is gone, disconnect() follows

    # -- subscriptions: created, replayed and ended only through these -----------------------

    def begin_subscription(self, room_id: int, slug: str, *, replay: bool) -> Subscription:
        """A `subscribe` of the room starts: presence and receipts are held until it ends, and
        live items buffered for a new subscription or a `replay` (one with `after`)."""
        subscription = self.subscriptions.get(room_id)
        if subscription is None:
            # Buffering from the start: the backlog covers everything up to the last seq read.
            subscription = self.subscriptions[room_id] = Subscription(room_id=room_id, slug=slug)
        elif replay:
            subscription.begin_replay()
        subscription.hold_ephemeral()
        return subscription

    def is_subscribed(self, subscription: Subscription) -> bool:
        """Whether `subscription` is still this socket's (the hub did not end it meanwhile)."""
        return self.subscriptions.get(subscription.room_id) is subscription

    def complete_subscription(
        self, subscription: Subscription, frames: list[str], *, live_from: int | None
    ) -> None:
        """Send the `subscribed` reply and its backlog (`frames`); then, if `live_from` is set
        (the seq the backlog reached), the live items that came meanwhile; then what was held."""
        self.push_many(frames)
        if live_from is not None:
            subscription.end_replay(live_from, self.push)
        subscription.release_ephemeral(self.push_live)

    def abandon_subscription(self, subscription: Subscription) -> None:
        """A `subscribe` of a room already subscribed failed: carry on as before it."""
        subscription.end_replay(subscription.cursor, self.push)
        subscription.release_ephemeral(self.push_live)

    def end_subscription(self, room_id: int) -> Subscription | None:
        """Nothing more of the room to this socket (the hub calls this: `Hub.detach`)."""
        return self.subscriptions.pop(room_id, None)

    def subscription_for(self, slug: str) -> Subscription | None:
        for subscription in self.subscriptions.values():
            if subscription.slug == slug:
                return subscription
        return None

    def push(self, frame: str) -> None:
        """Send a reply or backlog frame: bounded by the request that asked for it."""
        if not self.closing:
            self._emit(frame, False)

    def push_many(self, frames: list[str]) -> None:
        """Send reply or backlog frames, in order: in one write while the socket keeps up."""
        if self.closing or not frames:
            return
        burst = self._burst
        if burst is not None and self._pending is None and not self._broken and burst(frames):
            return
        for frame in frames:
            self._emit(frame, False)

    def _push_live(self, frame: str) -> bool:
        """Send a live frame; a socket this far behind is closed and resumes from the database.

        Only live frames waiting count: a backlog the client asked for (several rooms resumed at
        once) does not make it a slow reader. True if the frame went to the socket.
        """
        if self._live_waiting >= self._max_queued:
            if not self.closing:
                metrics.slow_readers_closed.inc()
                log.info(
                    "slow reader closed",
                    extra={"event": "slow_reader", "user_id": self.user_id,
                           "queued": len(self._pending or ())},
                )  # fmt: skip
            self.close(CloseCode.SLOW_READER)
            return False
        if self.closing:
            return False
        self._live_waiting += 1
        self._emit(frame, True)
        return True

    def deliver(self, room_id: int, seq: int, frame: str) -> bool:
        """A live item of a room: True if it went to the socket (not buffered, not dropped)."""
        subscription = self.subscriptions.get(room_id)
        if subscription is None:
            return False
        return subscription.deliver(seq, frame, self._push_live)

    def push_live(self, frame: str) -> None:
        """Send a live frame that is not an item: bounded like items."""
        self._push_live(frame)

    def push_room_frame(self, room_id: int, frame: str) -> None:
        """Send a live frame about a room that is not an item (a read pointer), bounded like
        items; while the room's `subscribed` is being prepared it waits until after it."""
        subscription = self.subscriptions.get(room_id)
        if subscription is not None and subscription.held_ephemeral is not None:
            subscription.held_ephemeral.append(frame)
        else:
            self._push_live(frame)

    def deliver_ephemeral(
        self, room_id: int, frame: str, *, sheddable: bool, shed_above: int
    ) -> bool:
        """Send a room's frame that is not an item, if this socket subscribes to the room.

        A `sheddable` one (typing) is dropped, and False returned, while more than `shed_above`
        live frames wait or while the room's `subscribed` is being prepared.
        """
        subscription = self.subscriptions.get(room_id)
        if subscription is None:
            return True
        if sheddable and (
            subscription.held_ephemeral is not None or self._live_waiting > shed_above
        ):
            return False
        if subscription.held_ephemeral is not None:
            subscription.held_ephemeral.append(frame)
        else:
            self._push_live(frame)
        return True

    def close(self, code: int, *, flush: bool = False) -> None:
        """Close now; frames not yet sent are dropped (the client resumes with `after`).

        The writer may be blocked on this very socket (a reader that stopped reading), so the
        close does not queue behind it: the writer is cancelled and the close sent on its own.

        With `flush`, nothing more is accepted, but the frames already pushed (the answers to
        frames handled before the close: an `ack` the client must not lose) go out first, for
        up to FLUSH_SECONDS; a reader that does not take them by then loses them to the close.
        """
        if self.closing:
            return
        writer = self._writer
        if flush and writer is not None:
            self.closing = True
            self._closer = asyncio.get_running_loop().create_task(
                self._flush_then_close(writer, code)
            )
            return
        self.stop()
        self._closer = asyncio.get_running_loop().create_task(self._close_now(code))

    async def _flush_then_close(self, writer: asyncio.Task[None], code: int) -> None:
        await asyncio.wait([writer], timeout=FLUSH_SECONDS)
        self.stop()
        await self._close_now(code)

    async def _close_now(self, code: int) -> None:
        try:
            await self._close(code)
        except Exception:
            log.debug("socket already gone at close", exc_info=True)

    def stop(self) -> None:
        """Send nothing more (the socket closes or has closed)."""
        self.closing = True
        self._pending = None
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        if self._suspended is not None:
            # A writer cancelled before its first step never resumes this send: end it here, so
            # that it stops waiting on the server's transport.
            self._suspended.close()
            self._suspended = None

    # -- writing -------------------------------------------------------------------------------

    def _emit(self, frame: str, live: bool) -> None:
        if self._broken:
            return
        if self._pending is not None:
            self._pending.append((frame, live))  # behind a send that is waiting: keep the order
            return
        burst = self._burst
        if burst is not None and burst((frame,)):
            if live:
                self._live_waiting -= 1
            return
        send = self._send(frame)
        try:
            waiting_on = send.send(None)
        except StopIteration:
            if live:
                self._live_waiting -= 1
            return
        except Exception:
            self._lost(live)
            return
        # The send waits (the transport's buffer is full): a writer task finishes it, then
        # writes whatever is pushed meanwhile.
        self._pending = deque()
        self._suspended = send
        self._writer = asyncio.get_running_loop().create_task(self._write(send, waiting_on, live))

    async def _write(self, send: Coroutine[Any, Any, None], waiting_on: Any, live: bool) -> None:
        try:
            await _finish(send, waiting_on)
            self._suspended = None
            if live:
                self._live_waiting -= 1
            while self._pending:
                frame, live = self._pending.popleft()
                await self._send(frame)
                if live:
                    self._live_waiting -= 1
        except asyncio.CancelledError:
            raise
        except Exception:
            self._lost(live)
        else:
            self._pending = None
        finally:
            if self._writer is asyncio.current_task():
                self._writer = None

    def _lost(self, live: bool) -> None:
        # The socket went away under us; disconnect() cleans up.
        log.debug("socket write failed", exc_info=True)
        self._broken = True
        self._pending = None
        if live:
            self._live_waiting -= 1


async def _finish(coroutine: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """Run to completion a coroutine that was stepped by hand and suspended on the awaitable
    `waiting_on` (what its `send(None)` returned): await that here, pass the outcome in, and
    repeat until the coroutine returns. Cancelling this cancels the coroutine.

    A future yields itself marked as awaited (`_asyncio_future_blocking`), for the task that
    receives it to clear the mark and wait; asyncio's C futures refuse to be awaited again
    while the mark is set ("await wasn't used with future"). Stepped by hand, nobody cleared
    it, so this does, as `asyncio.Task` does.
    """
    while True:
        try:
            if waiting_on is None:  # a bare yield (asyncio.sleep(0)): give the loop a turn
                await asyncio.sleep(0)
            else:
                if getattr(waiting_on, "_asyncio_future_blocking", False):
                    waiting_on._asyncio_future_blocking = False
                await waiting_on
        except BaseException as exc:  # the coroutine decides, e.g. on CancelledError
            try:
                waiting_on = coroutine.throw(exc)
            except StopIteration:
                return
        else:
            try:
                waiting_on = coroutine.send(None)
            except StopIteration:
                return
