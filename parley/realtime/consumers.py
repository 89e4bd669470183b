"""The WebSocket adapter: frames in, service calls, frames out.

It parses with `wire.commands`, calls selectors and services (one database call per frame, each on
the database threads: `database.database_call`), maps domain errors to `error` frames, and lets
the hub deliver items. It holds no rules of its own. The `subscribe` frames waiting together
are served together (subscribe_batch.py: a client subscribes to all its rooms at once); every
frame is still answered in the order it came.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

from parley.core import metrics, ratelimit
from parley.core.errors import InvalidInput, ParleyError, RateLimited, RoomNotFound
from parley.core.types import AnyUser, AuthUser, Message, Receive, Scope
from parley.realtime.auth import client_address
from parley.realtime.burst import burst_writer
from parley.realtime.connection import Connection
from parley.realtime.database import timed_database_call
from parley.realtime.hub import Hub, get_hub
from parley.realtime.member_pages import members_page_text
from parley.realtime.subscribe_batch import Answer, subscribe_many
from parley.rooms import services
from parley.rooms.values import item_value
from parley.wire import commands, frames
from parley.wire.codes import CloseCode, ErrorCode

log = logging.getLogger(__name__)
# Parley's own operational events: parseable, with ids and codes, never bodies or secrets.
events = logging.getLogger("parley.events")


@timed_database_call
def _join(user: AuthUser, slug: str) -> str:
    return services.room_join_by_slug(user=user, slug=slug).room.slug


@timed_database_call
def _leave(user: AuthUser, slug: str) -> str:
    return services.room_leave_by_slug(user=user, slug=slug).room.slug


def _ack(result: services.PostResult, ref: str | None) -> str:
    return frames.ack_text(item_value(result.item, room_slug=result.item.room.slug), ref=ref)


@timed_database_call
def _post(user: AuthUser, cmd: commands.Send, socket_id: str) -> str:
    result = services.message_post(
        user=user,
        room_slug=cmd.room,
        body=cmd.body,
        client_id=cmd.client_id,
        thread=cmd.thread,
        socket_id=socket_id,
    )
    return _ack(result, cmd.ref)


@timed_database_call
def _edit(user: AuthUser, cmd: commands.Edit, socket_id: str) -> str:
    result = services.message_edit(
        user=user,
        room_slug=cmd.room,
        target=cmd.target,
        body=cmd.body,
        client_id=cmd.client_id,
        socket_id=socket_id,
    )
    return _ack(result, cmd.ref)


@timed_database_call
def _delete(user: AuthUser, cmd: commands.Delete, socket_id: str) -> str:
    result = services.message_delete(
        user=user,
        room_slug=cmd.room,
        target=cmd.target,
        client_id=cmd.client_id,
        socket_id=socket_id,
    )
    return _ack(result, cmd.ref)


@timed_database_call
def _react(user: AuthUser, cmd: commands.React, socket_id: str) -> str:
    result = services.reaction_set(
        user=user,
        room_slug=cmd.room,
        target=cmd.target,
        emoji=cmd.emoji,
        op=cmd.op,
        client_id=cmd.client_id,
        socket_id=socket_id,
    )
    return _ack(result, cmd.ref)


@timed_database_call
def _dm(user: AuthUser, cmd: commands.Dm) -> str:
    direct = services.direct_room_open(user=user, usernames=cmd.users)
    return frames.dm_text(room=direct.room.slug, users=direct.usernames, ref=cmd.ref)


@timed_database_call
def _notify(user: AuthUser, cmd: commands.Notify, socket_id: str) -> str:
    room, level = services.notify_level_set(
        user=user, slug=cmd.room, level=cmd.level, socket_id=socket_id
    )
    return frames.notify_text(room=room.slug, level=level, ref=cmd.ref)


@timed_database_call
def _read(user: AuthUser, cmd: commands.Read, socket_id: str) -> str:
    pointer = services.read_pointer_move_by_slug(
        user=user, slug=cmd.room, seq=cmd.seq, socket_id=socket_id
    )
    return frames.read_text(room=pointer.room.slug, seq=pointer.seq, ref=cmd.ref)


@timed_database_call
def _typing(user: AuthUser, slug: str) -> None:
    services.typing_notify(user=user, slug=slug)


@timed_database_call
def _history(user: AuthUser, cmd: commands.History) -> str:
    room, page = services.room_history_read(
        user=user,
        slug=cmd.room,
        before=cmd.before,
        limit=cmd.limit,
        thread=cmd.thread,
        around=cmd.around,
    )
    items = [item_value(item, room_slug=room.slug) for item in page.items]
    return frames.history_text(
        room=room.slug,
        items=items,
        has_more=page.has_more,
        has_newer=page.has_newer,
        thread=page.thread,
        ref=cmd.ref,
    )


@timed_database_call
def _check_visible(user: AuthUser, slug: str) -> str:
    return services.room_read_access(user=user, slug=slug).slug


# Counted once per socket opened: the labelled child looked up once.
_ACCEPTED = metrics.connections.labels("accepted")

# A socket refused for the per-process socket caps may try again after this many seconds.
SOCKET_CAP_RETRY_SECONDS = 10.0


async def _admit(hub: Hub, user: AuthUser, address: str | None) -> None:
    """A new socket counts against its user's handshake limit (its address's was counted before
    its session was looked up: auth.py), then must fit within this process's caps on open
    sockets; RateLimited otherwise."""
    await ratelimit.acheck(ratelimit.Action.CONNECT_USER, user=user)
    config = settings.PARLEY_RATE_LIMITS
    if ratelimit.enabled() and not hub.has_room_for(
        user_id=user.pk,
        address=address,
        max_per_user=config["MAX_SOCKETS_PER_USER"],
        max_per_address=config["MAX_SOCKETS_PER_ADDRESS"],
    ):
        raise RateLimited(
            "Too many open connections; close some and retry.",
            retry_after=SOCKET_CAP_RETRY_SECONDS,
        )


# Frames whose success does not show the client slowed down: they reset no strike count.
UNANSWERED = (commands.Ping, commands.Typing, commands.Activity)


# channels ships no type information (ignore_missing_imports): its consumer is Any to mypy.
class ChatConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    scope: Scope
    # The server's send: a coroutine function (Connection steps a send's coroutine by hand).
    base_send: Callable[[Message], Coroutine[Any, Any, None]]
    user: AuthUser  # from the handshake on: the socket's signed-in user
    connected_at: float
    conn: Connection | None = None
    hub: Hub | None = None
    # rate_limited refusals in a row; past MAX_STRIKES the socket is closed (4429).
    strikes = 0
    # `subscribe` frames not yet served, gathered while the consumer reads the frames waiting
    # (a client subscribes to all its rooms at once: subscribe_batch.py), and the task that
    # serves them (after the batch before it); None when no subscribe waits.
    subscribes: list[commands.Subscribe] | None = None
    subscribing: asyncio.Task[None] | None = None

    async def __call__(
        self,
        scope: Scope,
        receive: Receive,
        send: Callable[[Message], Coroutine[Any, Any, None]],
    ) -> None:
        """Channels' consumer loop without what a socket here never uses: no consumer channel
        (the hub listens once per process) and no task per received message (Channels'
        `await_many_dispatch` waits on one to merge a channel with the socket)."""
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass

    async def dispatch(self, message: Message) -> None:
        # Channels >= 4.2 hops to the database thread before every handler to close stale
        # connections; every database call here does that itself, so frames skip the hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        await self.accept()
        user: AnyUser | None = self.scope.get("user")
        address = client_address(self.scope)
        refused = self.scope.get("handshake_refused")
        if refused is not None:
            await self._refuse_handshake(refused, user_id=None, address=address)
            return
        if user is None or not user.is_authenticated:
            metrics.connections.labels("unauthenticated").inc()
            events.info(
                "socket refused", extra={"event": "refused", "reason": "unauthenticated",
                                         "address": address},
            )  # fmt: skip
            await self.close(CloseCode.UNAUTHENTICATED)
            return
        self.user = user
        self.hub = await get_hub()
        try:
            await _admit(self.hub, user, address)
        except RateLimited as exc:
            await self._refuse_handshake(exc, user_id=user.pk, address=address)
            return
        self.conn = Connection(
            user_id=user.pk,
            username=user.username,
            is_staff=user.is_staff,
            session_key=self.scope.get("session_key"),
            send=self._send_text,
            burst=burst_writer(self.base_send),
            close=self._close_socket,
            max_queued=settings.PARLEY["MAX_QUEUED_FRAMES"],
            address=address,
        )
        # No await between _admit's cap check and this: no other handshake took the place.
        self.hub.connect(self.conn, session_expires_at=self.scope.get("session_expires_at"))
        self.connected_at = time.monotonic()
        _ACCEPTED.inc()
        events.info(
            "socket opened", extra={"event": "connect", "user_id": user.pk, "address": address}
        )

    async def _refuse_handshake(
        self, exc: RateLimited, *, user_id: int | None, address: str | None
    ) -> None:
        metrics.connections.labels("rate_limited").inc()
        events.info(
            "socket refused", extra={"event": "refused", "reason": "rate_limited",
                                     "user_id": user_id, "address": address},
        )  # fmt: skip
        # The client learns why and when to come back, then the socket is closed.
        await self.send(text_data=frames.refusal_text(exc))
        await self.close(CloseCode.RATE_LIMITED)

    def _send_text(self, text: str) -> Coroutine[Any, Any, None]:
        """The server's send of one text frame, straight (Connection steps it by hand)."""
        return self.base_send({"type": "websocket.send", "text": text})

    async def _close_socket(self, code: int) -> None:
        await self.close(code)

    async def disconnect(self, code: int) -> None:
        # The subscribes begun end first (a subscription begun after this would stay).
        await self._subscribes_served()
        if self.conn is not None and self.hub is not None:
            self.hub.disconnect(self.conn)
            self.conn.stop()
            events.info(
                "socket closed",
                extra={"event": "disconnect", "user_id": self.conn.user_id, "code": code,
                       "seconds": round(time.monotonic() - self.connected_at, 3)},
            )  # fmt: skip

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        conn = self.conn
        if conn is None or conn.closing:
            return  # anonymous, or closing: a frame handled now could never be answered
        try:
            command = commands.parse_frame(text_data, max_bytes=settings.PARLEY["MAX_FRAME_BYTES"])
        except commands.FrameError as exc:
            await self._subscribes_served()
            self._refuse(exc.code, exc.message, exc.ref)
            return
        if isinstance(command, commands.Subscribe):
            self._gather_subscribe(command)
            return
        # Every frame is answered in the order it came: after the subscribes before it.
        await self._subscribes_served()
        await self._answer(command, lambda: self.HANDLERS[type(command)](self, command))

    def _gather_subscribe(self, cmd: commands.Subscribe) -> None:
        """Add `cmd` to the batch the next task serves; that task runs once the consumer waits
        for input, so the subscribes the client sent together are one batch."""
        if self.subscribes is not None:
            self.subscribes.append(cmd)
            return
        batch = self.subscribes = [cmd]
        self.subscribing = asyncio.get_running_loop().create_task(
            self._serve_subscribes(self.subscribing, batch)
        )

    async def _serve_subscribes(
        self, before: asyncio.Task[None] | None, batch: list[commands.Subscribe]
    ) -> None:
        if before is not None:
            await before
        if self.subscribes is batch:
            self.subscribes = None  # subscribes from now on are the next batch
        assert self.conn is not None and self.hub is not None

        async def answer(cmd: commands.Subscribe, reply: Answer) -> None:
            async def handle() -> None:
                reply()

            await self._answer(cmd, handle)

        try:
            await subscribe_many(
                user=self.user, conn=self.conn, hub=self.hub, cmds=batch, answer=answer
            )
        except Exception:
            log.exception("subscribes failed")

    async def _subscribes_served(self) -> None:
        """Wait until every `subscribe` received so far is answered."""
        task = self.subscribing
        if task is not None:
            await task
            if self.subscribing is task:
                self.subscribing = None

    async def _answer(
        self, command: commands.Command, handle: Callable[[], Awaitable[None]]
    ) -> None:
        """Handle one frame, and answer its error (with its ref) if it fails."""
        conn = self.conn
        assert conn is not None
        ref = command.ref
        try:
            await handle()
        except RateLimited as exc:
            self.strikes += 1
            metrics.errors.labels(ErrorCode.RATE_LIMITED).inc()
            if self.strikes > settings.PARLEY_RATE_LIMITS["MAX_STRIKES"]:
                events.info(
                    "socket ignores rate limits",
                    extra={"event": "rate_limit_close", "user_id": conn.user_id},
                )
                # The answers to the frames before this one go out first, then the close.
                conn.close(CloseCode.RATE_LIMITED, flush=True)
            else:
                events.info(
                    "rate limited", extra={"event": "rate_limited", "user_id": conn.user_id}
                )
                conn.push(frames.refusal_text(exc, ref))
        except commands.FrameError as exc:
            self._refuse(exc.code, exc.message, exc.ref)
        except ParleyError as exc:
            self._refuse(exc.code, exc.message, ref)
        except DatabaseError:
            log.warning("database unavailable", exc_info=True)
            self._refuse(
                ErrorCode.UNAVAILABLE, "The server cannot store that right now; retry later.", ref
            )
        except Exception:
            log.exception("frame handling failed")
            self._refuse(ErrorCode.UNAVAILABLE, "Something went wrong; retry.", ref)
        else:
            if not isinstance(command, UNANSWERED):
                self.strikes = 0  # answered without an error: the client slowed down

    def _refuse(self, code: str, message: str, ref: str | None) -> None:
        """Answer a frame with an `error`; the socket stays open."""
        assert self.conn is not None
        metrics.errors.labels(str(code)).inc()
        events.info(
            "frame refused", extra={"event": "error", "code": str(code), "user_id": self.user.pk}
        )
        self.conn.push(frames.error_text(code, message, ref))

    # -- commands ------------------------------------------------------------------------------

    async def on_unsubscribe(self, cmd: commands.Unsubscribe) -> None:
        assert self.conn is not None and self.hub is not None
        subscription = self.conn.subscription_for(cmd.room)
        if subscription is not None:
            self.hub.detach(self.conn, subscription.room_id)
            slug = subscription.slug
        else:
            slug = await _check_visible(self.user, cmd.room)
        self.conn.push(frames.unsubscribed_text(room=slug, ref=cmd.ref))

    async def on_join(self, cmd: commands.Join) -> None:
        assert self.conn is not None
        slug = await _join(self.user, cmd.room)
        self.conn.push(frames.joined_text(room=slug, ref=cmd.ref))

    async def on_leave(self, cmd: commands.Leave) -> None:
        assert self.conn is not None
        slug = await _leave(self.user, cmd.room)
        self.conn.push(frames.left_text(room=slug, ref=cmd.ref))

    async def on_send(self, cmd: commands.Send) -> None:
        assert self.conn is not None
        self.conn.push(await _post(self.user, cmd, self.conn.socket_id))

    async def on_edit(self, cmd: commands.Edit) -> None:
        assert self.conn is not None
        self.conn.push(await _edit(self.user, cmd, self.conn.socket_id))

    async def on_delete(self, cmd: commands.Delete) -> None:
        assert self.conn is not None
        self.conn.push(await _delete(self.user, cmd, self.conn.socket_id))

    async def on_react(self, cmd: commands.React) -> None:
        assert self.conn is not None
        self.conn.push(await _react(self.user, cmd, self.conn.socket_id))

    async def on_dm(self, cmd: commands.Dm) -> None:
        assert self.conn is not None
        self.conn.push(await _dm(self.user, cmd))

    async def on_notify(self, cmd: commands.Notify) -> None:
        assert self.conn is not None
        self.conn.push(await _notify(self.user, cmd, self.conn.socket_id))

    async def on_history(self, cmd: commands.History) -> None:
        assert self.conn is not None
        self.conn.push(await _history(self.user, cmd))

    async def on_ping(self, cmd: commands.Ping) -> None:
        assert self.conn is not None
        self.conn.push(frames.pong_text(ref=cmd.ref))

    async def on_typing(self, cmd: commands.Typing) -> None:
        """No answer on success; one frame per user and room per interval goes on (per process)."""
        assert self.hub is not None
        if not self.hub.typing.claim(self.user.pk, cmd.room):
            metrics.typing_frames.labels("throttled").inc()
            return
        try:
            await _typing(self.user, cmd.room)
        except BaseException:
            self.hub.typing.release(self.user.pk, cmd.room)
            raise
        metrics.typing_frames.labels("forwarded").inc()

    async def on_read(self, cmd: commands.Read) -> None:
        assert self.conn is not None
        self.conn.push(await _read(self.user, cmd, self.conn.socket_id))

    async def on_activity(self, cmd: commands.Activity) -> None:
        """No answer on success: the user's presence changes once all their sockets agree."""
        assert self.conn is not None and self.hub is not None
        if cmd.state not in {state.value for state in commands.ActivityState}:
            raise InvalidInput("`state` is `active` or `idle`.")
        self.hub.set_idle(self.conn, cmd.state == commands.ActivityState.IDLE)

    async def on_presence_watch(self, cmd: commands.PresenceWatch) -> None:
        """Presence of a big room for this socket, or no more (docs/protocol.md "Big rooms")."""
        assert self.conn is not None and self.hub is not None
        subscription = self.conn.subscription_for(cmd.room)
        if subscription is None:
            raise RoomNotFound()
        self.hub.watch_presence(self.conn, subscription.room_id, cmd.watch)
        self.conn.push(
            frames.presence_watch_text(room=subscription.slug, watch=cmd.watch, ref=cmd.ref)
        )

    async def on_members(self, cmd: commands.Members) -> None:
        assert self.conn is not None and self.hub is not None
        self.conn.push(await members_page_text(user=self.user, hub=self.hub, cmd=cmd))

    HANDLERS: dict[type[commands.Command], Callable[[ChatConsumer, Any], Awaitable[None]]] = {
        commands.Unsubscribe: on_unsubscribe,
        commands.Join: on_join,
        commands.Leave: on_leave,
        commands.Send: on_send,
        commands.Edit: on_edit,
        commands.Delete: on_delete,
        commands.React: on_react,
        commands.Dm: on_dm,
        commands.Notify: on_notify,
        commands.History: on_history,
        commands.Ping: on_ping,
        commands.Typing: on_typing,
        commands.Read: on_read,
        commands.Activity: on_activity,
        commands.Members: on_members,
        commands.PresenceWatch: on_presence_watch,
    }
