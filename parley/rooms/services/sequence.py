"""The per-room sequence: one atomic counter bumped inside the item's own transaction.

`UPDATE … SET last_seq = last_seq + 1 … RETURNING` takes the room row's write lock (PostgreSQL)
or the database write lock (SQLite) until commit, so concurrent writers to one room queue and a
rolled-back write gives its number back: seq stays 1, 2, 3, … with no gap and no repeat.
"""

from django.db import connection, transaction

from parley.rooms.models import Item, Room


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
    *, room: Room, kind: str, user, body: str = "", client_id=None, has_attachment=False
) -> Item:
    """Append one item to the room's timeline with the next seq. Must run inside a transaction."""
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
    )
