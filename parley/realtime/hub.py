"""The process-local hub: one subscription to the channel layer per room, for all local sockets.

Each server process (each event loop) has one hub with one channel on the layer. When a local
socket subscribes to a room, the hub adds its channel to the room's group once; every item then
arrives once per process, already encoded, and the hub hands the same string to each local
subscriber. No per-recipient layer message, no per-recipient JSON, no per-recipient hop to the
database thread.

The hub also makes delivery whole and ordered whatever the layer does: each room's
`RoomStream` (stream.py, sans I/O) decides what is forwarded and when a gap is filled from the
database; the hub runs those decisions (deliveries, refills after a short grace, a periodic
sweep that finds a dropped last item even when nothing follows it).

Frames that are not items (typing, receipts: `room.ephemeral`; a member's profile:
`room.profile`; read pointers: `user.frame`) have no seq: the hub hands them on as they come.
Presence (`room.presence`) comes as values; the hub batches each room's changes into one frame a
second at most (presence/batch.py) and, in a room too big to tell everyone, sends it only to the
sockets that asked (`presence_watch`; docs/protocol.md "Big rooms").
It also keeps the process's presence tracker (presence/) informed of every socket that opens,
closes or goes idle. The sockets themselves are kept by its registry (registry.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from channels.layers import get_channel_layer
from django.conf import settings

from parley.accounts.sessions import session_expiry_dates
from parley.core import metrics
from parley.realtime import broadcast
from parley.realtime.connection import Connection
from parley.realtime.database import database_call
from parley.realtime.member_lists import member_lists
from parley.realtime.presence import PresenceTracker, Status, presence_tracker
from parley.realtime.presence.batch import Change, PresenceBatch
from parley.realtime.registry import SocketRegistry
from parley.realtime.room_cache import room_cache
from parley.realtime.stream import RoomStream, Step
from parley.realtime.typing_throttle import TypingThrottle
from parley.rooms import services
from parley.rooms.changes import item_added
from parley.rooms.models import Room
from parley.rooms.selectors import room_items_between, room_last_seqs, room_viewers
from parley.wire import frames
from parley.wire.codes import CloseCode

log = logging.getLogger(__name__)
# Parley's operational events (as in consumers.py).
events = logging.getLogger("parley.events")

# How long an out-of-order item waits for the ones before it before the hub reads the database.
GAP_GRACE_SECONDS = 0.1
# A room nobody here subscribes to keeps its group membership this long, then is dropped.
IDLE_ROOM_SECONDS = 60.0
# A re-check of who may see a room is tried this often before the sockets it concerns are closed.
ACCESS_CHECK_ATTEMPTS = 3
# Group memberships are renewed this often: channels-redis forgets members after a day, and a
# restarted Redis has forgotten them all (after a layer error the hub rejoins at the next sweep).
GROUP_RENEW_SECONDS = 30.0


class Extras(NamedTuple):
    """What forwarding an item does besides delivering it (see broadcast.item_message)."""

    revoke: int | None = None  # the user whose subscriptions it ends
    reader: list[Any] | None = None  # [author id, `read` frame, socket id to skip]
    joined: list[Any] | None = None  # [new member's id, room slug, username]
    target: int | None = None  # the message it changes or replies to

    @classmethod
    def of(cls, message: broadcast.LayerMessage) -> Extras:
        """The extras of a `room.item` layer message (broadcast.item_message)."""
        return cls(
            revoke=message.get("revoke"),
            reader=message.get("reader"),
            joined=message.get("joined"),
            target=message.get("target"),
        )


NO_EXTRAS = Extras()


Payload = tuple[str, Extras]  # an item's frame, and what forwarding it does besides


@dataclass(slots=True)
class LocalRoom:
    """A room with subscribers in this process: its stream of items and who receives them."""

    room_id: int
    stream: RoomStream[Payload] = field(default_factory=RoomStream)
    subscribers: set[Connection] = field(default_factory=set)
    idle_since: float | None = None
    # While who may see the room is re-checked (`_recheck_access`) the stream is paused, and
    # other frames wait here: (frame, exclude_user, sheddable, presence).
    held_ephemeral: list[tuple[str, int | None, bool, bool]] = field(default_factory=list)
    # Presence: the room's batch of changes, its members (as the last `subscribe` here counted
    # them), and the sockets that asked for presence (what a room too big for everyone sends to).
    presence: PresenceBatch = field(default_factory=lambda: PresenceBatch(interval=1.0))
    members_total: int = 0
    watchers: set[Connection] = field(default_factory=set)
    slug: str = ""
    flush_timer: asyncio.TimerHandle | None = None


def _fetch_rendered(room_id: int, after: int, upto: int) -> list[tuple[int, str, Extras]]:
    """The room's items after..upto as the layer would have brought them (broadcast.py)."""
    room = Room.objects.get(pk=room_id)
    messages = [
        broadcast.item_message(item_added(item, room=room))
        for item in room_items_between(room_id, after=after, upto=upto)
    ]
    return [(message["seq"], message["frame"], Extras.of(message)) for message in messages]


class Hub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel_name: str = ""
        self.rooms: dict[int, LocalRoom] = {}
        self.sockets = SocketRegistry()
        self.sessions = self.sockets.sessions
        self._tasks: list[asyncio.Task[None]] = []
        self._fills: set[asyncio.Task[None]] = set()
        self._rejoin_needed = False
        self._renewed_at = time.monotonic()
        self.presence: PresenceTracker | None = None
        # When sessions are due (Unix time); tests move it.
        self.clock = time.time
        self.typing = TypingThrottle(interval=settings.PARLEY["TYPING_MIN_INTERVAL_SECONDS"])
        self._typing_shed_above = settings.PARLEY["TYPING_SHED_QUEUE"]
        self._presence_interval = settings.PARLEY["PRESENCE_BATCH_SECONDS"]

    async def start(self) -> None:
        self.channel_name = await self.layer.new_channel("parley.process")
        await self._join_group(broadcast.CONTROL_GROUP)
        self.presence = presence_tracker(process=self.channel_name)
        await self.presence.start()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._listen()), loop.create_task(self._sweep_forever())]

    # -- sockets -----------------------------------------------------------------------------

    def has_room_for(
        self, *, user_id: int, address: str | None, max_per_user: int, max_per_address: int
    ) -> bool:
        """Whether one more socket of this user and address stays within this process's caps.

        Call `connect` right after, with no await in between, so two handshakes cannot both
        take the last place.
        """
        return self.sockets.has_room_for(
            user_id=user_id,
            address=address,
            max_per_user=max_per_user,
            max_per_address=max_per_address,
        )

    def connect(self, conn: Connection, *, session_expires_at: float | None = None) -> None:
        """A socket opened; its session expires at `session_expires_at` (Unix time), if known."""
        self.sockets.add(conn, session_expires_at=session_expires_at)
        if self.presence is not None:
            self.presence.opened(conn.user_id, conn.socket_id)

    def disconnect(self, conn: Connection) -> None:
        for room_id in list(conn.subscriptions):
            self.detach(conn, room_id)
        self.sockets.remove(conn)
        if self.presence is not None:
            self.presence.closed(conn.user_id, conn.socket_id)

    def set_idle(self, conn: Connection, idle: bool) -> None:
        """The socket's client reports its user inactive (or active again)."""
        if self.presence is not None:
            self.presence.set_idle(conn.user_id, conn.socket_id, idle)

    async def presence_of(self, user_ids: list[int]) -> dict[int, Status]:
        if self.presence is None:
            return dict.fromkeys(user_ids, Status.OFFLINE)
        return await self.presence.statuses(user_ids)

    async def attach(self, conn: Connection, room_id: int) -> LocalRoom:
        """Route the room's items to `conn`; the room's group is joined before this returns."""
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = LocalRoom(
                room_id=room_id, presence=PresenceBatch(interval=self._presence_interval)
            )
            await self._join_group(broadcast.room_group_name(room_id))
        room.subscribers.add(conn)
        room.idle_since = None
        return room

    def detach(self, conn: Connection, room_id: int) -> None:
        conn.end_subscription(room_id)
        room = self.rooms.get(room_id)
        if room is not None:
            room.subscribers.discard(conn)
            room.watchers.discard(conn)
            if not room.subscribers:
                room.idle_since = time.monotonic()

    def note_members_total(self, room_id: int, members_total: int) -> None:
        """A subscriber counted the room's members: whether its presence goes to everyone."""
        room = self.rooms.get(room_id)
        if room is not None:
            room.members_total = members_total

    def watch_presence(self, conn: Connection, room_id: int, watch: bool) -> None:
        """The socket (subscribed to the room) wants the room's presence frames, or no more."""
        room = self.rooms.get(room_id)
        if room is None or conn not in room.subscribers:
            return
        if watch:
            room.watchers.add(conn)
        else:
            room.watchers.discard(conn)

    def start_cursor(self, room_id: int, last_seq: int) -> None:
        """A subscriber read the room's last seq after the group was joined: forward from there."""
        room = self.rooms.get(room_id)
        if room is not None:
            self._run(room, room.stream.start(last_seq))

    # -- items -------------------------------------------------------------------------------

    def offer(self, room_id: int, seq: int, frame: str, extras: Extras = NO_EXTRAS) -> None:
        room = self.rooms.get(room_id)
        if room is not None:
            self._run(room, room.stream.offer(seq, (frame, extras)))

    def _run(
        self, room: LocalRoom, step: Step[Payload], *, grace: float = GAP_GRACE_SECONDS
    ) -> None:
        """Carry out the stream's decision: forward its items in order, then start its fill."""
        for seq, (frame, extras) in step.forward:
            self._forward(room, seq, frame, extras)
        if step.fill is not None:
            self._schedule_fill(room, upto=step.fill, grace=grace)

    def offer_ephemeral(
        self,
        room_id: int,
        frame: str,
        *,
        exclude_user: int | None,
        sheddable: bool,
        presence: bool = False,
    ) -> int:
        """A room's frame that is not an item: to each local subscriber but `exclude_user`'s
        (a `presence` frame: to those that want presence). How many sockets it went to."""
        room = self.rooms.get(room_id)
        if room is None:
            return 0
        if room.stream.paused:
            room.held_ephemeral.append((frame, exclude_user, sheddable, presence))
            return len(room.subscribers)
        recipients = room.subscribers
        if presence and services.presence_watched(room.members_total):
            recipients = room.watchers
        shed = sent = 0
        for conn in recipients:
            if conn.user_id == exclude_user:
                continue
            sent += 1
            if not conn.deliver_ephemeral(
                room_id, frame, sheddable=sheddable, shed_above=self._typing_shed_above
            ):
                shed += 1
        if shed:
            metrics.typing_frames.labels("shed").inc(shed)
        return sent

    # -- presence ----------------------------------------------------------------------------

    def offer_presence(self, room_id: int, slug: str, change: Change) -> None:
        """A member's new state: to the room's subscribers now, or in the room's next batch."""
        room = self.rooms.get(room_id)
        if room is None:
            return
        room.slug = slug
        loop = asyncio.get_running_loop()
        now = loop.time()
        at_once = room.presence.add(change, now)
        if at_once is not None:
            self._send_presence(room, [at_once], now)
        elif room.flush_timer is None and room.presence.due is not None:
            room.flush_timer = loop.call_at(room.presence.due, self._flush_presence, room)

    def _flush_presence(self, room: LocalRoom) -> None:
        room.flush_timer = None
        if self.rooms.get(room.room_id) is not room:
            return
        changes = room.presence.flush()
        if changes:
            self._send_presence(room, changes, asyncio.get_running_loop().time())

    def _send_presence(self, room: LocalRoom, changes: list[Change], now: float) -> None:
        """One change: the one-user frame, not to that user's sockets. Several: one `users`
        frame to every socket that wants presence (a client ignores its own entry)."""
        if len(changes) == 1:
            (change,) = changes
            frame = frames.presence_text(
                room=room.slug, username=change.username, online=change.online, idle=change.idle
            )
            exclude: int | None = change.user_id
        else:
            frame = frames.presence_users_text(
                room=room.slug, users=[(c.username, c.online, c.idle) for c in changes]
            )
            exclude = None
        sent = self.offer_ephemeral(
            room.room_id, frame, exclude_user=exclude, sheddable=False, presence=True
        )
        room.presence.sent(now, delivered=sent > 0)

    def deliver_to_user(
        self, user_id: int, room_id: int, frame: str, *, except_socket_id: str | None
    ) -> None:
        """A frame about a room (a read pointer) to every local socket of a user but one."""
        for conn in self.sockets.by_user.get(user_id, ()):
            if conn.socket_id != except_socket_id:
                conn.push_room_frame(room_id, frame)

    def member_profile_changed(self, room_id: int, frame: str) -> None:
        """A member of the room changed their profile (`frame`): what this process kept that
        shows them (the member list, rendered items with their name) is built afresh, and the
        room's local subscribers get the frame."""
        member_lists.forget(room_id)
        room_cache.forget_room(room_id)
        self.offer_ephemeral(room_id, frame, exclude_user=None, sheddable=False)

    def _forward(self, room: LocalRoom, seq: int, frame: str, extras: Extras) -> None:
        room_id, delivered = room.room_id, 0
        for conn in room.subscribers:
            if conn.deliver(room_id, seq, frame):
                delivered += 1
        if delivered:
            metrics.deliveries.inc(delivered)  # one locked increment per item, not per socket
        if extras.target is not None:
            room_cache.forget(room_id, extras.target)
        if extras.revoke is not None:
            self._revoke(room, extras.revoke)
        if extras.reader is not None:
            author, read_frame, socket_id = extras.reader
            self.deliver_to_user(author, room_id, read_frame, except_socket_id=socket_id)
        if extras.joined is not None:
            self._spawn(self._tell_presence_of_new_member(room_id, *extras.joined))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Background work of the hub (like refills): cancelled by `stop`."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._fills.add(task)
        task.add_done_callback(self._fills.discard)

    async def _tell_presence_of_new_member(
        self, room_id: int, user_id: int, slug: str, username: str
    ) -> None:
        """After a join event: the room's local subscribers learn whether the new member is
        online (a member they were never told about is offline)."""
        status = (await self.presence_of([user_id]))[user_id]
        if status.online:
            self.offer_presence(room_id, slug, Change(user_id, username, True, status.idle))

    def _revoke(self, room: LocalRoom, user_id: int) -> None:
        """The user left a private room: their sockets stop receiving it, after the leave event."""
        for conn in self.sockets.of_user(user_id):
            if not conn.is_staff:
                self._end_subscription(conn, room.room_id)

    def _end_subscription(self, conn: Connection, room_id: int) -> None:
        """The socket may no longer see the room: `unsubscribed` (removed), then nothing of it."""
        subscription = conn.subscriptions.get(room_id)
        if subscription is None:
            return
        self.detach(conn, room_id)
        conn.push(frames.unsubscribed_text(room=subscription.slug, removed=True))

    def room_access_changed(self, room_id: int) -> None:
        """Who may see the room changed (made private or staff-only, deleted): from now until
        its subscribers are re-checked, nothing of the room is forwarded here; then the
        subscriptions of those who lost it end (`unsubscribed`), as a removal ends them."""
        room = self.rooms.get(room_id)
        if room is None or not room.subscribers:
            return
        room.stream.pause()
        self._spawn(self._recheck_access(room))

    async def _recheck_access(self, room: LocalRoom) -> None:
        room_id = room.room_id
        checked = {conn.user_id for conn in room.subscribers}
        allowed: set[int] | None = None
        try:
            for attempt in range(ACCESS_CHECK_ATTEMPTS):
                try:
                    allowed = await database_call(room_viewers)(room_id, sorted(checked))
                    break
                except Exception:
                    log.warning("re-checking access to room %s failed", room_id, exc_info=True)
                    await asyncio.sleep(0.5 * (attempt + 1))
            # Subscribers that came meanwhile checked their access after the change.
            for conn in [c for c in room.subscribers if c.user_id in checked]:
                if allowed is None:
                    # Unknown: fail closed. The client reconnects and is checked afresh.
                    conn.close(CloseCode.RIGHTS_CHANGED)
                elif conn.user_id not in allowed:
                    self._end_subscription(conn, room_id)
        finally:
            step = room.stream.resume()
            if not room.stream.paused:
                # The frames held meanwhile first, then the items, as they arrived.
                held, room.held_ephemeral = room.held_ephemeral, []
                for frame, exclude_user, sheddable, presence in held:
                    self.offer_ephemeral(
                        room_id,
                        frame,
                        exclude_user=exclude_user,
                        sheddable=sheddable,
                        presence=presence,
                    )
            self._run(room, step)

    def _schedule_fill(self, room: LocalRoom, *, upto: int, grace: float) -> None:
        task = asyncio.get_running_loop().create_task(self._fill(room, upto, grace))
        self._fills.add(task)
        task.add_done_callback(self._fills.discard)

    async def _fill(self, room: LocalRoom, upto: int, grace: float) -> None:
        stream = room.stream
        try:
            if grace:
                await asyncio.sleep(grace)
            span = stream.fill_range(upto)
            if span is not None:
                after, upto = span
                log.info("refilling room=%s seq %s..%s", room.room_id, after + 1, upto)
                rows = await database_call(_fetch_rendered)(room.room_id, after, upto)
                payloads = [(seq, (frame, extras)) for seq, frame, extras in rows]
                for seq, (frame, extras) in stream.refilled(payloads):
                    metrics.refilled_items.inc()
                    self._forward(room, seq, frame, extras)
        except Exception:
            log.warning("refill of room %s failed; the sweep retries", room.room_id, exc_info=True)
        self._run(room, stream.fill_ended())

    # -- the layer ---------------------------------------------------------------------------

    async def _join_group(self, group: str) -> None:
        """Join a group; if the layer is down, the sweep rejoins and refills meanwhile."""
        try:
            await self.layer.group_add(group, self.channel_name)
        except Exception:
            metrics.layer_errors.labels("group_add").inc()
            log.warning("channel layer group_add failed; serving from the database", exc_info=True)
            self._rejoin_needed = True

    async def _rejoin_groups(self) -> None:
        for group in [broadcast.CONTROL_GROUP, *map(broadcast.room_group_name, self.rooms)]:
            await self.layer.group_add(group, self.channel_name)
        self._rejoin_needed = False
        self._renewed_at = time.monotonic()

    async def _listen(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis restarting: keep trying; the sweep rejoins the groups Redis forgot and
                # refills whatever passed meanwhile.
                metrics.layer_errors.labels("receive").inc()
                log.warning("channel layer receive failed; retrying", exc_info=True)
                self._rejoin_needed = True
                await asyncio.sleep(1.0)
                continue
            try:
                self._dispatch(message)
            except Exception:
                log.exception("hub could not handle %s", message.get("type"))

    def _dispatch(self, message: broadcast.LayerMessage) -> None:
        kind = message.get("type")
        if kind == broadcast.ROOM_ITEM:
            self.offer(message["room_id"], message["seq"], message["frame"], Extras.of(message))
        elif kind == broadcast.ROOM_EPHEMERAL:
            self.offer_ephemeral(
                message["room_id"],
                message["frame"],
                exclude_user=message.get("exclude_user"),
                sheddable=bool(message.get("sheddable")),
            )
        elif kind == broadcast.USER_FRAME:
            self.deliver_to_user(
                message["user_id"],
                message["room_id"],
                message["frame"],
                except_socket_id=message.get("except_socket_id"),
            )
        elif kind == broadcast.ROOM_PRESENCE:
            for user_id, username, online, idle in message["changes"]:
                change = Change(user_id, username, online, idle)
                self.offer_presence(message["room_id"], message["slug"], change)
        elif kind == broadcast.ROOM_ACCESS_CHANGED:
            self.room_access_changed(message["room_id"])
        elif kind == broadcast.ROOM_PROFILE:
            self.member_profile_changed(message["room_id"], message["frame"])
        elif kind == broadcast.USER_RIGHTS_CHANGED:
            for conn in self.sockets.of_user(message["user_id"]):
                conn.close(CloseCode.RIGHTS_CHANGED)
        elif kind == broadcast.USER_SESSIONS_ENDED:
            self._end_sessions(
                message["user_id"],
                session_key=message.get("session_key"),
                spared=message.get("except_session_key"),
            )

    def _end_sessions(
        self, user_id: int, *, session_key: str | None = None, spared: str | None = None
    ) -> None:
        """Close the user's sockets of `session_key` (None: of every session but `spared`)."""
        for conn in self.sockets.of_sessions(user_id, session_key=session_key, spared=spared):
            conn.close(CloseCode.SESSION_ENDED)

    async def end_expired_sessions(self) -> None:
        """Close the sockets of sessions that expired (session_expiry.py); a session that was
        extended meanwhile gets its new date."""
        due = self.sessions.due(self.clock())
        if not due:
            return
        dates = await database_call(session_expiry_dates)(due)
        for session_key in due:
            expire_date = dates.get(session_key)
            if expire_date is not None:
                self.sessions.renewed(session_key, expire_date.timestamp())
                continue
            user_id = self.sessions.ended(session_key)
            if user_id is not None:
                events.info(
                    "session expired", extra={"event": "session_expired", "user_id": user_id}
                )
                self._end_sessions(user_id, session_key=session_key)

    async def _sweep_forever(self) -> None:
        interval = settings.PARLEY["SWEEP_SECONDS"]
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("hub sweep failed", exc_info=True)

    async def sweep(self) -> None:
        """Close the sockets of expired sessions; refill items the layer never delivered; drop
        idle rooms; renew group memberships."""
        try:
            await self.end_expired_sessions()
        except Exception:
            log.warning("checking expired sessions failed; will retry", exc_info=True)
        now = time.monotonic()
        for room in list(self.rooms.values()):
            if room.idle_since is not None and now - room.idle_since > IDLE_ROOM_SECONDS:
                del self.rooms[room.room_id]
                if room.flush_timer is not None:
                    room.flush_timer.cancel()
                room_cache.forget_room(room.room_id)
                # Its profile changes no longer reach this process.
                member_lists.forget(room.room_id)
                group = broadcast.room_group_name(room.room_id)
                try:
                    await self.layer.group_discard(group, self.channel_name)
                except Exception:
                    log.warning("channel layer group_discard failed", exc_info=True)
        if self._rejoin_needed or now - self._renewed_at > GROUP_RENEW_SECONDS:
            try:
                await self._rejoin_groups()
            except Exception:
                log.warning("rejoining channel layer groups failed; will retry", exc_info=True)
        active = [r for r in self.rooms.values() if r.stream.cursor is not None and r.subscribers]
        if not active:
            return
        last_seqs = await database_call(room_last_seqs)([r.room_id for r in active])
        for room in active:
            last_seq = last_seqs.get(room.room_id)
            if last_seq is None:
                continue
            upto = room.stream.overdue(last_seq)
            if upto is not None:
                self._schedule_fill(room, upto=upto, grace=0)

    async def stop(self) -> None:
        tasks = [*self._tasks, *self._fills]
        for task in tasks:
            task.cancel()
        # A layer's receive may finish its blocking read before it yields to the cancel
        # (channels-redis); do not wait for it longer than a moment.
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_WAIT_SECONDS)
        if self.presence is not None:
            await self.presence.stop()


STOP_WAIT_SECONDS = 2.0

_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}
_starting: dict[asyncio.AbstractEventLoop, asyncio.Future[Hub]] = {}


async def get_hub() -> Hub:
    """The hub of the running event loop, started on first use."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is not None:
        return hub
    pending = _starting.get(loop)
    if pending is not None:
        return await pending
    future: asyncio.Future[Hub] = loop.create_future()
    _starting[loop] = future
    try:
        for stale in [known for known in _hubs if known.is_closed()]:
            del _hubs[stale]
        hub = Hub()
        await hub.start()
        _hubs[loop] = hub
        future.set_result(hub)
        return hub
    except BaseException as exc:
        future.set_exception(exc)
        raise
    finally:
        del _starting[loop]


async def stop_hub() -> None:
    """Stop the running loop's hub and publisher (tests; a server process simply exits)."""
    hub = _hubs.pop(asyncio.get_running_loop(), None)
    if hub is not None:
        await hub.stop()
    await broadcast.stop_publisher()


def running_hubs() -> list[tuple[asyncio.AbstractEventLoop, Hub]]:
    """The started hubs of this process with their loops (callers on other threads hand their
    calls to a hub's loop: parley/notify/away.py)."""
    return [(loop, hub) for loop, hub in list(_hubs.items()) if loop.is_running()]
