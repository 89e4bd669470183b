"""Timelines over the API: reading items, sending, editing, deleting, reacting, uploading.

Writes go through the socket's services, once per client id: the `Idempotency-Key` header is the
write's `client_id` (at most 64 characters), so a request retried with the same key is stored
once and answered with the item first stored (200 instead of 201 for a message), whatever its
body says this time. Without the header the server makes a client id (a UUID) and every request
is a new write. Keys share one space per user and room with the socket's client ids.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Header, Router, Status
from ninja.files import UploadedFile

from parley.api.schemas import (
    REFUSALS,
    EditIn,
    ErrorDocument,
    ItemDocument,
    ItemsPage,
    MessageIn,
    ReactionIn,
)
from parley.api.session import request_user
from parley.core.errors import InvalidInput
from parley.rooms import selectors, services
from parley.rooms.values import item_value
from parley.wire import frames
from parley.wire.commands import DEFAULT_HISTORY_LIMIT

router = Router(tags=["messages"])

IDEMPOTENCY_KEY = Header(  # type: ignore[type-arg]
    None,
    alias="Idempotency-Key",
    description="The write's client_id (1 to 64 characters): a retry with it is stored once.",
)


# OpenAPI links (what an answer's values lead to): clients and schemathesis' stateful tests
# follow them, e.g. from a sent message to editing, reacting to and deleting it.
_SLUG = "$request.path.slug"
MESSAGE_LINKS = {
    "EditMessage": {
        "operationId": "message_edit",
        "parameters": {"slug": _SLUG, "seq": "$response.body#/item/seq"},
    },
    "DeleteMessage": {
        "operationId": "message_delete",
        "parameters": {"slug": _SLUG, "seq": "$response.body#/item/seq"},
    },
    "AddReaction": {
        "operationId": "reaction_add",
        "parameters": {"slug": _SLUG, "seq": "$response.body#/item/seq"},
    },
    "ReadThread": {
        "operationId": "room_items",
        "parameters": {"slug": _SLUG, "thread": "$response.body#/item/seq"},
    },
}
REACTION_LINKS = {
    "RemoveReaction": {
        "operationId": "reaction_remove",
        "parameters": {
            "slug": _SLUG,
            "seq": "$response.body#/item/target",
            "emoji": "$response.body#/item/emoji",
        },
    },
}


def _client_id(key: str | None) -> str:
    """The write's client_id: the caller's key, or a fresh one (every such request is new)."""
    return uuid.uuid4().hex if key is None else key


def _answer(result: services.PostResult) -> dict[str, Any]:
    return frames.item_document(item_value(result.item, room_slug=result.item.room.slug))


@router.get(
    "/rooms/{slug}/items",
    response={200: ItemsPage, REFUSALS: ErrorDocument},
    summary="Read a room's items",
    operation_id="room_items",
)
def room_items(
    request: HttpRequest,
    slug: str,
    after: int | None = None,
    before: int | None = None,
    around: int | None = None,
    thread: int | None = None,
    limit: int = DEFAULT_HISTORY_LIMIT,
) -> dict[str, Any]:
    """A page of the room's timeline, oldest first, each message as it is now: the newest
    `limit` (1..200, default 50); those `before` a seq; those `after` a seq (catching up: the
    first `limit` after it); `around` a seq (half before, with `has_newer`); or a `thread`
    (its root first, then its replies, `before` paging back). `has_more`: more exist beyond
    the page (older ones; newer ones for `after`). Counts as a read like `history`."""
    user = request_user(request)
    if after is None:
        room, page = services.room_history_read(
            user=user, slug=slug, before=before, limit=limit, thread=thread, around=around
        )
        return frames.items_document(
            (item_value(item, room_slug=room.slug) for item in page.items),
            has_more=page.has_more,
            has_newer=page.has_newer,
            thread=page.thread,
        )
    room = services.room_read_access(user=user, slug=slug, after=after)
    if before is not None or around is not None or thread is not None:
        raise InvalidInput("`after` goes with `limit` only.")
    selectors.check_history_limit(limit)
    backlog = selectors.room_backlog(room.pk, after=after, limit=limit)
    return frames.items_document(
        (item_value(item, room_slug=room.slug) for item in backlog.items),
        has_more=backlog.truncated,
    )


@router.post(
    "/rooms/{slug}/messages",
    response={201: ItemDocument, 200: ItemDocument, REFUSALS: ErrorDocument},
    summary="Send a message",
    operation_id="message_send",
    openapi_extra={"responses": {201: {"links": MESSAGE_LINKS}, 200: {"links": MESSAGE_LINKS}}},
)
def message_send(
    request: HttpRequest,
    slug: str,
    payload: MessageIn,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Status[dict[str, Any]]:
    """Post a message (or, with `thread`, a reply): 201 with its `message` item. The same
    `Idempotency-Key` again: 200 with the item first stored, nothing new."""
    result = services.message_post(
        user=request_user(request),
        room_slug=slug,
        body=payload.body,
        client_id=_client_id(idempotency_key),
        thread=payload.thread,
    )
    return Status(201 if result.created else 200, _answer(result))


@router.patch(
    "/rooms/{slug}/messages/{seq}",
    response={200: ItemDocument, REFUSALS: ErrorDocument},
    summary="Edit a message",
    operation_id="message_edit",
)
def message_edit(
    request: HttpRequest,
    slug: str,
    seq: int,
    payload: EditIn,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> dict[str, Any]:
    """Replace the body of this user's message at `seq`: the `edit` item."""
    result = services.message_edit(
        user=request_user(request),
        room_slug=slug,
        target=seq,
        body=payload.body,
        client_id=_client_id(idempotency_key),
    )
    return _answer(result)


@router.delete(
    "/rooms/{slug}/messages/{seq}",
    response={200: ItemDocument, REFUSALS: ErrorDocument},
    summary="Delete a message",
    operation_id="message_delete",
)
def message_delete(
    request: HttpRequest, slug: str, seq: int, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> dict[str, Any]:
    """Delete the message at `seq` (its author, the room's owner or moderators, staff): the
    `delete` item."""
    result = services.message_delete(
        user=request_user(request),
        room_slug=slug,
        target=seq,
        client_id=_client_id(idempotency_key),
    )
    return _answer(result)


@router.post(
    "/rooms/{slug}/messages/{seq}/reactions",
    response={200: ItemDocument, REFUSALS: ErrorDocument},
    summary="Add a reaction",
    operation_id="reaction_add",
    openapi_extra={"responses": {200: {"links": REACTION_LINKS}}},
)
def reaction_add(
    request: HttpRequest,
    slug: str,
    seq: int,
    payload: ReactionIn,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> dict[str, Any]:
    """Add this user's `emoji` (exactly one emoji) to the message at `seq`: the `reaction`
    item (`op` add)."""
    result = services.reaction_set(
        user=request_user(request),
        room_slug=slug,
        target=seq,
        emoji=payload.emoji,
        op="add",
        client_id=_client_id(idempotency_key),
    )
    return _answer(result)


@router.delete(
    "/rooms/{slug}/messages/{seq}/reactions/{emoji}",
    response={200: ItemDocument, REFUSALS: ErrorDocument},
    summary="Remove a reaction",
    operation_id="reaction_remove",
)
def reaction_remove(
    request: HttpRequest,
    slug: str,
    seq: int,
    emoji: str,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> dict[str, Any]:
    """Remove this user's `emoji` (URL-encoded in the path) from the message at `seq`: the
    `reaction` item (`op` remove)."""
    result = services.reaction_set(
        user=request_user(request),
        room_slug=slug,
        target=seq,
        emoji=emoji,
        op="remove",
        client_id=_client_id(idempotency_key),
    )
    return _answer(result)


@router.post(
    "/rooms/{slug}/files",
    response={201: ItemDocument, REFUSALS: ErrorDocument},
    url_name="room_files",
    summary="Upload a file",
    operation_id="file_upload",
)
def file_upload(
    request: HttpRequest,
    slug: str,
    file: UploadedFile = File(...),  # type: ignore[type-arg]  # noqa: B008
    body: str = Form(""),  # type: ignore[type-arg]
) -> Status[dict[str, Any]]:
    """Post a file (multipart/form-data field `file`, at most MAX_UPLOAD_BYTES) with an
    optional `body`: 201 with the `message` item carrying its `attachment`."""
    result = services.attachment_post(
        user=request_user(request), room_slug=slug, upload=file, body=body
    )
    return Status(201, _answer(result))
