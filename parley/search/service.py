"""Searching messages: the one service every adapter calls (the API; the web client through it).

Only messages the user may read now (rooms.visibility, the one rule), never deleted ones, each by
its current text, newest first (by item id). One engine per database behind the same answer
(parley/search/engines.py): FTS5 on SQLite, pg_trgm on PostgreSQL, a plain scan elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from parley.core import ratelimit
from parley.core.errors import InvalidInput
from parley.core.types import AuthUser
from parley.rooms.models import Item, Room
from parley.rooms.selectors import access_room
from parley.rooms.visibility import room_visible_q
from parley.search.engines import SearchFilters, matching_ids
from parley.search.query import decode_cursor, encode_cursor, parse_query

DEFAULT_LIMIT = 20
MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class SearchPage:
    """Matching messages, newest first (each with its `room`, `user` and `attachment` read), and
    the cursor of the next page (None: this is the last)."""

    items: tuple[Item, ...]
    next: str | None


def search_messages(
    *,
    user: AuthUser,
    q: str,
    room: str | None = None,
    author: str | None = None,
    has_file: bool = False,
    before: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> SearchPage:
    """Messages `user` may read now that contain every word of `q` (parley/search/query.py):
    in the room `room` (a slug) only, by `author` (a username) only, with a file only
    (`has_file`), older than the cursor `before` (a page's `next`); at most `limit`.

    Counted against the user's read limit first (RateLimited); InvalidInput for a query with no
    word of three characters or more, one too long or with too many words, a `limit` outside
    1..MAX_LIMIT or a cursor this server did not give; RoomNotFound for a `room` the user may not
    read or that does not exist (the same answer). An unknown `author` finds nothing.
    """
    ratelimit.check(ratelimit.Action.SEARCH, user=user)
    words = parse_query(q)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"`limit` must be between 1 and {MAX_LIMIT}.")
    before_id = decode_cursor(before) if before is not None else None
    if room is not None:
        room_ids = [access_room(user=user, slug=room).pk]
    else:
        room_ids = list(Room.objects.filter(room_visible_q(user)).values_list("pk", flat=True))
    author_id = None
    if author is not None:
        users = get_user_model()._default_manager.filter(username__iexact=author)
        author_id = users.values_list("pk", flat=True).first()
        if author_id is None:
            return SearchPage(items=(), next=None)
    if not room_ids:
        return SearchPage(items=(), next=None)
    filters = SearchFilters(
        words=words,
        room_ids=room_ids,
        author_id=author_id,
        has_file=has_file,
        before_id=before_id,
        count=limit + 1,
    )
    ids = matching_ids(filters)
    more = len(ids) > limit
    ids = ids[:limit]
    rows = {
        item.pk: item
        for item in Item.objects.filter(pk__in=ids, deleted=False).select_related(
            "room", "user__bot", "user__profile", "attachment"
        )
    }
    items = tuple(rows[pk] for pk in ids if pk in rows)
    return SearchPage(items=items, next=encode_cursor(ids[-1]) if more else None)
