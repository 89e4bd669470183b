"""Posting messages and replies."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F

from parley.core.errors import InvalidInput
from parley.core.text import body_length, is_blank
from parley.core.types import AuthUser
from parley.rooms.markdown import render_body
from parley.rooms.models import Item, Room
from parley.rooms.services.permissions import check_can_post
from parley.rooms.services.reads import read_pointer_to_own_message
from parley.rooms.services.sequence import (
    item_append,
    message_append_with_read_pointer,
    next_seq,
)
from parley.rooms.services.targets import mention_rows_write, mentions_in, thread_root_at
from parley.rooms.services.writes import PostResult, item_write_once


def check_message_body(body: str) -> None:
    limit = settings.PARLEY["MAX_BODY_CHARS"]
    if is_blank(body):
        # Bodies of only white space or invisible characters (zero-width spaces and joiners)
        # are refused like empty ones: they would show as blank lines.
        raise InvalidInput("A message cannot be empty.")
    if body_length(body) > limit:
        raise InvalidInput(f"A message has at most {limit} characters.")
    if "\x00" in body:
        raise InvalidInput("A message cannot contain NUL characters.")


def _append(
    *,
    room: Room,
    user: AuthUser,
    body: str,
    client_id: str,
    thread: int | None,
    display_name: str = "",
) -> Item:
    mentions, mentioned_ids = mentions_in(room=room, body=body)
    html = render_body(body, mentions=mentions)
    # The plain statement stores a plain message; anything more goes through the ORM.
    if thread is None and not mentions and not display_name:
        return message_append_with_read_pointer(
            room=room, user=user, body=body, html=html, client_id=client_id
        )
    with transaction.atomic():
        # The seq first: its write lock keeps the root as read here until this commits.
        seq = next_seq(room.pk)
        root = thread_root_at(room=room, seq=thread) if thread is not None else None
        item = item_append(
            room=room,
            kind=Item.Kind.MESSAGE,
            user=user,
            body=body,
            client_id=client_id,
            seq=seq,
            html=html,
            thread_seq=thread,
            mentions=mentions or None,
            display_name=display_name,
        )
        if root is not None:
            Item.objects.filter(pk=root.pk).update(
                reply_count=F("reply_count") + 1,
                last_reply_at=item.created_at,
                state_seq=item.seq,
            )
        mention_rows_write(item=item, room=room, user_ids=mentioned_ids, mentions=mentions)
        read_pointer_to_own_message(user=user, room=room, seq=item.seq)
    return item


def message_post(
    *,
    user: AuthUser,
    room_slug: str,
    body: str,
    client_id: str,
    thread: int | None = None,
    socket_id: str | None = None,
    display_name: str = "",
) -> PostResult:
    """Post `body` to a room as `user`, once per `client_id` (services/writes.py), as a reply in
    the thread of the root message at seq `thread` when one is given.

    The user must see the room (RoomNotFound), be a member (NotAMember) and may post there
    (Forbidden in an archived room, and in a read-only one but for its owner, moderators and
    staff: `check_can_post`); the body must be
    1..MAX_BODY_CHARS characters without NUL, and `thread` must name a message of this room that
    is not deleted and not a reply (InvalidInput). The item is stored with the room's next seq,
    its `html` and `mentions`, the thread root's reply count and its author's read pointer in
    the same transaction. `display_name` (an incoming webhook's: services/webhooks.py) is the
    name the message shows for its author instead of their username ("" = their own).
    Emits, after commit: the `message` item to the room's subscribers; `read` to the author's
    sockets but the one `socket_id` (an opaque id: the sender's socket, which has its ack).
    """

    def write(room: Room) -> Item:
        check_message_body(body)
        return _append(
            room=room,
            user=user,
            body=body,
            client_id=client_id,
            thread=thread,
            display_name=display_name,
        )

    return item_write_once(
        user=user,
        room_slug=room_slug,
        client_id=client_id,
        socket_id=socket_id,
        check=lambda access: check_can_post(access, user=user),
        write=write,
    )
