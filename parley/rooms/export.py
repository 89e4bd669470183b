"""A room's history as one JSON document, streamed (the settings page's export, `export_room`).

The document:

    {"format": "parley.room-export", "version": 1,
     "room": {slug, name, kind, topic, staff_only, created_at, owner, last_seq},
     "exported_at", "exported_by",
     "items": [...], "members": [...]}

`items` is the timeline as it is now, oldest first: messages as their rows now say (edits and
deletions applied: an edited message carries its new body and `edited_at`, a deleted one
`deleted: true` with no text and no attachment; reactions; `thread` for a reply) and membership
events (join, leave, and any other event kind the timeline holds). The change items themselves
(`edit`, `delete`, `reaction`) are left out: each message row already holds what they did
(docs/architecture.md, "Conversations: every change is an item"); listing them too would say
everything twice and make a reader replay what the server has already applied.

Memory stays flat for a room of any size: items are read in keyset batches (`seq > last`,
ORDER BY seq, LIMIT EXPORT_BATCH, author, bot row and attachment joined in, so one query per
batch), each item is encoded on its own with orjson, and each batch is handed on as one bytes
chunk. The export covers the timeline up to the room's `last_seq` when it starts (`room.last_seq`
in the document); a message changed while the export runs shows what its row held when its
batch was read.

Who may export (`check_can_export`): the room's owner and staff, of public and private rooms,
the same people who see its settings page. Direct conversations are not exported in this step
(each participant would have an equal claim, and staff may not read them). `room_export` checks
before it returns the generator, so a refusal comes before the first byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone

from parley.core.errors import Forbidden
from parley.core.types import AuthUser
from parley.rooms.models import Item, Membership, Room
from parley.rooms.selectors import access_room
from parley.wire.frames import format_ts

# Items read (and handed on as one chunk) at a time.
EXPORT_BATCH = 1000
FORMAT = "parley.room-export"
VERSION = 1

# Applied to the messages they change, so not listed themselves (see the module's docstring).
_CHANGE_KINDS = (Item.Kind.EDIT, Item.Kind.DELETE, Item.Kind.REACTION)


def can_export(*, user: AuthUser, room: Room) -> bool:
    """The room's owner and staff export a public or private room; nobody a direct one."""
    if room.is_direct:
        return False
    return bool(user.is_staff or (room.owner_id is not None and room.owner_id == user.pk))


def check_can_export(*, user: AuthUser, room: Room) -> None:
    if room.is_direct:
        raise Forbidden("Direct conversations cannot be exported.")
    if not can_export(user=user, room=room):
        raise Forbidden("Only the room's owner can export its history.")


def room_export_access(*, user: AuthUser, slug: object) -> Room:
    """The room `slug` for `user` to export: RoomNotFound for a room they may not see (as every
    look-up), then Forbidden unless they may export it."""
    room = access_room(user=user, slug=slug)
    check_can_export(user=user, room=room)
    return room


def export_file_name(room: Room, *, at: datetime) -> str:
    """`<slug>-<YYYY-MM-DD>.json` (the UTC date): a slug needs no quoting in a header."""
    return f"{room.slug}-{at.astimezone(UTC).date().isoformat()}.json"


def room_export(
    *,
    room: Room,
    by: AuthUser | None,
    site_url: str = "",
    batch_size: int | None = None,
    now: datetime | None = None,
) -> Iterator[bytes]:
    """The export of `room` as chunks of UTF-8 JSON that together make one document.

    `by` is who asks (Forbidden unless `check_can_export` lets them, raised here, before the
    generator exists) or None for an operator (`manage.py export_room`: no check).
    `site_url` ("https://chat.example.com", no trailing slash) makes attachment URLs absolute;
    "" leaves them relative to the site. Reads the database as the chunks are taken: about one
    query per `batch_size` items (EXPORT_BATCH by default).
    """
    if by is not None:
        check_can_export(user=by, room=room)
    batch_size = EXPORT_BATCH if batch_size is None else batch_size
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return _document(
        room=room,
        by=by,
        site_url=site_url.rstrip("/"),
        batch_size=batch_size,
        now=now or timezone.now(),
    )


def _document(
    *, room: Room, by: AuthUser | None, site_url: str, batch_size: int, now: datetime
) -> Iterator[bytes]:
    # Read afresh: the room's name, topic, owner and last seq as they are when the export starts.
    room = Room.objects.select_related("owner").get(pk=room.pk)
    upto = room.last_seq
    head = orjson.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "room": _room_value(room),
            "exported_at": format_ts(now),
            "exported_by": by.get_username() if by is not None else None,
        }
    )
    # The head without its closing brace, then the items array, then the members.
    yield head[:-1] + b',"items":['
    first = True
    for batch in _item_batches(room_id=room.pk, upto=upto, batch_size=batch_size):
        encoded = b",".join(orjson.dumps(_item_value(item, site_url=site_url)) for item in batch)
        yield encoded if first else b"," + encoded
        first = False
    yield b'],"members":' + orjson.dumps(_members(room)) + b"}\n"


def _item_batches(*, room_id: int, upto: int, batch_size: int) -> Iterator[list[Item]]:
    """The room's items up to seq `upto` but the change kinds, `batch_size` at a time, by seq:
    each batch one query (keyset: seq > the last one read, on the (room, seq) index)."""
    items = (
        Item.objects.filter(room_id=room_id, seq__lte=upto)
        .exclude(kind__in=_CHANGE_KINDS)
        .select_related("user__bot", "attachment")
        .order_by("seq")
    )
    last = 0
    while last < upto:
        batch = list(items.filter(seq__gt=last)[:batch_size])
        if not batch:
            return
        yield batch
        if len(batch) < batch_size:
            return
        last = batch[-1].seq


def _room_value(room: Room) -> dict[str, Any]:
    return {
        "slug": room.slug,
        "name": room.name,
        "kind": room.visibility,
        "topic": room.topic,
        "staff_only": room.staff_only,
        "created_at": format_ts(room.created_at),
        "owner": room.owner.get_username() if room.owner is not None else None,
        "last_seq": room.last_seq,
    }


def _author(item: Item) -> dict[str, Any] | None:
    """Who wrote a message or whom an event is about: None once their account is deleted.
    `display_name` is the name the message shows (an incoming webhook's), else the account's
    full name, else None."""
    user = item.user
    if user is None:
        return None
    try:
        bot = user.bot is not None
    except ObjectDoesNotExist:
        bot = False
    return {
        "username": user.get_username(),
        "display_name": item.display_name or user.get_full_name() or None,
        "bot": bot,
    }


def _attachment(item: Item, *, site_url: str) -> dict[str, Any] | None:
    if not item.has_attachment or item.deleted:
        return None  # a deletion erases the file too
    try:
        attachment = item.attachment
    except ObjectDoesNotExist:
        return None
    return {
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "url": site_url + reverse("attachment", args=[attachment.pk, attachment.name]),
    }


def _item_value(item: Item, *, site_url: str) -> dict[str, Any]:
    value: dict[str, Any] = {
        "seq": item.seq,
        "kind": item.kind,
        "ts": format_ts(item.created_at),
    }
    if item.kind != Item.Kind.MESSAGE:
        value["user"] = _author(item)
        if item.body:
            value["body"] = item.body  # an event kind that says something (none does yet)
        return value
    value.update(
        author=_author(item),
        body=item.body,
        html=item.html,
        thread=item.thread_seq,
        mentions=list(item.mentions or ()),
        edited_at=format_ts(item.edited_at) if item.edited_at else None,
        deleted=item.deleted,
        reactions=[{"emoji": r["emoji"], "users": list(r["users"])} for r in item.reactions or ()],
        replies=item.reply_count,
        last_reply_at=format_ts(item.last_reply_at) if item.last_reply_at else None,
        attachment=_attachment(item, site_url=site_url),
    )
    return value


def _members(room: Room) -> list[dict[str, Any]]:
    """The room's members now, by username: `role` owner, moderator or member."""
    rows = (
        Membership.objects.filter(room=room)
        .order_by("user__username")
        .values_list("user_id", "user__username", "role", "joined_at")
    )
    return [
        {
            "username": username,
            "role": "owner" if user_id == room.owner_id else role,
            "joined_at": format_ts(joined_at),
        }
        for user_id, username, role, joined_at in rows
    ]
