"""Read pointers: how far each member has read a room (unread counts, other tabs, receipts).

A member's pointer is `Membership.last_read_seq`, the last seq they have read. It only moves
forward and never past the room's last seq. Posting a message moves the author's pointer to it,
so one's own messages never count as unread.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from parley.core import changes, metrics, ratelimit
from parley.core.errors import NotAMember
from parley.core.types import AuthUser
from parley.rooms.changes import ReadMoved
from parley.rooms.models import Membership, Room
from parley.rooms.selectors import access_room, check_cursor


@dataclass(frozen=True)
class ReadPointer:
    room: Room
    seq: int  # the pointer after the move
    moved: bool


def _pointer(*, user: AuthUser, room: Room) -> int | None:
    return (
        Membership.objects.filter(room=room, user=user)
        .values_list("last_read_seq", flat=True)
        .first()
    )


def receipts_shown(member_count: int) -> bool:
    """Whether a room of `member_count` members shows read receipts: at most
    PARLEY["RECEIPTS_MAX_MEMBERS"] members (0: no room does)."""
    max_members = settings.PARLEY["RECEIPTS_MAX_MEMBERS"]
    return bool(max_members) and member_count <= max_members


def _announce(*, user: AuthUser, room: Room, seq: int, socket_id: str | None) -> None:
    """After commit: `read` to the user's sockets (but `socket_id`); `receipt` in small rooms."""
    metrics.read_pointer_moves.inc()
    receipt = receipts_shown(Membership.objects.filter(room=room).count())
    changes.emit_on_commit(
        ReadMoved(
            room_id=room.pk,
            room=room.slug,
            user_id=user.pk,
            username=user.get_username(),
            seq=seq,
            receipt=receipt,
            socket_id=socket_id,
        )
    )


def read_pointer_move(
    *, user: AuthUser, room: Room, seq: int, socket_id: str | None = None
) -> ReadPointer:
    """`user` has read `room` up to `seq` (the caller looked the room up with `access_room`).

    NotAMember if they are not a member, then InvalidInput for a negative seq. The pointer
    becomes max(old, min(seq, room.last_seq)): never backwards, never past the last seq.
    Emits, after commit and only if it moved: `read` {room, seq} to every socket of the user but
    the one `socket_id` (the caller answers that one itself), and, in a room of at
    most PARLEY["RECEIPTS_MAX_MEMBERS"] members, `receipt` to the room's subscribers.
    """
    old = _pointer(user=user, room=room)
    if old is None:
        raise NotAMember()
    check_cursor(seq, name="seq")
    target = min(seq, room.last_seq)
    if target <= old:
        return ReadPointer(room=room, seq=old, moved=False)
    # The condition makes two concurrent moves safe: the larger one wins, whatever the order.
    moved = Membership.objects.filter(room=room, user=user, last_read_seq__lt=target).update(
        last_read_seq=target
    )
    if not moved:
        current = _pointer(user=user, room=room)
        if current is None:
            raise NotAMember()
        return ReadPointer(room=room, seq=current, moved=False)
    _announce(user=user, room=room, seq=target, socket_id=socket_id)
    return ReadPointer(room=room, seq=target, moved=True)


def read_pointer_move_by_slug(
    *, user: AuthUser, slug: object, seq: int, socket_id: str | None = None
) -> ReadPointer:
    """A `read` frame: counts against the user's read limit (RateLimited) before anything else,
    then RoomNotFound for a room they may not see, then `read_pointer_move`."""
    ratelimit.check(ratelimit.Action.READ, user=user)
    return read_pointer_move(
        user=user, room=access_room(user=user, slug=slug), seq=seq, socket_id=socket_id
    )


def read_pointer_to_own_message(*, user: AuthUser, room: Room, seq: int) -> None:
    """Inside the transaction that stores `user`'s message at `seq`: they have read it.

    Emits nothing itself: the message item carries the author's `read` frame to their sockets
    (rooms/changes.py, ItemAdded.moves_read_pointer). No `receipt` either: clients know the
    author has read their own message from the item.
    """
    # Every `send` runs this: one plain statement, as sequence.py's, rather than the ORM's
    # update, which costs several times more to build than to run. Never backwards, as above.
    table = connection.ops.quote_name(Membership._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_read_seq = %s"  # noqa: S608
            " WHERE room_id = %s AND user_id = %s AND last_read_seq < %s",
            [seq, room.pk, user.pk, seq],
        )
    metrics.read_pointer_moves.inc()
