"""How each database finds the matching messages' ids, newest first (parley/search/index.py has
the indexes). Every engine gives the same answer; only the cost differs.

- SQLite: the FTS5 table drives the loop, walking its matches by rowid (= item id), newest
  first, and stops at the page's end; each match costs one lookup of its row by primary key.
- PostgreSQL: a GIN index returns its matches in no order, so a frequent word would cost a
  fetch of every matching row and a sort, while a walk down the primary key finds it at once;
  the planner cannot tell which of the two a word needs (pg_trgm's estimates for `ILIKE` are
  guesses). So the engine decides: it scans the newest WINDOW_ITEMS items first (a bounded cost,
  whatever the table's size), and asks the index only for the rest of a page that the window
  did not fill, below the window (rare words: few matches to fetch).
- Any other database: the ORM's `icontains`, scanning (no index).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from parley.rooms.models import Item
from parley.search.index import FTS_TABLE
from parley.search.query import SearchWords

# PostgreSQL: how many of the newest items (before the cursor) are scanned before the index is
# asked. A word found at least once per this many items of the user's rooms fills a page here.
WINDOW_ITEMS = 20_000


@dataclass(frozen=True, slots=True)
class SearchFilters:
    words: SearchWords
    room_ids: list[int]
    author_id: int | None
    has_file: bool
    before_id: int | None
    # Rows to find: the page and one more, to know whether there is a next page.
    count: int


def _fetch_ids(sql: str, params: Sequence[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _common_conditions(filters: SearchFilters, params: list[object]) -> list[str]:
    """The conditions on rooms_item (aliased `i`) besides the words, the rooms and the cursor."""
    conditions = ["i.kind = 'message'", "NOT i.deleted"]
    if filters.author_id is not None:
        conditions.append("i.user_id = %s")
        params.append(filters.author_id)
    if filters.has_file:
        conditions.append("i.has_attachment")
    return conditions


def fts5_ids(filters: SearchFilters) -> list[int]:
    # CROSS JOIN keeps SQLite from reordering the loop; the rooms are one JSON parameter,
    # however many.
    params: list[object] = [filters.words.fts5_match()]
    conditions = [f"{FTS_TABLE} MATCH %s"]
    if filters.before_id is not None:
        conditions.append(f"{FTS_TABLE}.rowid < %s")
        params.append(filters.before_id)
    conditions.append("i.room_id IN (SELECT value FROM json_each(%s))")
    params.append(json.dumps(filters.room_ids))
    conditions += _common_conditions(filters, params)
    sql = (
        f"SELECT i.id FROM {FTS_TABLE} CROSS JOIN rooms_item i ON i.id = {FTS_TABLE}.rowid "  # noqa: S608
        f"WHERE {' AND '.join(conditions)} ORDER BY {FTS_TABLE}.rowid DESC LIMIT %s"
    )
    return _fetch_ids(sql, [*params, filters.count])


def _row_conditions(filters: SearchFilters, params: list[object]) -> list[str]:
    """The rooms and the rest, without the words."""
    params.append(filters.room_ids)
    return ["i.room_id = ANY(%s::bigint[])", *_common_conditions(filters, params)]


def _word_conditions(filters: SearchFilters, params: list[object]) -> list[str]:
    """One ILIKE per word: an index cannot take `ILIKE ALL (array)`."""
    patterns = filters.words.like_patterns()
    params.extend(patterns)
    return ["i.body ILIKE %s"] * len(patterns)


def _window_floor(before_id: int | None) -> int | None:
    """The id below the newest WINDOW_ITEMS items before `before_id` (from the primary key
    alone); None when there are no more items than that."""
    params: list[object] = []
    below = ""
    if before_id is not None:
        below = "WHERE id < %s"
        params.append(before_id)
    ids = _fetch_ids(
        f"SELECT id FROM rooms_item {below} ORDER BY id DESC OFFSET %s LIMIT 1",  # noqa: S608
        [*params, WINDOW_ITEMS],
    )
    return ids[0] if ids else None


def trigram_ids(filters: SearchFilters) -> list[int]:
    floor = _window_floor(filters.before_id)
    # The window: a range of the primary key, its rows filtered by room first (cheap), then by
    # the words (OFFSET 0 keeps them out of the subquery, so the planner cannot take the index).
    params: list[object] = []
    rows = _row_conditions(filters, params)
    if floor is not None:
        rows.append("i.id > %s")
        params.append(floor)
    if filters.before_id is not None:
        rows.append("i.id < %s")
        params.append(filters.before_id)
    words = _word_conditions(filters, params)
    sql = (
        f"SELECT i.id FROM (SELECT * FROM rooms_item i WHERE {' AND '.join(rows)} OFFSET 0) i "  # noqa: S608
        f"WHERE {' AND '.join(words)} ORDER BY i.id DESC LIMIT %s"
    )
    ids = _fetch_ids(sql, [*params, filters.count])
    if len(ids) == filters.count or floor is None:
        return ids
    # Below the window, from the index. `DESC NULLS LAST` (ids are never NULL) is not the
    # primary key's backward order, so the planner cannot walk it instead.
    params = [floor]
    conditions = ["i.id <= %s", *_row_conditions(filters, params)]
    conditions += _word_conditions(filters, params)
    sql = (
        f"SELECT i.id FROM rooms_item i WHERE {' AND '.join(conditions)} "  # noqa: S608
        "ORDER BY i.id DESC NULLS LAST LIMIT %s"
    )
    return ids + _fetch_ids(sql, [*params, filters.count - len(ids)])


def scan_ids(filters: SearchFilters) -> list[int]:
    """Any other database: the ORM's `icontains` (case-insensitive as that database compares)."""
    query = Item.objects.filter(room_id__in=filters.room_ids, kind=Item.Kind.MESSAGE, deleted=False)
    for word in filters.words.words:
        query = query.filter(body__icontains=word)
    if filters.author_id is not None:
        query = query.filter(user_id=filters.author_id)
    if filters.has_file:
        query = query.filter(has_attachment=True)
    if filters.before_id is not None:
        query = query.filter(pk__lt=filters.before_id)
    return list(query.order_by("-pk").values_list("pk", flat=True)[: filters.count])


# The engine of each database (connection.vendor); any other scans.
ENGINES: dict[str, Callable[[SearchFilters], list[int]]] = {
    "sqlite": fts5_ids,
    "postgresql": trigram_ids,
}


def matching_ids(filters: SearchFilters) -> list[int]:
    """The ids of the matching messages, newest first: up to `filters.count`."""
    return ENGINES.get(connection.vendor, scan_ids)(filters)
