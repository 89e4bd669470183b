"""Rows of the rooms app as the wire's typed values (parley.wire.values)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from parley.accounts.avatars import avatar_url
from parley.accounts.models import Profile
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


def author_profile(user: AuthUser | None) -> Profile | None:
    """The author's profile: from the relation when the item's query selected it
    (`select_related("user__profile")`: selectors._items), else read afresh, never remembered on
    the user object (a socket's user lives for hours; a name changed since must show)."""
    if user is None:
        return None
    relation = Profile._meta.get_field("user").remote_field
    if relation.is_cached(user):
        cached = relation.get_cached_value(user)
        return cached if isinstance(cached, Profile) else None
    return Profile.objects.filter(user_id=user.pk).first()


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
        profile = author_profile(item.user)
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
            # A webhook's name wins over its bot user's profile.
            display_name=item.display_name or (profile.display_name if profile else ""),
            avatar=avatar_url(profile),
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
    return ItemValue(**shared, **_event_fields(item))


def _event_fields(item: Item) -> dict[str, Any]:
    """An event's `by` and particulars (Item.detail), as ItemValue names them."""
    fields: dict[str, Any] = {}
    if item.actor_id is not None and item.actor_id != item.user_id:
        assert item.actor is not None
        fields["by"] = item.actor.username
    detail = item.detail or {}
    kind = item.kind
    if kind == Item.Kind.RENAME:
        fields["name"], fields["previous"] = str(detail.get("to", "")), detail.get("from")
    elif kind == Item.Kind.OWNER:
        fields["previous"] = detail.get("previous")
    elif kind == Item.Kind.READ_ONLY:
        fields["on"] = bool(detail.get("on"))
    elif kind == Item.Kind.ARCHIVE:
        fields["on"] = bool(detail.get("archived"))
    elif kind == Item.Kind.ROLE:
        fields["role"] = str(detail.get("role", ""))
    return fields
