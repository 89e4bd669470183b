"""Reads that enforce visibility. Every adapter looks rooms up through here.

A room the user may not see is reported exactly like a room that does not exist.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from parley.core.errors import InvalidInput, NotAMember, RoomNotFound
from parley.core.text import is_valid_slug
from parley.rooms.models import Attachment, Item, Membership, Room

HISTORY_MAX_LIMIT = 200


def room_visible_q(user) -> Q:
    """Rooms `user` may see: public ones, private ones they belong to; staff see everything."""
    if user.is_staff:
        return Q()
    member = Exists(Membership.objects.filter(room=OuterRef("pk"), user=user))
    return Q(staff_only=False) & (Q(visibility=Room.Visibility.PUBLIC) | member)


def unread_count_q(user) -> Subquery:
    """Messages after `user`'s read pointer in the outer room (0 where not a member)."""
    pointer = Membership.objects.filter(room=OuterRef(OuterRef("pk")), user=user).values(
        "last_read_seq"
    )[:1]
    unread = (
        Item.objects.filter(room=OuterRef("pk"), kind=Item.Kind.MESSAGE)
        .filter(seq__gt=Subquery(pointer))
        .order_by()
        .values("room")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def room_list_for_user(user) -> QuerySet[Room]:
    """The rooms shown on the home page and the sidebar, each with `is_member`,
    `member_count` and `unread` (messages after the user's read pointer; 0 for non-members)."""
    return (
        Room.objects.filter(room_visible_q(user))
        .annotate(
            is_member=Exists(Membership.objects.filter(room=OuterRef("pk"), user=user)),
            member_count=Count("memberships", distinct=True),
            unread=unread_count_q(user),
        )
        .order_by("name")
    )


def unread_count(*, user, room_id: int, upto: int | None = None) -> tuple[int, int]:
    """(last_read, unread) of `user` in a room: their pointer and the messages after it
    (up to seq `upto` when given: what a `subscribed` frame with that `last_seq` covers)."""
    last_read = (
        Membership.objects.filter(room_id=room_id, user=user)
        .values_list("last_read_seq", flat=True)
        .first()
    ) or 0
    unread = Item.objects.filter(room_id=room_id, kind=Item.Kind.MESSAGE, seq__gt=last_read)
    if upto is not None:
        unread = unread.filter(seq__lte=upto)
    return last_read, unread.count()


def access_room(*, user, slug: object) -> Room:
    """The room `slug` if `user` may see it; otherwise RoomNotFound, whatever the reason."""
    if not is_valid_slug(slug):
        raise RoomNotFound()
    try:
        return Room.objects.filter(room_visible_q(user)).get(slug=slug)
    except Room.DoesNotExist:
        raise RoomNotFound() from None


def is_member(*, user, room: Room) -> bool:
    return Membership.objects.filter(room=room, user=user).exists()


def access_room_as_member(*, user, slug: object) -> Room:
    """The room `slug` for a member of it: RoomNotFound if `user` may not see it, then
    NotAMember if they see it but do not belong to it (typing, read pointers)."""
    room = access_room(user=user, slug=slug)
    if not is_member(user=user, room=room):
        raise NotAMember()
    return room


def user_presence_rooms(user_id: int) -> tuple[str | None, list[tuple[int, str]]]:
    """A user's username and the (id, slug) of every room they are a member of: where their
    presence is announced. (None, []) for a user in no room."""
    rows = list(
        Membership.objects.filter(user_id=user_id)
        .order_by("room_id")
        .values_list("room_id", "room__slug", "user__username")
    )
    if not rows:
        return None, []
    return rows[0][2], [(room_id, slug) for room_id, slug, _ in rows]


def room_read_pointers(room_id: int, *, max_members: int) -> dict[str, int] | None:
    """{username: last read seq} of a room's members, or None when it has more than
    `max_members` (read receipts are for small rooms only)."""
    rows = list(
        Membership.objects.filter(room_id=room_id)
        .order_by("user__username")
        .values_list("user__username", "last_read_seq")[: max_members + 1]
    )
    if len(rows) > max_members:
        return None
    return dict(rows)


def check_cursor(value: int | None, *, name: str) -> None:
    if value is not None and value < 0:
        raise InvalidInput(f"`{name}` must not be negative.")


def check_history_limit(limit: int) -> None:
    if not 1 <= limit <= HISTORY_MAX_LIMIT:
        raise InvalidInput(f"`limit` must be between 1 and {HISTORY_MAX_LIMIT}.")


def room_members(room_id: int) -> list[str]:
    return [username for _, username in room_member_rows(room_id)]


def room_member_rows(room_id: int) -> list[tuple[int, str]]:
    """(user id, username) of a room's members, by username."""
    return list(
        Membership.objects.filter(room_id=room_id)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )


def _items(room_id: int) -> QuerySet[Item]:
    return Item.objects.filter(room_id=room_id).select_related("user", "attachment")


def room_latest_items(room_id: int, *, limit: int) -> list[Item]:
    """The newest `limit` items, oldest first (the room page's first screen)."""
    items = list(_items(room_id).order_by("-seq")[:limit])
    items.reverse()
    return items


@dataclass(frozen=True)
class HistoryPage:
    items: list[Item]
    has_more: bool


def room_history(*, user, slug: object, before: int | None, limit: int) -> tuple[Room, HistoryPage]:
    """Items before `before` (or the newest), oldest first, for a user who may read the room."""
    room = access_room(user=user, slug=slug)
    check_cursor(before, name="before")
    check_history_limit(limit)
    query = _items(room.pk).order_by("-seq")
    if before is not None:
        query = query.filter(seq__lt=before)
    items = list(query[: limit + 1])
    has_more = len(items) > limit
    items = items[:limit]
    items.reverse()
    return room, HistoryPage(items=items, has_more=has_more)


@dataclass(frozen=True)
class Backlog:
    last_seq: int
    members: list[str]
    items: list[Item]
    truncated: bool
    # The members' user ids, in the order of `members` (for their presence).
    member_ids: list[int] = field(default_factory=list)


def room_backlog(room_id: int, *, after: int | None, limit: int) -> Backlog:
    """What a subscriber needs: the room's last seq, its members, and items after `after`.

    `last_seq` is read first and bounds the items, so the backlog is exactly (after, last_seq]
    (cut to `limit` items) and everything later reaches the subscriber live.
    """
    last_seq = Room.objects.values_list("last_seq", flat=True).get(pk=room_id)
    items: list[Item] = []
    truncated = False
    if after is not None and after < last_seq:
        items = list(
            _items(room_id).filter(seq__gt=after, seq__lte=last_seq).order_by("seq")[: limit + 1]
        )
        truncated = len(items) > limit
        items = items[:limit]
    members = room_member_rows(room_id)
    return Backlog(
        last_seq=last_seq,
        members=[username for _, username in members],
        items=items,
        truncated=truncated,
        member_ids=[user_id for user_id, _ in members],
    )


def room_items_between(room_id: int, *, after: int, upto: int) -> list[Item]:
    """Items with after < seq <= upto, in order: the server's own gap-fill."""
    return list(_items(room_id).filter(seq__gt=after, seq__lte=upto).order_by("seq"))


def room_last_seqs(room_ids: list[int]) -> dict[int, int]:
    return dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "last_seq"))


def access_attachment(*, user, attachment_id: int) -> Attachment:
    """An attachment of a room `user` may read; otherwise RoomNotFound, like the room itself."""
    try:
        attachment = Attachment.objects.select_related("item__room").get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise RoomNotFound() from None
    access_room(user=user, slug=attachment.item.room.slug)
    return attachment
