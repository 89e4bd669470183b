"""Rows of the rooms app as the wire's typed values (parley.wire.values)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from parley.core.types import AuthUser
from parley.rooms.models import Attachment, Item
from parley.wire.values import AttachmentValue, ItemValue, ReactionValue


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


def is_bot(user: AuthUser) -> bool:
    """Whether `user` is a bot user (has a `Bot` row). Read from the relation the item's query
    selected (`select_related("user__bot")`: selectors._items) or the send's room access look-up
    noted (selectors.lookup_room_access); otherwise asked once and remembered on this user
    object."""
    try:
        user.bot  # noqa: B018 (the relation's read is the question)
    except ObjectDoesNotExist:
        return False
    return True


def item_value(item: Item, *, room_slug: str) -> ItemValue:
    """The item as every client sees it (the author of a deleted account has no username); a
    message as its row now says (edited, deleted, reactions, replies)."""
    kind = item.kind
    shared: dict[str, Any] = {
        "room": room_slug,
        "seq": item.seq,
        "id": item.pk,
        "kind": kind,
        "username": _author_username(item),
        "created_at": item.created_at,
        "bot": item.user is not None and is_bot(item.user),
    }
    if kind == Item.Kind.MESSAGE:
        attached = item.has_attachment and not item.deleted
        return ItemValue(
            **shared,
            body=item.body,
            client_id=item.client_id,
            attachment=attachment_value(item.attachment) if attached else None,
            html=item.html,
            thread=item.thread_seq,
            mentions=tuple(item.mentions or ()),
            edited_at=item.edited_at,
            deleted=item.deleted,
            reactions=tuple(
                ReactionValue(emoji=r["emoji"], users=tuple(r["users"]))
                for r in item.reactions or ()
            ),
            replies=item.reply_count,
            last_reply_at=item.last_reply_at,
            state_seq=item.state_seq,
            display_name=item.display_name,
        )
    if kind in (Item.Kind.EDIT, Item.Kind.DELETE, Item.Kind.REACTION):
        return ItemValue(
            **shared,
            body=item.body,
            client_id=item.client_id,
            html=item.html,
            mentions=tuple(item.mentions or ()),
            target=item.target_seq,
            emoji=item.emoji,
            op=item.op,
        )
    return ItemValue(**shared)
