"""Rooms over the API: the list, members, joining and leaving, the read pointer, direct rooms,
and the owner's and moderators' changes (read-only, name, owner, archive, removals).

Each endpoint is one call to a service or selector (parley/rooms) and one document of
parley/wire/frames.py: the same rules, limits and answers as the socket's `join`, `leave`,
`read` and `dm` frames.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router

from parley.api.schemas import (
    REFUSALS,
    DirectDocument,
    DirectIn,
    ErrorDocument,
    MemberList,
    MembershipDocument,
    ReadDocument,
    ReadIn,
    RoomList,
    Strict,
)
from parley.api.session import request_user
from parley.rooms import selectors, services
from parley.rooms.models import Item, Room
from parley.rooms.services.memberships import MembershipChange
from parley.rooms.values import item_value
from parley.wire import frames

router = Router(tags=["rooms"])


@router.get(
    "/rooms",
    response={200: RoomList, REFUSALS: ErrorDocument},
    summary="List rooms",
    operation_id="room_list",
)
def room_list(request: HttpRequest) -> dict[str, Any]:
    """The rooms this user can see, by name: public ones, private ones they belong to (all of
    them for staff) and their direct rooms (named after the other participants), each with
    whether they are a member, the room's last seq and their unread messages."""
    user = request_user(request)
    rooms = list(selectors.room_list_for_user(user))
    titles = selectors.direct_room_titles(
        user=user, room_ids=[room.pk for room in rooms if room.is_direct]
    )
    return frames.rooms_document(
        frames.room_summary(
            slug=room.slug,
            name=titles.get(room.pk, room.name),
            kind=room.visibility,
            member=bool(room.is_member),  # type: ignore[attr-defined]  # annotated
            last_seq=room.last_seq,
            unread=int(room.unread),  # type: ignore[attr-defined]  # annotated
        )
        for room in rooms
    )


def _role(room: Room, user_id: int, username: str, moderators: set[str]) -> str:
    if room.owner_id is not None and room.owner_id == user_id:
        return "owner"
    return "moderator" if username in moderators else "member"


@router.get(
    "/rooms/{slug}/members",
    response={200: MemberList, REFUSALS: ErrorDocument},
    summary="List a room's members",
    operation_id="room_members",
)
def room_members(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The members of a room this user can see, by username, each with their role. Counts as a
    read (like `subscribe`, which lists them too)."""
    room = services.room_read_access(user=request_user(request), slug=slug)
    moderators = selectors.room_moderators(room.pk)
    rows = selectors.room_member_rows(room.pk)
    return frames.members_document(
        room=room.slug,
        members=((name, _role(room, pk, name, moderators)) for pk, name in rows),
    )


def _membership(change: MembershipChange, *, member: bool) -> dict[str, Any]:
    event = change.event
    return frames.membership_document(
        room=change.room.slug,
        member=member,
        event=item_value(event, room_slug=change.room.slug) if event is not None else None,
    )


@router.post(
    "/rooms/{slug}/join",
    response={200: MembershipDocument, REFUSALS: ErrorDocument},
    summary="Join a room",
    operation_id="room_join",
)
def room_join(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Join a public room (or, staff, a private one): the `join` event written, or `item` null
    for a member already. The socket's `join` rules and limit."""
    change = services.room_join_by_slug(user=request_user(request), slug=slug)
    return _membership(change, member=True)


@router.post(
    "/rooms/{slug}/leave",
    response={200: MembershipDocument, REFUSALS: ErrorDocument},
    summary="Leave a room",
    operation_id="room_leave",
)
def room_leave(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Leave a room: the `leave` event written, or `item` null for a non-member. The room's
    owner cannot leave it (403), nor anyone a direct room (403)."""
    change = services.room_leave_by_slug(user=request_user(request), slug=slug)
    return _membership(change, member=False)


@router.put(
    "/rooms/{slug}/read",
    response={200: ReadDocument, REFUSALS: ErrorDocument},
    summary="Move the read pointer",
    operation_id="read_pointer",
)
def read_pointer(request: HttpRequest, slug: str, payload: ReadIn) -> dict[str, Any]:
    """This user has read the room up to `seq`: the pointer after the move (it never goes
    back, nor past the room's last seq). Reaches the user's sockets as `read`. Members only."""
    pointer = services.read_pointer_move_by_slug(
        user=request_user(request), slug=slug, seq=payload.seq
    )
    return frames.read_document(room=pointer.room.slug, seq=pointer.seq)


@router.post(
    "/dm",
    response={200: DirectDocument, REFUSALS: ErrorDocument},
    summary="Open a DM",
    operation_id="direct_room",
)
def direct_room(request: HttpRequest, payload: DirectIn) -> dict[str, Any]:
    """The direct room of this user and the people `users` names (1 to 8 others), made on
    first use: the same people always get the same room."""
    direct = services.direct_room_open(user=request_user(request), usernames=payload.users)
    return frames.dm_document(room=direct.room.slug, users=direct.usernames)


class RoomChangeIn(Strict):
    """What to change of a room; each field left out stays as it is."""

    name: str | None = Field(None, description="A new name (the owner or staff); the slug stays.")
    read_only: bool | None = Field(None, description="Only the owner, moderators and staff post.")
    owner: str | None = Field(None, description="The username of the member who gets the room.")
    archived: bool | None = Field(None, description="Archived: read-only for everyone.")


class RoomChangeDocument(Strict):
    room: str
    items: list[dict[str, Any]] = Field(description="The `event` items written, in order.")


# The items this request writes (anything else committed meanwhile is left out).
ROOM_CHANGE_KINDS = frozenset(
    {Item.Kind.ARCHIVE, Item.Kind.OWNER, Item.Kind.RENAME, Item.Kind.READ_ONLY}
)


@router.patch(
    "/rooms/{slug}",
    response={200: RoomChangeDocument, REFUSALS: ErrorDocument},
    summary="Change a room",
    operation_id="room_change",
)
def room_change(request: HttpRequest, slug: str, payload: RoomChangeIn) -> dict[str, Any]:
    """Make the room read-only or not (the owner, moderators, staff), rename it, give it to
    another member, archive it or bring it back (the owner, staff): all or nothing, each change
    an `event` item of the timeline (docs/protocol.md, "Room roles: events"), returned in the
    order written. Bringing a room back comes first and archiving it last, so one request can
    unarchive and rename."""
    user = request_user(request)
    room = selectors.access_room(user=user, slug=slug)
    before = room.last_seq
    with transaction.atomic():
        if payload.archived is False:
            services.room_archive(actor=user, room=room, archived=False)
        if payload.owner is not None:
            services.room_owner_transfer(actor=user, room=room, username=payload.owner)
        if payload.name is not None:
            services.room_rename(actor=user, room=room, name=payload.name)
        if payload.read_only is not None:
            services.room_read_only_set(actor=user, room=room, on=payload.read_only)
        if payload.archived:
            services.room_archive(actor=user, room=room, archived=True)
    written = selectors.room_items_between(room.pk, after=before, upto=room.last_seq)
    events = [item for item in written if item.kind in ROOM_CHANGE_KINDS]
    return {
        "room": room.slug,
        "items": [frames.item(item_value(item, room_slug=room.slug)) for item in events],
    }


@router.delete(
    "/rooms/{slug}/members/{username}",
    response={200: MembershipDocument, REFUSALS: ErrorDocument},
    summary="Remove a member",
    operation_id="member_remove",
)
def member_remove(request: HttpRequest, slug: str, username: str) -> dict[str, Any]:
    """Remove `username` from the room: the owner and staff remove anyone but the owner, a
    moderator plain members only (403 otherwise). The `leave` event written carries `by`."""
    user = request_user(request)
    room = selectors.access_room(user=user, slug=slug)
    change = services.membership_remove(actor=user, room=room, username=username)
    return _membership(change, member=False)
