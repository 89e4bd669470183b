"""One client socket as the hub sees it: its subscriptions and one ordered outbound queue.

Every frame to a socket (replies, backlog, live items) goes through one queue, and one writer
task sends them in order, so a slow socket never blocks the hub or other sockets. A socket
that lets MAX_QUEUED_FRAMES live items pile up is closed (CloseCode.SLOW_READER) and resumes
from the database when it reconnects: memory stays bounded and nothing is lost.

Live frames that are not items (presence, typing, read pointers) count as live frames too;
`typing` is shed instead, for a socket that already has many live frames waiting.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from parley.core import metrics
from parley.realtime.protocol import CloseCode

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
    held: list[str] | None = None

    def begin_replay(self) -> None:
        self.buffer = []

    def hold_ephemeral(self) -> None:
        self.held = []

    def release_ephemeral(self, push: Callable[[str], None]) -> None:
        held, self.held = self.held or [], None
        for frame in held:
            push(frame)

    def deliver(self, seq: int, frame: str, push: Callable[[str], None]) -> None:
        if self.buffer is not None:
            self.buffer.append((seq, frame))
        elif seq > self.cursor:
            self.cursor = seq
            push(frame)

    def end_replay(self, cursor: int, push: Callable[[str], None]) -> None:
        """Live from `cursor` on: send what arrived during the replay and is newer."""
        self.cursor = max(self.cursor, cursor)
        buffered, self.buffer = self.buffer or [], None
        for seq, frame in buffered:
            if seq > self.cursor:
                self.cursor = seq
                push(frame)


class Connection:
    def __init__(
        self,
        *,
        user_id: int,
        username: str,
        is_staff: bool,
        session_key: str | None,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[int], Awaitable[None]],
        max_queued: int,
        address: str | None = None,
    ) -> None:
        self.user_id = user_id
        # Names this socket across processes: a frame for all of a user's sockets but this one.
        self.token = secrets.token_hex(8)
        self.address = address  # the client's IP address, for the per-address socket cap
        self.username = username
        self.is_staff = is_staff
        self.session_key = session_key
        self.subscriptions: dict[int, Subscription] = {}
        self._send = send
        self._close = close
        self._max_queued = max_queued
        self._queue: asyncio.Queue[tuple[str, bool]] = asyncio.Queue()
        self._live_waiting = 0
        self._closer: asyncio.Task | None = None
        self.closing = False
        self._writer = asyncio.get_running_loop().create_task(self._write())

    def subscription_for(self, slug: str) -> Subscription | None:
        for subscription in self.subscriptions.values():
            if subscription.slug == slug:
                return subscription
        return None

    def push(self, frame: str) -> None:
        """Queue a reply or backlog frame: bounded by the request that asked for it."""
        if not self.closing:
            self._queue.put_nowait((frame, False))

    def _push_live(self, frame: str, *, item: bool = True) -> None:
        """Queue a live frame; a socket this far behind is closed and resumes from the database.

        Only live frames waiting count: a backlog the client asked for (several rooms resumed at
        once) does not make it a slow reader. `item` is False for frames that are not timeline
        items (presence, typing, read pointers), which the delivery metric does not count.
        """
        if self._live_waiting >= self._max_queued:
            if not self.closing:
                metrics.slow_readers_closed.inc()
                log.info(
                    "slow reader closed",
                    extra={"event": "slow_reader", "user_id": self.user_id,
                           "queued": self._queue.qsize()},
                )  # fmt: skip
            self.close(CloseCode.SLOW_READER)
            return
        if not self.closing:
            if item:
                metrics.deliveries.inc()
            self._live_waiting += 1
            self._queue.put_nowait((frame, True))

    def deliver(self, room_id: int, seq: int, frame: str) -> None:
        subscription = self.subscriptions.get(room_id)
        if subscription is not None:
            subscription.deliver(seq, frame, self._push_live)

    def push_live(self, frame: str) -> None:
        """Queue a live frame that is not an item: bounded like items."""
        self._push_live(frame, item=False)

    def push_room_frame(self, room_id: int, frame: str) -> None:
        """Queue a live frame about a room that is not an item (a read pointer), bounded like
        items; while the room's `subscribed` is being prepared it waits until after it."""
        subscription = self.subscriptions.get(room_id)
        if subscription is not None and subscription.held is not None:
            subscription.held.append(frame)
        else:
            self._push_live(frame, item=False)

    def deliver_ephemeral(
        self, room_id: int, frame: str, *, sheddable: bool, shed_above: int
    ) -> bool:
        """Queue a room's frame that is not an item, if this socket subscribes to the room.

        A `sheddable` one (typing) is dropped, and False returned, while more than `shed_above`
        live frames wait or while the room's `subscribed` is being prepared.
        """
        subscription = self.subscriptions.get(room_id)
        if subscription is None:
            return True
        if sheddable and (subscription.held is not None or self._live_waiting > shed_above):
            return False
        if subscription.held is not None:
            subscription.held.append(frame)
        else:
            self._push_live(frame, item=False)
        return True

    def close(self, code: int) -> None:
        """Close now; frames not yet sent are dropped (the client resumes with `after`).

        The writer may be blocked on this very socket (a reader that stopped reading), so the
        close does not queue behind it: the writer is cancelled and the close sent on its own.
        """
        if self.closing:
            return
        self.closing = True
        self._writer.cancel()
        self._closer = asyncio.get_running_loop().create_task(self._close_now(code))

    async def _close_now(self, code: int) -> None:
        try:
            await self._close(code)
        except Exception:
            log.debug("socket already gone at close", exc_info=True)

    async def _write(self) -> None:
        try:
            while True:
                frame, live = await self._queue.get()
                await self._send(frame)
                if live:
                    self._live_waiting -= 1
        except asyncio.CancelledError:
            raise
        except Exception:
            # The socket went away under us; disconnect() cleans up.
            log.debug("socket writer stopped", exc_info=True)

    def stop(self) -> None:
        self.closing = True
        self._writer.cancel()
