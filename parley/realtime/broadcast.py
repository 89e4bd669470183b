"""The one place that publishes to the channel layer.

Parley publishes each timeline item once per room (the layer delivers it once per server
process that has subscribers: see hub.py), already encoded as the frame clients receive.
Services call the `*_on_commit` functions inside their transaction, so nothing is announced
that was not stored. The layer may still drop; hub.py refills gaps from the database by seq.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from parley.core import metrics
from parley.realtime.serializers import render_item
from parley.rooms.models import Item, Room

log = logging.getLogger(__name__)

CONTROL_GROUP = "parley.control"
ROOM_ITEM = "room.item"
USER_SESSIONS_ENDED = "user.sessions_ended"


def room_group_name(room_id: int) -> str:
    return f"parley.room.{room_id}"


def revoked_user_id(item: Item, *, room: Room) -> int | None:
    """Whose subscriptions an item ends: a leave from a private or staff-only room."""
    if item.kind == Item.Kind.LEAVE and (room.is_private or room.staff_only):
        return item.user_id
    return None


def item_message(item: Item, *, room: Room) -> dict:
    return {
        "type": ROOM_ITEM,
        "room_id": room.pk,
        "seq": item.seq,
        "frame": render_item(item, room_slug=room.slug),
        "revoke": revoked_user_id(item, room=room),
    }


def publish_item_on_commit(item: Item, *, room: Room) -> None:
    message = item_message(item, room=room)
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
