"""The one place that publishes to the channel layer.

Parley publishes each timeline item once per room (the layer delivers it once per server
process that has subscribers: see hub.py), already encoded as the frame clients receive.
Services call the `*_on_commit` functions inside their transaction, so nothing is announced
that was not stored. The layer may still drop; hub.py refills gaps from the database by seq.

A message item also carries its author's new read pointer: the hub of each process it reaches
sends `read` to the author's sockets there (not to the sending one), so a post costs no second
publish. (A process with no subscriber of the room gets neither; its sockets do not see the
room's items either, and learn the pointer at their next `subscribe`.)

Live features that are not timeline items travel the same way, without a seq:

- `room.ephemeral` (typing, presence, receipts) goes to the room's group, once per room; the
  hub hands it to the room's local subscribers, but those of `exclude_user`. Nothing refills
  them: a dropped one is simply not shown (presence is restated by the next `subscribed`).
- `user.frame` (a `read` pointer) goes to the control group, once; each process hands it to
  its local sockets of that user, but the socket `except_connection` (which had its answer).
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from parley.core import metrics
from parley.realtime import protocol
from parley.realtime.serializers import render_item
from parley.rooms.models import Item, Room

log = logging.getLogger(__name__)

CONTROL_GROUP = "parley.control"
ROOM_ITEM = "room.item"
ROOM_EPHEMERAL = "room.ephemeral"
USER_FRAME = "user.frame"
USER_SESSIONS_ENDED = "user.sessions_ended"
USER_RIGHTS_CHANGED = "user.rights_changed"
ROOM_ACCESS_CHANGED = "room.access_changed"


def room_group_name(room_id: int) -> str:
    return f"parley.room.{room_id}"


def revoked_user_id(item: Item, *, room: Room) -> int | None:
    """Whose subscriptions an item ends: a leave from a private or staff-only room."""
    if item.kind == Item.Kind.LEAVE and (room.is_private or room.staff_only):
        return item.user_id
    return None


def author_read(item: Item, *, room: Room, origin: str | None = None) -> list | None:
    """Whose read pointer an item moves, as [user id, `read` frame, socket to skip]: a message
    moves its author's pointer to it (services/reads.py), and their sockets learn it with the
    item itself, but the sending socket `origin`, which has its ack."""
    if item.kind != Item.Kind.MESSAGE or item.user_id is None:
        return None
    return [item.user_id, protocol.reply("read", None, room=room.slug, seq=item.seq), origin]


def joined_member(item: Item, *, room: Room) -> list | None:
    """Who a join event adds, as [user id, room slug, username]: each process that forwards it
    then tells the room's subscribers whether the new member is online (hub.py)."""
    if item.kind != Item.Kind.JOIN or item.user_id is None:
        return None
    return [item.user_id, room.slug, item.user.get_username()]


def item_message(item: Item, *, room: Room, origin: str | None = None) -> dict:
    return {
        "type": ROOM_ITEM,
        "room_id": room.pk,
        "seq": item.seq,
        "frame": render_item(item, room_slug=room.slug),
        "revoke": revoked_user_id(item, room=room),
        "reader": author_read(item, room=room, origin=origin),
        "joined": joined_member(item, room=room),
    }


def publish_item_on_commit(item: Item, *, room: Room, origin: str | None = None) -> None:
    """After commit, the item to the room's subscribers (and, for a message, `read` to its
    author's sockets in the processes it reaches, but the socket `origin`)."""
    message = item_message(item, room=room, origin=origin)
    transaction.on_commit(
        partial(_committed, room_group_name(room.pk), message, item.kind == Item.Kind.MESSAGE)
    )


def _committed(group: str, message: dict, is_message: bool) -> None:
    if is_message:
        metrics.messages_stored.inc()
    publish_from_sync(group, message)


def publish_user_sessions_ended(
    user_id: int, *, session_key: str | None = None, except_session_key: str | None = None
) -> None:
    """Close the user's open sockets in every process: those of one session, or all of them
    (but those of `except_session_key`, the session that changed its own password)."""
    publish_from_sync(
        CONTROL_GROUP,
        {
            "type": USER_SESSIONS_ENDED,
            "user_id": user_id,
            "session_key": session_key,
            "except_session_key": except_session_key,
        },
    )


def publish_user_rights_changed(user_id: int) -> None:
    """The user's staff or superuser status changed: every process closes their sockets
    (CloseCode.RIGHTS_CHANGED), whose client reconnects and is then judged by the new rights."""
    publish_from_sync(CONTROL_GROUP, {"type": USER_RIGHTS_CHANGED, "user_id": user_id})


def publish_room_access_changed_on_commit(room_id: int) -> None:
    """After commit: who may see the room changed (visibility, staff-only, deletion). Every
    process re-checks its subscribers of the room and ends the subscriptions that lost it."""
    transaction.on_commit(
        partial(publish_from_sync, CONTROL_GROUP, {"type": ROOM_ACCESS_CHANGED, "room_id": room_id})
    )


def ephemeral_message(
    room_id: int, frame: str, *, exclude_user: int | None = None, sheddable: bool = False
) -> dict:
    """A frame for a room's subscribers that is not a timeline item. `sheddable` frames
    (typing) are the first dropped for a socket that is falling behind."""
    return {
        "type": ROOM_EPHEMERAL,
        "room_id": room_id,
        "frame": frame,
        "exclude_user": exclude_user,
        "sheddable": sheddable,
    }


async def publish_room_ephemeral(
    room_id: int, frame: str, *, exclude_user: int | None = None, sheddable: bool = False
) -> None:
    await publish(
        room_group_name(room_id),
        ephemeral_message(room_id, frame, exclude_user=exclude_user, sheddable=sheddable),
    )


def publish_room_ephemeral_from_sync(
    room_id: int, frame: str, *, exclude_user: int | None = None, sheddable: bool = False
) -> None:
    publish_from_sync(
        room_group_name(room_id),
        ephemeral_message(room_id, frame, exclude_user=exclude_user, sheddable=sheddable),
    )


def publish_room_ephemeral_on_commit(room_id: int, frame: str) -> None:
    transaction.on_commit(partial(publish_room_ephemeral_from_sync, room_id, frame))


def user_frame_message(
    user_id: int, room_id: int, frame: str, *, except_connection: str | None
) -> dict:
    return {
        "type": USER_FRAME,
        "user_id": user_id,
        "room_id": room_id,
        "frame": frame,
        "except_connection": except_connection,
    }


def publish_user_frame_on_commit(
    user_id: int, room_id: int, frame: str, *, except_connection: str | None = None
) -> None:
    """After commit, `frame` (about the room `room_id`) to every socket of the user in every
    process, but the one whose `Connection.token` is `except_connection`."""
    message = user_frame_message(user_id, room_id, frame, except_connection=except_connection)
    transaction.on_commit(partial(publish_from_sync, CONTROL_GROUP, message))


class _Publisher:
    """Publishes in order, one at a time, without making the database thread wait for the layer."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()
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


def _enqueue(group: str, message: dict) -> None:
    loop = asyncio.get_running_loop()
    publisher = _publishers.get(loop)
    if publisher is None or publisher.task.done():
        for stale in [known for known in _publishers if known.is_closed()]:
            del _publishers[stale]
        publisher = _publishers[loop] = _Publisher()
    publisher.queue.put_nowait((group, message))


async def publish(group: str, message: dict) -> None:
    _enqueue(group, message)


def publish_from_sync(group: str, message: dict) -> None:
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
