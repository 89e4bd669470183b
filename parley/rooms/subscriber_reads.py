"""A subscriber's reads of many rooms at once, set-based: what `room_backlog`,
`backlog_unread_count` and `subscriber_state` (selectors.py) read for one room, for a batch of
rooms in a fixed number of queries whatever their number (realtime/subscribe_batch.py: a client
subscribes to every room of its sidebar when its socket opens).

The guarantees are those of the one-room reads: each room's `last_seq` is read first and bounds
its backlog and counts; what the cache keeps is not read again; member rows are kept at a last
seq only when no membership change passed while they were read.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet

from parley.core.types import AuthUser
from parley.rooms.models import Item, Membership, Room
from parley.rooms.selectors import (
    Backlog,
    BacklogCache,
    MemberRows,
    RoomVersion,
    counted_unread,
    item_rows,
    mentions_of,
    room_last_seqs,
    rooms_member_rows,
)


def room_backlogs(
    afters: dict[int, int | None], *, limit: int, cache: BacklogCache
) -> dict[int, Backlog]:
    """`room_backlog(room_id, after=…, limit=…, cache=…)` of each room of `afters` ({room id:
    after}), in at most four queries: the rooms' last seqs, their items, their member rows and
    their last seqs again when member rows were read. A room that no longer exists is left out."""
    states = _room_states(list(afters))
    cached: dict[int, list[str]] = {}
    # Room id -> (start, end, left): the items start < seq <= end to read, `left` of them kept.
    ranges: dict[int, tuple[int, int, int]] = {}
    for room_id, (last_seq, created_at) in states.items():
        after = afters[room_id]
        if after is None or after >= last_seq:
            continue
        kept = cache.items((room_id, created_at), after, min(last_seq, after + limit))
        cached[room_id] = kept
        start, left = after + len(kept), limit - len(kept)
        if start < last_seq:
            # A room's seqs have no gaps: the first left + 1 after `start` tell a cut backlog.
            ranges[room_id] = (start, min(last_seq, start + left + 1), left)
    items = _items_in(ranges)
    members = _member_rows(states, cache)
    backlogs = {}
    for room_id, (last_seq, created_at) in states.items():
        read = items.get(room_id, [])
        left = ranges[room_id][2] if room_id in ranges else 0
        rows = members[room_id]
        backlogs[room_id] = Backlog(
            last_seq=last_seq,
            members=rows.names,
            items=read[:left],
            truncated=len(read) > left,
            member_ids=rows.ids,
            version=(room_id, created_at),
            cached=cached.get(room_id, []),
        )
    return backlogs


def _room_states(room_ids: list[int]) -> dict[int, tuple[int, object]]:
    """{room id: (last seq, creation time)}, raw, as `selectors._room_state` reads one room."""
    if not room_ids:
        return {}
    table = connection.ops.quote_name(Room._meta.db_table)
    placeholders = ", ".join(["%s"] * len(room_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, last_seq, created_at FROM {table} WHERE id IN ({placeholders})",  # noqa: S608
            room_ids,
        )
        return {room_id: (last_seq, created_at) for room_id, last_seq, created_at in cursor}


def _items_in(ranges: dict[int, tuple[int, int, int]]) -> dict[int, list[Item]]:
    """{room id: its items start < seq <= end, in order}, in one query."""
    items: dict[int, list[Item]] = {}
    if not ranges:
        return items
    where = reduce(
        operator.or_,
        (
            Q(room_id=room_id, seq__gt=start, seq__lte=end)
            for room_id, (start, end, _) in ranges.items()
        ),
    )
    for item in item_rows().filter(where).order_by("room_id", "seq"):
        items.setdefault(item.room_id, []).append(item)
    return items


def _member_rows(
    states: dict[int, tuple[int, object]], cache: BacklogCache
) -> dict[int, MemberRows]:
    """Each room's member rows at its last seq: kept ones, the others read in one query and
    kept where the room's last seq did not move meanwhile (one more query)."""
    rows: dict[int, MemberRows] = {}
    missing: list[int] = []
    for room_id, (last_seq, created_at) in states.items():
        kept = cache.member_rows((room_id, created_at), last_seq)
        if kept is None:
            missing.append(room_id)
        else:
            rows[room_id] = kept
    if missing:
        read = {
            room_id: MemberRows.of(found) for room_id, found in rooms_member_rows(missing).items()
        }
        rows.update(read)
        last_seqs = room_last_seqs(missing)
        for room_id in missing:
            last_seq, created_at = states[room_id]
            if last_seqs.get(room_id) == last_seq:
                # No membership change since `last_seq` was read: these are the members at it.
                cache.keep_member_rows((room_id, created_at), last_seq, read[room_id])
    return rows


@dataclass(frozen=True)
class ReaderState:
    """A subscriber's state in a room: what `backlog_unread_count` and `subscriber_state`
    read for one room."""

    last_read: int
    unread: int
    mentions: int
    level: str  # as chosen ("" for the default, and for a non-member)


def reader_states(
    *, user: AuthUser, backlogs: dict[int, Backlog], cache: BacklogCache
) -> dict[int, ReaderState]:
    """{room id: ReaderState} of `user` in the rooms of `backlogs`, each counted up to its
    backlog's last seq, in at most three queries: their pointers and levels, the unread counts
    the cache cannot tell, the mentions."""
    pointers = {
        room_id: (last_read, level)
        for room_id, last_read, level in Membership.objects.filter(
            user=user, room_id__in=list(backlogs)
        ).values_list("room_id", "last_read_seq", "level")
    }
    # (after, upto] of each room with messages to count; a non-member's pointer is 0.
    ranges = {}
    unread: dict[int, int] = {}
    for room_id, backlog in backlogs.items():
        last_read = pointers.get(room_id, (0, ""))[0]
        if last_read >= backlog.last_seq:
            unread[room_id] = 0
            continue
        assert backlog.version is not None
        kept = _kept_unread(cache, backlog.version, last_read, backlog.last_seq)
        if kept is not None:
            unread[room_id] = kept
        ranges[room_id] = (last_read, backlog.last_seq)
    counting = {room_id: span for room_id, span in ranges.items() if room_id not in unread}
    unread.update(_grouped_counts(counted_unread(), counting, count="pk"))
    member_ranges = {room_id: span for room_id, span in ranges.items() if room_id in pointers}
    mentions = _grouped_counts(mentions_of(user), member_ranges, count="item")
    return {
        room_id: ReaderState(
            last_read=pointers.get(room_id, (0, ""))[0],
            unread=unread.get(room_id, 0),
            mentions=mentions.get(room_id, 0),
            level=pointers.get(room_id, (0, ""))[1],
        )
        for room_id in backlogs
    }


def _kept_unread(
    cache: BacklogCache, version: RoomVersion, last_read: int, upto: int
) -> int | None:
    """Messages in (last_read, upto] from the cache's counts of messages up to a seq, if it
    keeps both (`backlog_unread_count`'s rule)."""
    total = cache.message_count(version, upto)
    before = 0 if last_read <= 0 else cache.message_count(version, last_read)
    if total is None or before is None:
        return None
    return total - before


def _grouped_counts(
    rows: QuerySet[Any], ranges: dict[int, tuple[int, int]], *, count: str
) -> dict[int, int]:
    """{room id: distinct `count` of `rows` with after < seq <= upto in that room}, one query."""
    if not ranges:
        return {}
    where = reduce(
        operator.or_,
        (
            Q(room_id=room_id, seq__gt=after, seq__lte=upto)
            for room_id, (after, upto) in ranges.items()
        ),
    )
    counted = (
        rows.filter(where)
        .order_by()
        .values("room_id")
        .annotate(count=Count(count, distinct=True))
        .values_list("room_id", "count")
    )
    return dict(counted)
