"""Posting messages."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError

from parley.core import changes, ratelimit
from parley.core.errors import InvalidInput
from parley.core.text import body_length, is_blank
from parley.core.types import AuthUser
from parley.rooms.changes import item_added
from parley.rooms.models import Item, Room
from parley.rooms.selectors import check_room_member, lookup_room_access
from parley.rooms.services.sequence import message_append_with_read_pointer

CLIENT_ID_MAX = 64


@dataclass(frozen=True)
class PostResult:
    item: Item
    created: bool


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


def is_valid_client_id(client_id: str) -> bool:
    # NUL is refused like in a body: PostgreSQL text cannot hold it, not even in a lookup.
    return 0 < len(client_id) <= CLIENT_ID_MAX and "\x00" not in client_id


def check_client_id(client_id: str) -> None:
    if not is_valid_client_id(client_id):
        raise InvalidInput(f"`client_id` is 1 to {CLIENT_ID_MAX} characters, without NUL.")


def _existing(
    *, user: AuthUser, room: Room, client_id: str, item_id: int | None = None
) -> Item | None:
    """The item `user` stored with `client_id` in `room` (at most one: item_unique_client_id),
    looked up by its id when `lookup_room_access` found it already; its room and author are
    these."""
    if item_id is not None:
        lookup: dict[str, object] = {"pk": item_id}
    else:
        lookup = {"room": room, "user": user, "client_id": client_id}
    try:
        item = Item.objects.get(**lookup)
    except Item.DoesNotExist:
        return None
    item.room, item.user = room, user
    return item


def message_post(
    *, user: AuthUser, room_slug: str, body: str, client_id: str, socket_id: str | None = None
) -> PostResult:
    """Post `body` to a room as `user`, once per `client_id`.

    A `client_id` this user already used in this room returns the stored item unchanged
    (created=False), whatever changed since, as long as the user may still see the room (one
    who may not is told RoomNotFound, like for a room that does not exist); it is checked
    first and counts against no limit.
    Otherwise the post counts against the user's send limit (RateLimited, whatever else is wrong
    with it), the user must see the room (RoomNotFound) and be a member (NotAMember), and the
    body must be 1..MAX_BODY_CHARS characters and the client_id 1..CLIENT_ID_MAX, both without
    NUL (InvalidInput). The item is stored with the room's next seq, and the author's read
    pointer moves to it in the same transaction.
    Emits, after commit: the `message` item to the room's subscribers; `read` to the author's
    sockets but the one `socket_id` (an opaque id: the sender's socket, which has its ack).
    """
    # One query answers the room, the user's access to it and an earlier copy of this post.
    # Only a client_id that could have been stored is looked up (a NUL fails on PostgreSQL).
    lookup = client_id if is_valid_client_id(client_id) else None
    access = lookup_room_access(user=user, slug=room_slug, client_id=lookup)
    if access is not None and access.visible and access.existing_id is not None:
        existing = _existing(
            user=user, room=access.room, client_id=client_id, item_id=access.existing_id
        )
        if existing is not None:
            return PostResult(item=existing, created=False)
    ratelimit.check(ratelimit.Action.SEND, user=user)
    room = check_room_member(access)
    check_message_body(body)
    check_client_id(client_id)
    try:
        item = message_append_with_read_pointer(
            room=room, user=user, body=body, client_id=client_id
        )
    except IntegrityError:
        # The same client_id won a race on another connection or process: answer with its row.
        existing = _existing(user=user, room=room, client_id=client_id)
        if existing is None:
            raise
        return PostResult(item=existing, created=False)
    # Committed (or, inside a caller's transaction, published when that one commits).
    changes.emit_on_commit(item_added(item, room=room, socket_id=socket_id))
    return PostResult(item=item, created=True)
