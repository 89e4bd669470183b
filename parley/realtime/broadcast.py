"""The one place that publishes to the channel layer: the domain's typed changes, as frames.

The domain emits typed changes after commit (parley.core.changes; parley.rooms.changes and
parley.accounts.changes say what they are); `publish_change`, registered in apps.py, turns each
into one layer message whose frames the wire layer built (parley.wire.frames), encoded once.

Parley publishes each timeline item once per room (the layer delivers it once per server
process that has subscribers: see hub.py), already encoded as the frame clients receive. The
layer may still drop; hub.py refills gaps from the database by seq, through `item_message` too.

A message item also carries its author's new read pointer: the hub of each process it reaches
sends `read` to the author's sockets there (not to the sending one), so a post costs no second
publish. (A process with no subscriber of the room gets neither; its sockets do not see the
room's items either, and learn the pointer at their next `subscribe`.)

Live features that are not timeline items travel the same way, without a seq:

- `room.ephemeral` (typing, presence, receipts) goes to the room's group, once per room; the
  hub hands it to the room's local subscribers, but those of `exclude_user`. Nothing refills
  them: a dropped one is simply not shown (presence is restated by the next `subscribed`).
- `user.frame` (a `read` pointer) goes to the control group, once; each process hands it to
  its local sockets of that user, but the socket `except_socket_id` (which had its answer).
- `room.presence` (members' new online/idle states) goes to the group of each room the person
  is in, as values, not a frame: each process's hub batches a room's changes into one frame a
  second at most (presence/batch.py) and sends it only to the sockets that want it.
- `room.profile` (a member's `profile` frame, encoded once) goes to the group of each room the
  person is in; the hub hands it on as `room.ephemeral`, and first forgets what it kept of the
  room that shows the person (the member list, rendered items: member_lists.py, room_cache.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeAlias

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import DatabaseError

from parley.accounts.changes import ProfileChanged, RightsChanged, SessionsEnded
from parley.core import metrics
from parley.realtime.profile_news import profile_news
from parley.rooms.changes import (
    DirectRoomOpened,
    ItemAdded,
    LevelChanged,
    ReadMoved,
    RoomAccessChanged,
    TypingStarted,
)
from parley.wire import frames

log = logging.getLogger(__name__)

CONTROL_GROUP = "parley.control"
ROOM_ITEM = "room.item"
ROOM_EPHEMERAL = "room.ephemeral"
USER_FRAME = "user.frame"
USER_SESSIONS_ENDED = "user.sessions_ended"
USER_RIGHTS_CHANGED = "user.rights_changed"
ROOM_ACCESS_CHANGED = "room.access_changed"
ROOM_PROFILE = "room.profile"
ROOM_PRESENCE = "room.presence"

# A message on the channel layer: {"type": one of the above, …}, as the layer (de)serialises it.
LayerMessage: TypeAlias = dict[str, Any]


def room_group_name(room_id: int) -> str:
    return f"parley.room.{room_id}"


def item_message(change: ItemAdded) -> LayerMessage:
    """The layer message of a stored item: its frame and what forwarding it does besides
    (hub.Extras): whose subscriptions it ends (`revoke`), whose read pointer it moves with the
    `read` frame and the socket to spare (`reader`), whose joining it announces (`joined`)."""
    item = change.item
    reader = None
    if change.moves_read_pointer:
        read = frames.read_text(room=item.room, seq=item.seq)
        reader = [change.user_id, read, change.socket_id]
    joined = None
    if change.joined_user_id is not None:
        joined = [change.joined_user_id, item.room, item.username]
    return {
        "type": ROOM_ITEM,
        "room_id": change.room_id,
        "seq": item.seq,
        "frame": frames.item_text(item),
        "revoke": change.ends_access_of,
        "reader": reader,
        "joined": joined,
        # The message this item changes (an edit, deletion or reaction) or replies to.
        "target": item.target if item.is_change else item.thread,
    }


def ephemeral_message(
    room_id: int, frame: str, *, exclude_user: int | None = None, sheddable: bool = False
) -> LayerMessage:
    """A frame for a room's subscribers that is not a timeline item. `sheddable` frames
    (typing) are the first dropped for a socket that is falling behind."""
    return {
        "type": ROOM_EPHEMERAL,
        "room_id": room_id,
        "frame": frame,
        "exclude_user": exclude_user,
        "sheddable": sheddable,
    }


def user_frame_message(
    user_id: int, room_id: int, frame: str, *, except_socket_id: str | None
) -> LayerMessage:
    return {
        "type": USER_FRAME,
        "user_id": user_id,
        "room_id": room_id,
        "frame": frame,
        "except_socket_id": except_socket_id,
    }


def publish_change(change: object) -> None:
    """Deliver one typed change of the domain (a listener of parley.core.changes)."""
    if isinstance(change, ItemAdded):
        if change.item.is_message:
            metrics.messages_stored.inc()
        publish_from_sync(room_group_name(change.room_id), item_message(change))
    elif isinstance(change, ReadMoved):
        read = frames.read_text(room=change.room, seq=change.seq)
        publish_from_sync(
            CONTROL_GROUP,
            user_frame_message(
                change.user_id, change.room_id, read, except_socket_id=change.socket_id
            ),
        )
        if change.receipt:
            receipt = frames.receipt_text(
                room=change.room, username=change.username, seq=change.seq
            )
            publish_from_sync(
                room_group_name(change.room_id), ephemeral_message(change.room_id, receipt)
            )
    elif isinstance(change, DirectRoomOpened):
        # Each of its people hears of it on every socket (a `dm` frame, as its maker's answer).
        names = [username for _, username in change.participants]
        notice = frames.dm_text(room=change.room, users=names, ref=None)
        for user_id, _ in change.participants:
            publish_from_sync(
                CONTROL_GROUP,
                user_frame_message(user_id, change.room_id, notice, except_socket_id=None),
            )
    elif isinstance(change, LevelChanged):
        notify = frames.notify_text(room=change.room, level=change.level)
        publish_from_sync(
            CONTROL_GROUP,
            user_frame_message(
                change.user_id, change.room_id, notify, except_socket_id=change.socket_id
            ),
        )
    elif isinstance(change, TypingStarted):
        typing = frames.typing_text(room=change.room, username=change.username)
        message = ephemeral_message(
            change.room_id, typing, exclude_user=change.user_id, sheddable=True
        )
        publish_from_sync(room_group_name(change.room_id), message)
    elif isinstance(change, RoomAccessChanged):
        publish_from_sync(CONTROL_GROUP, {"type": ROOM_ACCESS_CHANGED, "room_id": change.room_id})
    elif isinstance(change, SessionsEnded):
        # Close the user's open sockets in every process: those of one session, or all of
        # them (but those of `except_session_key`, the session that changed its own password).
        publish_from_sync(
            CONTROL_GROUP,
            {
                "type": USER_SESSIONS_ENDED,
                "user_id": change.user_id,
                "session_key": change.session_key,
                "except_session_key": change.except_session_key,
            },
        )
    elif isinstance(change, RightsChanged):
        # Every process closes the user's sockets (CloseCode.RIGHTS_CHANGED); the client
        # reconnects and is then judged by the new rights.
        publish_from_sync(CONTROL_GROUP, {"type": USER_RIGHTS_CHANGED, "user_id": change.user_id})
    elif isinstance(change, ProfileChanged):
        try:
            news = profile_news(change.user_id)
        except DatabaseError:
            # The change is stored; clients see it at their next `subscribed`.
            log.warning("reading a profile change to announce failed", exc_info=True)
            return
        if news is not None:
            frame, room_ids = news
            for room_id in room_ids:
                message = {"type": ROOM_PROFILE, "room_id": room_id, "frame": frame}
                publish_from_sync(room_group_name(room_id), message)


async def publish_room_ephemeral(
    room_id: int, frame: str, *, exclude_user: int | None = None, sheddable: bool = False
) -> None:
    """From the event loop (presence): a frame for the room's subscribers, not an item."""
    await publish(
        room_group_name(room_id),
        ephemeral_message(room_id, frame, exclude_user=exclude_user, sheddable=sheddable),
    )


async def publish_presence(
    room_id: int, *, slug: str, changes: list[tuple[int, str, bool, bool]]
) -> None:
    """From the event loop: members' new presence, (user id, username, online, idle) each, for
    the hubs to batch (hub.py)."""
    await publish(
        room_group_name(room_id),
        {"type": ROOM_PRESENCE, "room_id": room_id, "slug": slug, "changes": changes},
    )


class _Publisher:
    """Publishes in order, one at a time, without making the database thread wait for the layer."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, LayerMessage]] = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        layer = get_channel_layer()
        loop = asyncio.get_running_loop()
        while True:
            group, message = await self.queue.get()
            began = loop.time()
            try:
                await layer.group_send(group, message)
            except Exception:
                # Redis down or the like: the item is stored; subscribers' hubs refill it.
                metrics.layer_errors.labels("group_send").inc()
                log.warning("channel layer publish to %s failed", group, exc_info=True)
            else:
                metrics.layer_publish_seconds.observe(loop.time() - began)
                if message.get("type") == ROOM_ITEM:
                    metrics.items_published.inc()


_publishers: dict[asyncio.AbstractEventLoop, _Publisher] = {}


async def stop_publisher() -> None:
    """Stop the running loop's publisher (tests; a server process simply exits)."""
    publisher = _publishers.pop(asyncio.get_running_loop(), None)
    if publisher is not None:
        publisher.task.cancel()
        await asyncio.wait([publisher.task], timeout=2.0)


def _enqueue(group: str, message: LayerMessage) -> None:
    loop = asyncio.get_running_loop()
    publisher = _publishers.get(loop)
    if publisher is None or publisher.task.done():
        for stale in [known for known in _publishers if known.is_closed()]:
            del _publishers[stale]
        publisher = _publishers[loop] = _Publisher()
    publisher.queue.put_nowait((group, message))


async def publish(group: str, message: LayerMessage) -> None:
    _enqueue(group, message)


def publish_from_sync(group: str, message: LayerMessage) -> None:
    """Publish from synchronous code: a thread of the server's event loop, or none at all."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is not None and loop.is_running() and not loop.is_closed():
        loop.call_soon_threadsafe(_enqueue, group, message)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # A management command or a plain sync caller: no server loop, publish directly.
        async_to_sync(get_channel_layer().group_send)(group, message)
    else:
        _enqueue(group, message)
