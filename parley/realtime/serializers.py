"""Timeline items as protocol frames. Each item is encoded once, whoever receives it."""

from typing import Any

from django.urls import reverse

from parley.realtime import protocol
from parley.rooms.models import Attachment, Item


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    return {
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": reverse("attachment", args=[attachment.pk, attachment.name]),
    }


def item_payload(item: Item, *, room_slug: str) -> dict[str, Any]:
    username = item.user.username if item.user_id is not None else None
    ts = protocol.format_ts(item.created_at)
    if item.kind == Item.Kind.MESSAGE:
        return protocol.message_item(
            room=room_slug,
            seq=item.seq,
            id=item.pk,
            username=username,
            body=item.body,
            ts=ts,
            client_id=item.client_id,
            attachment=attachment_payload(item.attachment) if item.has_attachment else None,
        )
    return protocol.event_item(
        room=room_slug, seq=item.seq, id=item.pk, kind=item.kind, username=username, ts=ts
    )


def render_item(item: Item, *, room_slug: str) -> str:
    return protocol.encode(item_payload(item, room_slug=room_slug))


def ack_frame(item: Item, *, room_slug: str, ref: str | None) -> str:
    return protocol.reply(
        "ack",
        ref,
        room=room_slug,
        client_id=item.client_id,
        seq=item.seq,
        id=item.pk,
        ts=protocol.format_ts(item.created_at),
    )
