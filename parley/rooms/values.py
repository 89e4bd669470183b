"""Rows of the rooms app as the wire's typed values (parley.wire.values)."""

from __future__ import annotations

from django.urls import reverse

from parley.rooms.models import Attachment, Item
from parley.wire.values import AttachmentValue, ItemValue


def attachment_value(attachment: Attachment) -> AttachmentValue:
    return AttachmentValue(
        name=attachment.name,
        size=attachment.size,
        content_type=attachment.content_type,
        url=reverse("attachment", args=[attachment.pk, attachment.name]),
    )


def _author_username(item: Item) -> str | None:
    if item.user_id is None:
        return None
    assert item.user is not None  # deleting a user sets their items' user_id to NULL
    return item.user.username


def item_value(item: Item, *, room_slug: str) -> ItemValue:
    """The item as every client sees it (the author of a deleted account has no username)."""
    is_message = item.kind == Item.Kind.MESSAGE
    attached = is_message and item.has_attachment
    return ItemValue(
        room=room_slug,
        seq=item.seq,
        id=item.pk,
        kind=item.kind,
        username=_author_username(item),
        created_at=item.created_at,
        body=item.body if is_message else "",
        client_id=item.client_id if is_message else None,
        attachment=attachment_value(item.attachment) if attached else None,
    )
