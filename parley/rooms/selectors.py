"""Reads that enforce visibility (rooms/visibility.py). Every adapter looks rooms up through here.

A room the user may not see is reported exactly like a room that does not exist.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from parley.accounts.models import Bot, Profile
from parley.core.errors import InvalidInput, NotAMember, RoomNotFound
from parley.core.text import is_valid_slug
from parley.core.types import AuthUser
from parley.rooms.models import Attachment, Item, Membership, Mention, Room
from parley.rooms.visibility import room_is_visible, room_visible_q

HISTORY_MAX_LIMIT = 200


def counted_unread(**lookups: object) -> QuerySet[Item]:
    """The items an unread count counts: messages (membership events do not). Every unread
    count (the room list's, a page's, a `subscribed` frame's) counts these."""
    return Item.objects.filter(kind=Item.Kind.MESSAGE, **lookups)


def unread_count_q(user: AuthUser) -> Coalesce:
    """Messages after `user`'s read pointer in the outer room (0 where not a member)."""
    pointer = Membership.objects.filter(room=OuterRef(OuterRef("pk")), user=user).values(
        "last_read_seq"
    )[:1]
    unread = (
        counted_unread(room=OuterRef("pk"))
        .filter(seq__gt=Subquery(pointer))
        .order_by()
        .values("room")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def mentions_of(user: AuthUser) -> QuerySet[Mention]:
    """The mention rows a mention count counts for `user`: of them or of the room, in
    messages by someone else (deleted messages have none)."""
    return Mention.objects.filter(Q(user=user) | Q(user__isnull=True)).exclude(item__user=user)


def mention_count_q(user: AuthUser) -> Coalesce:
    """Messages after `user`'s read pointer in the outer room, by someone else, that mention
    them or the room (0 where not a member)."""
    pointer = Membership.objects.filter(room=OuterRef(OuterRef("pk")), user=user).values(
        "last_read_seq"
    )[:1]
    mentions = (
        mentions_of(user)
        .filter(room=OuterRef("pk"), seq__gt=Subquery(pointer))
        .order_by()
        .values("room")
        .annotate(count=Count("item", distinct=True))
        .values("count")
    )
    return Coalesce(Subquery(mentions, output_field=IntegerField()), 0)


def room_list_for_user(user: AuthUser) -> QuerySet[Room]:
    """The rooms shown on the home page and the sidebar, each with `is_member`,
    `member_count`, `unread` (messages after the user's read pointer; 0 for non-members),
    `mentions` (of those, the ones that mention them) and `level` (as chosen, "" = default)."""
    return (
        Room.objects.filter(room_visible_q(user))
        .annotate(
            is_member=Exists(Membership.objects.filter(room=OuterRef("pk"), user=user)),
            member_count=Count("memberships", distinct=True),
            unread=unread_count_q(user),
            mentions=mention_count_q(user),
            level=Subquery(
                Membership.objects.filter(room=OuterRef("pk"), user=user).values("level")[:1]
            ),
        )
        .order_by("name")
    )


def home_room_list(user: AuthUser) -> QuerySet[Room]:
    """`room_list_for_user` with each room's `last_activity`: when its newest timeline item
    was written (its creation while it has none). Still one query for the whole list."""
    newest = Item.objects.filter(room=OuterRef("pk"), seq=OuterRef("last_seq")).values(
        "created_at"
    )[:1]
    return room_list_for_user(user).annotate(
        last_activity=Coalesce(Subquery(newest), F("created_at"))
    )


@dataclass(frozen=True)
class HomeRooms:
    # Rooms the user is a member of: those with unread messages first, then the most recently
    # active; rooms the user may join (or, staff, see) but has not, by name.
    yours: list[Room]
    browse: list[Room]
    # Archived rooms the user may read, members or not, by name: out of the other two parts
    # (and the sidebar), still there to read.
    archived: list[Room] = field(default_factory=list)


def home_rooms(rooms: Iterable[Any]) -> HomeRooms:
    """Split rooms of `home_room_list` (direct rooms left out) for the home page."""
    rooms = list(rooms)
    archived = [room for room in rooms if room.archived_at is not None]
    rooms = [room for room in rooms if room.archived_at is None]
    yours = [room for room in rooms if room.is_member]
    browse = [room for room in rooms if not room.is_member]
    yours.sort(key=lambda room: room.last_activity, reverse=True)
    yours.sort(key=lambda room: room.unread == 0)  # stable: keeps activity order in each part
    return HomeRooms(yours=yours, browse=browse, archived=archived)


def direct_room_titles(*, user: AuthUser, room_ids: list[int]) -> dict[int, str]:
    """{room id: the other participants' usernames, joined} of these direct rooms of `user`."""
    others: dict[int, list[str]] = {room_id: [] for room_id in room_ids}
    rows = (
        Membership.objects.filter(room_id__in=room_ids)
        .exclude(user=user)
        .order_by("user__username")
        .values_list("room_id", "user__username")
    )
    for room_id, username in rows:
        others[room_id].append(username)
    return {
        room_id: ", ".join(names) if names else user.get_username()
        for room_id, names in others.items()
    }


def people_search(*, user: AuthUser, query: str, limit: int) -> list[str]:
    """Active usernames (not `user`'s) starting with `query` (any case), else containing it;
    the first `limit`, by name. An empty query lists the first ones."""
    people = get_user_model()._default_manager.filter(is_active=True).exclude(pk=user.pk)
    if query:
        people = people.filter(username__icontains=query)
    names = list(people.order_by("username").values_list("username", flat=True)[: limit * 5])
    lowered = query.lower()
    names.sort(key=lambda name: (not name.lower().startswith(lowered), name.lower()))
    return names[:limit]


@dataclass(frozen=True)
class MentionEntry:
    room: Room
    item: Item


def mentions_for_user(*, user: AuthUser, limit: int = 50) -> list[MentionEntry]:
    """The newest messages by others that mention `user` (or `@room`) in rooms they can read
    now and are a member of, newest first; deleted messages have no mention rows."""
    rooms = Room.objects.filter(room_visible_q(user)).filter(memberships__user=user)
    rows = (
        Mention.objects.filter(room__in=rooms)
        .filter(Q(user=user) | Q(user__isnull=True))
        .exclude(item__user=user)
        .select_related("room", "item__user")
        .order_by("-item__created_at", "-item_id")[: limit * 2]
    )
    entries: list[MentionEntry] = []
    seen: set[int] = set()
    for row in rows:
        if row.item_id in seen:
            continue
        seen.add(row.item_id)
        entries.append(MentionEntry(room=row.room, item=row.item))
    return entries[:limit]


def unread_count(*, user: AuthUser, room_id: int, upto: int | None = None) -> tuple[int, int]:
    """(last_read, unread) of `user` in a room: their pointer and the messages after it
    (up to seq `upto` when given: what a `subscribed` frame with that `last_seq` covers)."""
    last_read = read_pointer(user=user, room_id=room_id)
    unread = counted_unread(room_id=room_id, seq__gt=last_read)
    if upto is not None:
        unread = unread.filter(seq__lte=upto)
    return last_read, unread.count()


def read_pointer(*, user: AuthUser, room_id: int) -> int:
    """`user`'s read pointer in a room (0 where not a member): one plain query, as every
    subscribe runs it."""
    table = connection.ops.quote_name(Membership._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT last_read_seq FROM {table} WHERE room_id = %s AND user_id = %s",  # noqa: S608
            [room_id, user.pk],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def access_room(*, user: AuthUser, slug: object) -> Room:
    """The room `slug` if `user` may see it; otherwise RoomNotFound, whatever the reason.
    One plain query (`lookup_room_access`): every frame about a room and every room page runs
    this."""
    access = lookup_room_access(user=user, slug=slug)
    if access is None or not access.visible:
        raise RoomNotFound()
    return access.room


def is_member(*, user: AuthUser, room: Room) -> bool:
    return Membership.objects.filter(room=room, user=user).exists()


def access_room_as_member(*, user: AuthUser, slug: object) -> Room:
    """The room `slug` for a member of it: RoomNotFound if `user` may not see it, then
    NotAMember if they see it but do not belong to it (typing, read pointers). One query."""
    return check_room_member(lookup_room_access(user=user, slug=slug))


def room_viewers(room_id: int, user_ids: list[int]) -> set[int]:
    """Which of these users may see the room now (`room_is_visible`, by their staff status and
    active flag as stored): none if the room no longer exists."""
    room = Room.objects.filter(pk=room_id).first()
    if room is None:
        return set()
    users = get_user_model()._default_manager.filter(pk__in=user_ids, is_active=True)
    members = set(
        Membership.objects.filter(room_id=room_id, user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
    )
    return {
        pk
        for pk, is_staff in users.values_list("pk", "is_staff")
        if room_is_visible(None, room, member=pk in members, is_staff=is_staff)
    }


@dataclass(frozen=True)
class RoomAccess:
    """The room a slug names and what one user may do there (see `lookup_room_access`)."""

    room: Room
    # The user may see it (room_is_visible), by their rights as the database has them now.
    visible: bool
    member: bool  # the user is a member of it
    # The id of the item the user stored in it with the `client_id` asked about, if any.
    existing_id: int | None = None


# lookup_room_access's query: only identifiers are filled in, every value is a parameter.
_ROOM_ACCESS_SQL = """
    SELECT {columns},
        EXISTS (SELECT 1 FROM {memberships} m WHERE m.room_id = r.id AND m.user_id = %s)
            AS access_member,
        (SELECT u.{is_staff} FROM {users} u WHERE u.{user_pk} = %s AND u.{is_active})
            AS access_staff,
        {existing_id} AS access_existing_id,
        EXISTS (SELECT 1 FROM {bots} b WHERE b.{bot_user} = %s) AS access_bot,
        (SELECT p.{display_name} FROM {profiles} p WHERE p.{profile_user} = %s)
            AS access_display_name,
        (SELECT p.{avatar} FROM {profiles} p WHERE p.{profile_user} = %s) AS access_avatar
    FROM {rooms} r
    WHERE {where}
"""
_EXISTING_ID_SQL = (
    "(SELECT i.id FROM {items} i WHERE i.room_id = r.id AND i.user_id = %s AND i.client_id = %s)"
)


def _room_access_sql(*, with_client_id: bool, where: str = "r.slug = %s") -> str:
    quote = connection.ops.quote_name
    existing_id = _EXISTING_ID_SQL.format(items=quote(Item._meta.db_table))
    users = get_user_model()._meta
    return _ROOM_ACCESS_SQL.format(
        columns=", ".join(f"r.{quote(field.column)}" for field in Room._meta.concrete_fields),
        memberships=quote(Membership._meta.db_table),
        users=quote(users.db_table),
        user_pk=quote(users.pk.column),
        is_staff=quote(users.get_field("is_staff").column),
        is_active=quote(users.get_field("is_active").column),
        existing_id=existing_id if with_client_id else "NULL",
        where=where,
        rooms=quote(Room._meta.db_table),
        bots=quote(Bot._meta.db_table),
        bot_user=quote(Bot._meta.get_field("user").column),
        profiles=quote(Profile._meta.db_table),
        profile_user=quote(Profile._meta.get_field("user").column),
        display_name=quote(Profile._meta.get_field("display_name").column),
        avatar=quote(Profile._meta.get_field("avatar").column),
    )


def lookup_room_access(
    *, user: AuthUser, slug: object, client_id: str | None = None
) -> RoomAccess | None:
    """The room `slug`, whether `user` may see it and whether they are a member, in one query;
    None if no room has that slug (or it is malformed: nothing is looked up). Visibility follows
    the user's staff status and active flag as the database has them now, read in the same
    query: a socket's user object is the one read at its handshake, and a demotion in the admin
    must count at the very next frame.

    With a `client_id`, also the id of the item `user` stored in the room with it (message_post's
    idempotency key, on the `item_unique_client_id` index), in the same round trip. This runs on
    every `send`: one plain query, not the ORM's subqueries, which cost several times more to
    build than to run. The room is returned even if the user may not see it: `check_room_member`
    decides what they are told, and nothing about an invisible room may reach them.
    The same query tells whether `user` is a bot: one who is not is remembered as such on the
    user object (`_note_not_a_bot`), so the item they write next needs no query for its `bot`.
    """
    if not is_valid_slug(slug):
        return None
    params: list[object] = [user.pk, user.pk]
    if client_id is not None:
        params += [user.pk, client_id]
    sql = _room_access_sql(with_client_id=client_id is not None)
    rows = list(Room.objects.raw(sql, [*params, user.pk, user.pk, user.pk, slug]))
    if not rows:
        return None
    return _room_access(user, rows[0])


def lookup_rooms_access(*, user: AuthUser, slugs: Iterable[object]) -> dict[str, RoomAccess]:
    """`lookup_room_access` of many slugs in one query: {slug: RoomAccess} of those that name
    a room (malformed ones are not looked up)."""
    valid = [slug for slug in dict.fromkeys(slugs) if is_valid_slug(slug)]
    if not valid:
        return {}
    sql = _room_access_sql(
        with_client_id=False, where=f"r.slug IN ({', '.join(['%s'] * len(valid))})"
    )
    rows = Room.objects.raw(sql, [user.pk, user.pk, user.pk, user.pk, user.pk, *valid])
    return {room.slug: _room_access(user, room) for room in rows}


def _room_access(user: AuthUser, room: Room) -> RoomAccess:
    """A row of `_room_access_sql` as what `user` may do in its room."""
    values = vars(room)
    member = bool(values.pop("access_member"))
    # The user's staff status now, not as their session's user object had it when it was read
    # (a socket keeps that object for hours); None if they were deactivated or deleted since.
    staff = values.pop("access_staff")
    existing_id = values.pop("access_existing_id")
    if not values.pop("access_bot"):
        _note_not_a_bot(user)
    _note_profile(user, values.pop("access_display_name"), values.pop("access_avatar"))
    return RoomAccess(
        room=room,
        visible=staff is not None and room_is_visible(user, room, member=member, is_staff=staff),
        member=member,
        existing_id=existing_id,
    )


def _note_not_a_bot(user: AuthUser) -> None:
    """Remember on `user` that it has no `Bot` row, as `select_related("bot")` would: the items
    it writes next tell their `bot` flag (rooms/values.is_bot) without a query of their own."""
    relation = Bot._meta.get_field("user").remote_field
    if isinstance(user, models.Model) and not relation.is_cached(user):
        relation.set_cached_value(user, None)


def _note_profile(user: AuthUser, display_name: str | None, avatar: str | None) -> None:
    """Remember on `user` its profile as this query read it (None: no row), as
    `select_related("profile")` would: the message they write next shows their name and picture
    without a query of its own. Set afresh at every look-up, so a name changed since shows."""
    if not isinstance(user, models.Model):
        return
    relation = Profile._meta.get_field("user").remote_field
    profile = None
    if display_name is not None:
        profile = Profile(user_id=user.pk, display_name=display_name, avatar=avatar or "")
    relation.set_cached_value(user, profile)


def check_room_member(access: RoomAccess | None) -> Room:
    """The room of `access` for a member of it: RoomNotFound if there is none or the user may
    not see it (the same answer), then NotAMember if they see it but do not belong to it."""
    if access is None or not access.visible:
        raise RoomNotFound()
    if not access.member:
        raise NotAMember()
    return access.room


# Users per query of `users_presence_rooms` (SQLite allows 32,766 parameters a statement).
PRESENCE_USERS_PER_QUERY = 1000


def users_presence_rooms(user_ids: list[int]) -> dict[tuple[int, str], list[tuple[int, str]]]:
    """Where these users' presence is announced: {(room id, slug): [(user id, username)…]} for
    every room one of them is a member of, in room then user id order; a query per thousand
    users."""
    rooms: dict[tuple[int, str], list[tuple[int, str]]] = {}
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), PRESENCE_USERS_PER_QUERY):
        chunk = ids[start : start + PRESENCE_USERS_PER_QUERY]
        rows = (
            Membership.objects.filter(user_id__in=chunk)
            .order_by("room_id", "user_id")
            .values_list("room_id", "room__slug", "user_id", "user__username")
        )
        for room_id, slug, user_id, username in rows:
            rooms.setdefault((room_id, slug), []).append((user_id, username))
    return rooms


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


def rooms_read_pointers(
    room_ids: list[int], *, max_members: int
) -> dict[int, dict[str, int] | None]:
    """`room_read_pointers` of rooms that had at most `max_members` members a moment ago, in
    one query."""
    pointers: dict[int, dict[str, int] | None] = {room_id: {} for room_id in room_ids}
    rows = (
        Membership.objects.filter(room_id__in=room_ids)
        .order_by("room_id", "user__username")
        .values_list("room_id", "user__username", "last_read_seq")
    )
    for room_id, username, seq in rows:
        room = pointers[room_id]
        if room is not None:
            room[username] = seq
            if len(room) > max_members:
                pointers[room_id] = None
    return pointers


def check_cursor(value: int | None, *, name: str) -> None:
    if value is not None and value < 0:
        raise InvalidInput(f"`{name}` must not be negative.")


def check_history_limit(limit: int) -> None:
    if not 1 <= limit <= HISTORY_MAX_LIMIT:
        raise InvalidInput(f"`limit` must be between 1 and {HISTORY_MAX_LIMIT}.")


# A `members` page (docs/protocol.md "Big rooms"): its largest `limit` and longest `query`.
MEMBERS_MAX_LIMIT = 200
MEMBERS_QUERY_MAX_CHARS = 64


def check_members_page(*, offset: int, limit: int, query: str) -> None:
    """InvalidInput unless a `members` page's `offset`, `limit` and `query` are within bounds."""
    check_cursor(offset, name="offset")
    if not 1 <= limit <= MEMBERS_MAX_LIMIT:
        raise InvalidInput(f"`limit` must be between 1 and {MEMBERS_MAX_LIMIT}.")
    if len(query) > MEMBERS_QUERY_MAX_CHARS:
        raise InvalidInput(f"`query` must be at most {MEMBERS_QUERY_MAX_CHARS} characters.")


def member_matches(folded_query: str, username: str, display_name: str) -> bool:
    """Whether a `members` query (`str.casefold`ed) finds a member: anywhere in their username
    or display name, in any case."""
    return folded_query in username.casefold() or folded_query in display_name.casefold()


def room_members(room_id: int) -> list[str]:
    return [username for _, username in room_member_rows(room_id)]


def room_moderators(room_id: int) -> set[str]:
    """The usernames of a room's moderators."""
    return set(
        Membership.objects.filter(room_id=room_id, role=Membership.Role.MODERATOR).values_list(
            "user__username", flat=True
        )
    )


@dataclass(frozen=True)
class MemberProfile:
    """What a members list shows of a member besides their username."""

    display_name: str
    status_emoji: str
    status_text: str
    dnd_until: datetime | None  # "do not disturb" ends then (None: not on)


def room_member_profiles(room_id: int) -> dict[str, MemberProfile]:
    """{username: MemberProfile} of a room's members who have a profile or "do not disturb" on
    now (the others show their username alone), in one query."""
    return rooms_member_profiles([room_id])[room_id]


def rooms_member_profiles(room_ids: list[int]) -> dict[int, dict[str, MemberProfile]]:
    """`room_member_profiles` of many rooms, {room id: profiles}, in one query."""
    now = timezone.now()
    rows = (
        Membership.objects.filter(room_id__in=room_ids)
        .filter(Q(user__profile__isnull=False) | Q(user__notification_prefs__dnd_until__gt=now))
        .values_list(
            "room_id",
            "user__username",
            "user__profile__display_name",
            "user__profile__status_emoji",
            "user__profile__status_text",
            "user__notification_prefs__dnd_until",
        )
    )
    profiles: dict[int, dict[str, MemberProfile]] = {room_id: {} for room_id in room_ids}
    for room_id, username, name, emoji, text, until in rows:
        profiles[room_id][username] = MemberProfile(
            display_name=name or "",
            status_emoji=emoji or "",
            status_text=text or "",
            dnd_until=until if until is not None and until > now else None,
        )
    return profiles


def room_member_rows(room_id: int) -> list[tuple[int, str]]:
    """(user id, username) of a room's members, by username."""
    return list(
        Membership.objects.filter(room_id=room_id)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )


def rooms_member_rows(room_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """`room_member_rows` of many rooms, {room id: rows}, in one query."""
    rows: dict[int, list[tuple[int, str]]] = {room_id: [] for room_id in room_ids}
    for room_id, user_id, username in (
        Membership.objects.filter(room_id__in=room_ids)
        .order_by("room_id", "user__username")
        .values_list("room_id", "user_id", "user__username")
    ):
        rows[room_id].append((user_id, username))
    return rows


def item_rows() -> QuerySet[Item]:
    """Timeline items as every reader renders them (rooms/values.item_value)."""
    # The author's `Bot` and `Profile` rows too (or their absence): an item's `bot` flag, display
    # name and picture cost no query per item.
    # `actor`: who removed a member or changed the room, for an event's `by`.
    return Item.objects.select_related("user__bot", "user__profile", "attachment", "actor")


def _items(room_id: int) -> QuerySet[Item]:
    return item_rows().filter(room_id=room_id)


def room_latest_items(room_id: int, *, limit: int) -> list[Item]:
    """The newest `limit` items, oldest first (the room page's first screen)."""
    items = list(_items(room_id).order_by("-seq")[:limit])
    items.reverse()
    return items


@dataclass(frozen=True)
class HistoryPage:
    items: list[Item]
    has_more: bool
    # A page read `around` a seq: whether newer items exist.
    has_newer: bool | None = None
    # A thread's page: its root's seq (the root is the page's first item).
    thread: int | None = None


def room_history(
    *,
    user: AuthUser,
    slug: object,
    before: int | None,
    limit: int,
    thread: int | None = None,
    around: int | None = None,
) -> tuple[Room, HistoryPage]:
    """Items before `before` (or the newest), oldest first, for a user who may read the room;
    or a thread's root and its replies (`thread`); or the items centred on `around`.
    Each message as it is now (edited, deleted, reactions, replies), from its own row."""
    room = access_room(user=user, slug=slug)
    check_cursor(before, name="before")
    check_history_limit(limit)
    if thread is not None:
        return room, _thread_page(room, thread=thread, before=before, limit=limit)
    if around is not None:
        check_cursor(around, name="around")
        if before is not None:
            raise InvalidInput("`around` and `before` do not go together.")
        return room, _around_page(room, around=around, limit=limit)
    query = _items(room.pk).order_by("-seq")
    if before is not None:
        query = query.filter(seq__lt=before)
    items = list(query[: limit + 1])
    has_more = len(items) > limit
    items = items[:limit]
    items.reverse()
    return room, HistoryPage(items=items, has_more=has_more)


# The largest seq a column holds: a cursor beyond it names nothing and is not queried.
_SEQ_MAX = 2**63 - 1


def _thread_page(room: Room, *, thread: int, before: int | None, limit: int) -> HistoryPage:
    """The root, then up to `limit` of its replies before `before` (the newest), oldest first."""
    root = None
    if 0 < thread <= _SEQ_MAX:
        root = (
            _items(room.pk)
            .filter(seq=thread, kind=Item.Kind.MESSAGE, thread_seq__isnull=True)
            .first()
        )
    if root is None:
        raise InvalidInput(f"No thread at seq {thread} in this room.")
    query = _items(room.pk).filter(thread_seq=thread).order_by("-seq")
    if before is not None:
        query = query.filter(seq__lt=min(before, _SEQ_MAX))
    replies = list(query[: limit + 1])
    has_more = len(replies) > limit
    replies = replies[:limit]
    replies.reverse()
    return HistoryPage(items=[root, *replies], has_more=has_more, thread=thread)


def _around_page(room: Room, *, around: int, limit: int) -> HistoryPage:
    """Up to `limit` items centred on `around`: half before it, the rest from it on."""
    around = min(around, _SEQ_MAX)
    older_count = limit // 2
    older = list(_items(room.pk).filter(seq__lt=around).order_by("-seq")[: older_count + 1])
    has_more = len(older) > older_count
    older = older[:older_count]
    older.reverse()
    newer_count = limit - len(older)
    newer = list(_items(room.pk).filter(seq__gte=around).order_by("seq")[: newer_count + 1])
    has_newer = len(newer) > newer_count
    return HistoryPage(items=[*older, *newer[:newer_count]], has_more=has_more, has_newer=has_newer)


# A room's id and creation time (as the database returns it): what a cache keys a room's
# entries by, so that a room made with the id of a deleted one is another room.
RoomVersion = tuple[int, object]


@dataclass(frozen=True, slots=True)
class MemberRows:
    """A room's members by username: their ids and usernames, the two columns apart. Kept and
    shared by every subscriber of the room (room_cache.py): built once, never changed, so a
    subscriber of a 10,000-member room does not copy 10,000 names."""

    ids: list[int]
    names: list[str]

    @classmethod
    def of(cls, rows: list[tuple[int, str]]) -> "MemberRows":
        return cls([user_id for user_id, _ in rows], [username for _, username in rows])


class BacklogCache(Protocol):
    """What `room_backlog` may take from memory instead of the database (realtime/room_cache.py).

    `member_rows` are the rows kept at exactly that last seq; `items` are kept entries (rendered
    items) for seqs after+1, after+2, … up to `upto`, stopping at the first not kept;
    `message_count` is the number of messages with a seq up to `seq`, if kept.
    """

    def member_rows(self, version: RoomVersion, last_seq: int) -> MemberRows | None: ...
    def keep_member_rows(self, version: RoomVersion, last_seq: int, rows: MemberRows) -> None: ...
    def items(self, version: RoomVersion, after: int, upto: int) -> list[str]: ...
    def message_count(self, version: RoomVersion, seq: int) -> int | None: ...
    def keep_message_count(self, version: RoomVersion, seq: int, count: int) -> None: ...


@dataclass(frozen=True)
class Backlog:
    last_seq: int
    members: list[str]
    items: list[Item]
    truncated: bool
    # The members' user ids, in the order of `members` (for their presence).
    member_ids: list[int] = field(default_factory=list)
    version: RoomVersion | None = None
    # With a cache: its entries for the first seqs after `after`; `items` are the ones after them.
    cached: list[str] = field(default_factory=list)


def room_backlog(
    room_id: int, *, after: int | None, limit: int, cache: BacklogCache | None = None
) -> Backlog:
    """What a subscriber needs: the room's last seq, its members, and items after `after`.

    `last_seq` is read first and bounds the items, so the backlog is exactly (after, last_seq]
    (cut to `limit` items) and everything later reaches the subscriber live. With a `cache`,
    what it holds is not read again: its entries for the first items (`cached`), and the
    members at this last seq (kept there when they are read while the last seq stays put).
    """
    last_seq, created_at = _room_state(room_id)
    version = (room_id, created_at)
    items: list[Item] = []
    cached: list[str] = []
    truncated = False
    if after is not None and after < last_seq:
        if cache is not None:
            cached = cache.items(version, after, min(last_seq, after + limit))
        start, left = after + len(cached), limit - len(cached)
        if start < last_seq:
            items = list(
                _items(room_id).filter(seq__gt=start, seq__lte=last_seq).order_by("seq")[: left + 1]
            )
            truncated = len(items) > left
            items = items[:left]
    members = cache.member_rows(version, last_seq) if cache is not None else None
    if members is None:
        members = MemberRows.of(room_member_rows(room_id))
        if cache is not None and room_last_seqs([room_id]).get(room_id) == last_seq:
            # No membership change since `last_seq` was read: these are the members at it.
            cache.keep_member_rows(version, last_seq, members)
    return Backlog(
        last_seq=last_seq,
        members=members.names,
        items=items,
        truncated=truncated,
        member_ids=members.ids,
        version=version,
        cached=cached,
    )


def backlog_unread_count(
    *, user: AuthUser, backlog: Backlog, cache: BacklogCache
) -> tuple[int, int]:
    """`unread_count(user=…, room_id=…, upto=backlog.last_seq)` of a backlog read with `cache`:
    the messages up to a seq never change once that seq is stored, so unread = (messages up to
    last_seq) - (messages up to the pointer), each counted once per room and kept."""
    assert backlog.version is not None
    version = backlog.version
    last_read = read_pointer(user=user, room_id=version[0])
    if last_read >= backlog.last_seq:
        return last_read, 0
    upto = _messages_upto(version, backlog.last_seq, cache)
    return last_read, upto - _messages_upto(version, last_read, cache)


def _messages_upto(version: RoomVersion, seq: int, cache: BacklogCache) -> int:
    if seq <= 0:
        return 0
    count = cache.message_count(version, seq)
    if count is None:
        messages = counted_unread(room_id=version[0], seq__lte=seq)
        count = messages.count()
        cache.keep_message_count(version, seq, count)
    return count


def _room_state(room_id: int) -> tuple[int, object]:
    """The room's last seq and creation time, raw: one plain query, as every subscriber runs it
    (the ORM costs more to build this query than the database to answer it)."""
    table = connection.ops.quote_name(Room._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT last_seq, created_at FROM {table} WHERE id = %s",  # noqa: S608
            [room_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Room.DoesNotExist(f"no room {room_id}")
    return row[0], row[1]


# subscriber_state's query: only identifiers are filled in, every value is a parameter.
_SUBSCRIBER_STATE_SQL = """
    SELECT m.level, (
        SELECT COUNT(DISTINCT n.item_id) FROM {mentions} n JOIN {items} i ON i.id = n.item_id
        WHERE n.room_id = %s AND n.seq > %s AND n.seq <= %s
            AND (n.user_id = %s OR n.user_id IS NULL)
            AND (i.user_id IS NULL OR i.user_id <> %s)
    )
    FROM {memberships} m WHERE m.room_id = %s AND m.user_id = %s
"""


def subscriber_state(*, user: AuthUser, room: Room, last_read: int, upto: int) -> tuple[str, int]:
    """`user`'s notification level in the room as chosen ("" for the default) and how many
    messages after their read pointer, up to `upto`, by someone else, mention them or the room
    (deleted messages have no mention rows): one plain query, as every subscribe runs it (the
    ORM costs several times more to build it than the database to answer it); ("", 0) for a
    non-member."""
    quote = connection.ops.quote_name
    sql = _SUBSCRIBER_STATE_SQL.format(
        mentions=quote(Mention._meta.db_table),
        items=quote(Item._meta.db_table),
        memberships=quote(Membership._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [room.pk, last_read, upto, user.pk, user.pk, room.pk, user.pk])
        row = cursor.fetchone()
    return ("", 0) if row is None else (row[0], int(row[1]))


def room_items_between(room_id: int, *, after: int, upto: int) -> list[Item]:
    """Items with after < seq <= upto, in order: the server's own gap-fill."""
    return list(_items(room_id).filter(seq__gt=after, seq__lte=upto).order_by("seq"))


def room_last_seqs(room_ids: list[int]) -> dict[int, int]:
    return dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "last_seq"))


def access_attachment(*, user: AuthUser, attachment_id: int) -> Attachment:
    """An attachment of a room `user` may read; otherwise RoomNotFound, like the room itself."""
    try:
        attachment = Attachment.objects.select_related("item__room").get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise RoomNotFound() from None
    access_room(user=user, slug=attachment.item.room.slug)
    return attachment
