"""The per-room sequence: one atomic counter bumped inside the item's own transaction.

`UPDATE … SET last_seq = last_seq + 1 … RETURNING` takes the room row's write lock (PostgreSQL)
or the database write lock (SQLite) until commit, so concurrent writers to one room queue and a
rolled-back write gives its number back: seq stays 1, 2, 3, … with no gap and no repeat.
"""

import contextlib
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from parley.core import metrics
from parley.core.types import AuthUser
from parley.rooms.models import Item, Membership, Room
from parley.rooms.services.reads import read_pointer_to_own_message


def next_seq(room_id: int) -> int:
    """Reserve the room's next seq. Must run inside `transaction.atomic()`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_seq() must be called inside a transaction")
    table = connection.ops.quote_name(Room._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq",  # noqa: S608
            [room_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Room.DoesNotExist(f"room {room_id} is gone")
    return int(row[0])


def item_append(
    *,
    room: Room,
    kind: str,
    user: AuthUser,
    body: str = "",
    client_id: str | None = None,
    has_attachment: bool = False,
    seq: int | None = None,
    **fields: object,
) -> Item:
    """Append one item to the room's timeline with the next seq, or the `seq` the caller
    reserved with `next_seq` in this transaction (to read what the item depends on under the
    room's write lock first), and any other of its `fields` (html, thread_seq, target_seq, …).
    Must run inside a transaction."""
    if seq is None:
        seq = next_seq(room.pk)
    room.last_seq = seq
    return Item.objects.create(
        room=room,
        seq=seq,
        kind=kind,
        user=user,
        body=body,
        client_id=client_id,
        has_attachment=has_attachment,
        **fields,
    )


# message_append_with_read_pointer's statement on PostgreSQL: the seq, the item and the author's
# read pointer in one statement, which is one transaction by itself (autocommit). Only
# identifiers are filled in; every value is a parameter.
_MESSAGE_APPEND_SQL = """
WITH s AS (
    UPDATE {rooms} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq
), i AS (
    INSERT INTO {items} (room_id, seq, kind, user_id, body, html, client_id, has_attachment,
                         created_at)
    SELECT %s, s.last_seq, %s, %s, %s, %s, %s, false, %s FROM s
    RETURNING id, seq
), p AS (
    UPDATE {memberships} m SET last_read_seq = i.seq FROM i
    WHERE m.room_id = %s AND m.user_id = %s AND m.last_read_seq < i.seq
)
SELECT id, seq FROM i
"""


# Elsewhere (SQLite), the item's insert: plain SQL too, naming only the columns a plain message
# sets (the others take their database defaults), as the ORM's insert of every field costs
# several times more to build than to run.
_MESSAGE_INSERT_SQL = """
INSERT INTO {items} (room_id, seq, kind, user_id, body, html, client_id, has_attachment,
                     created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, false, %s)
RETURNING id
"""


def message_append_with_read_pointer(
    *, room: Room, user: AuthUser, body: str, html: str, client_id: str
) -> Item:
    """Append a message with the room's next seq and move its author's read pointer to it
    (never backwards), atomically: on PostgreSQL as one statement (3 round trips per send
    fewer than BEGIN, three statements and COMMIT, each of which hands the GIL back and forth
    with the event loop: docs/performance.md); elsewhere in a transaction of plain statements.
    A client_id already stored by this author in this room raises IntegrityError and changes
    nothing (the seq is given back with the rest).
    """
    quote = connection.ops.quote_name
    now = timezone.now()
    if connection.vendor != "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            seq = next_seq(room.pk)
            cursor.execute(
                _MESSAGE_INSERT_SQL.format(items=quote(Item._meta.db_table)),
                [
                    room.pk,
                    seq,
                    Item.Kind.MESSAGE,
                    user.pk,
                    body,
                    html,
                    client_id,
                    connection.ops.adapt_datetimefield_value(now),
                ],
            )
            row = cursor.fetchone()
            assert row is not None  # INSERT … RETURNING returns the row it inserted
            item_id = row[0]
            read_pointer_to_own_message(user=user, room=room, seq=seq)
        return _message_row(item_id, seq, room=room, user=user, body=body, html=html,
                            client_id=client_id, created_at=now)  # fmt: skip
    sql = _MESSAGE_APPEND_SQL.format(
        rooms=quote(Room._meta.db_table),
        items=quote(Item._meta.db_table),
        memberships=quote(Membership._meta.db_table),
    )
    params: list[int | str | datetime] = [
        room.pk,
        room.pk,
        Item.Kind.MESSAGE,
        user.pk,
        body,
        html,
        client_id,
        now,
        room.pk,
        user.pk,
    ]
    # Inside a caller's transaction (tests, admin actions) a savepoint keeps a refused insert
    # from breaking it; on its own the statement is its own transaction.
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Room.DoesNotExist(f"room {room.pk} is gone")
    item_id, seq = row
    metrics.read_pointer_moves.inc()
    return _message_row(item_id, seq, room=room, user=user, body=body, html=html,
                        client_id=client_id, created_at=now)  # fmt: skip


def _message_row(
    item_id: int,
    seq: int,
    *,
    room: Room,
    user: AuthUser,
    body: str,
    html: str,
    client_id: str,
    created_at: datetime,
) -> Item:
    """The Item a plain statement stored, as the ORM would have returned it."""
    room.last_seq = seq
    item = Item(
        id=item_id, room=room, seq=seq, kind=Item.Kind.MESSAGE, user=user, body=body, html=html,
        client_id=client_id, has_attachment=False, created_at=created_at,
    )  # fmt: skip
    item._state.adding = False
    item._state.db = connection.alias
    return item
