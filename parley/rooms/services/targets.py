"""The messages that replies, edits, deletions and reactions name by seq.

Read inside the writing transaction, after `next_seq` took the room's write lock: what is read
here cannot change before the item that depends on it is committed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from parley.core.errors import InvalidInput
from parley.rooms.mentions import MAX_MENTIONS, ROOM, mentioned_names
from parley.rooms.models import Item, Mention, Room
from parley.rooms.selectors import room_viewers

# The largest seq a database column holds; anything beyond names nothing (and is not queried).
SEQ_MAX = 2**63 - 1


def message_at(*, room: Room, seq: int) -> Item:
    """The message (not an event or another change) at `seq` in `room`, else InvalidInput."""
    if not 0 < seq <= SEQ_MAX:
        raise InvalidInput(f"No message at seq {seq} in this room.")
    item = Item.objects.filter(room=room, seq=seq).select_related("user").first()
    if item is None or item.kind != Item.Kind.MESSAGE:
        raise InvalidInput(f"No message at seq {seq} in this room.")
    return item


def thread_root_at(*, room: Room, seq: int) -> Item:
    """A message that may start or carry a thread: not deleted, not itself a reply."""
    root = message_at(room=room, seq=seq)
    if root.deleted:
        raise InvalidInput("That message was deleted.")
    if root.thread_seq is not None:
        raise InvalidInput("That message is a reply; reply to its thread's root instead.")
    return root


def mentions_in(*, room: Room, body: str) -> tuple[list[str], list[int]]:
    """What `body` mentions in `room`: the `mentions` list (usernames of users who may read the
    room, in order of appearance, at most MAX_MENTIONS, then "@room") and their user ids."""
    names, room_mention = mentioned_names(body)
    found: list[tuple[str, int]] = []
    if names:
        wanted = [name.lower() for name in names]
        users = (
            get_user_model()
            ._default_manager.annotate(lowered=Lower("username"))
            .filter(lowered__in=wanted, is_active=True)
            .values_list("lowered", "username", "pk")
        )
        by_name = {lowered: (username, pk) for lowered, username, pk in users}
        readers = room_viewers(room.pk, [pk for _, pk in by_name.values()])
        found = [by_name[n] for n in wanted if n in by_name and by_name[n][1] in readers]
        found = found[:MAX_MENTIONS]
    mentions = [username for username, _ in found]
    if room_mention:
        mentions.append(ROOM)
    return mentions, [pk for _, pk in found]


def mention_rows_write(*, item: Item, room: Room, user_ids: list[int], mentions: list[str]) -> None:
    """The rows that count `item` (a message) as mentioning these users (and the room)."""
    rows = [Mention(item=item, room=room, seq=item.seq, user_id=pk) for pk in user_ids]
    if ROOM in mentions:
        rows.append(Mention(item=item, room=room, seq=item.seq, user=None))
    Mention.objects.bulk_create(rows)
