"""Reactions: an emoji added to or removed from a message, an item of the timeline like any.

The target's `reactions` list is kept in step in the same transaction: [{"emoji", "users"}…] in
the order each emoji was first added, each emoji's users in the order they reacted.
"""

from __future__ import annotations

from typing import Any

import emoji as emoji_data
from django.db import transaction

from parley.core.errors import InvalidInput
from parley.core.types import AuthUser
from parley.rooms.models import Item, Room
from parley.rooms.services.permissions import check_can_react
from parley.rooms.services.sequence import item_append
from parley.rooms.services.targets import message_at
from parley.rooms.services.writes import PostResult, item_write_once, reserve_seq_once

# Distinct emoji one message may carry.
MAX_EMOJI_PER_MESSAGE = 20
OPS = ("add", "remove")
_FULLY_QUALIFIED = emoji_data.STATUS["fully_qualified"]


def is_one_emoji(text: str) -> bool:
    """Exactly one fully-qualified emoji of the Unicode list (ZWJ sequences, skin tones and
    flags included), as the `emoji` package knows them."""
    entry = emoji_data.EMOJI_DATA.get(text)
    return entry is not None and entry["status"] == _FULLY_QUALIFIED


def emoji_catalogue() -> list[tuple[str, str]]:
    """Every emoji a reaction may be, with its English name ("thumbs up"), in the package's
    order (Unicode's groups): what the client's picker searches."""
    return [
        (char, data["en"].strip(":").replace("_", " "))
        for char, data in emoji_data.EMOJI_DATA.items()
        if data["status"] == _FULLY_QUALIFIED
    ]


def check_reaction(*, emoji: str, op: str) -> None:
    if op not in OPS:
        raise InvalidInput("`op` is `add` or `remove`.")
    if not is_one_emoji(emoji):
        raise InvalidInput("`emoji` must be exactly one emoji.")


def reactions_after(
    reactions: list[dict[str, Any]] | None, *, emoji: str, op: str, username: str
) -> list[dict[str, Any]]:
    """The list once `username` adds or removes `emoji`; InvalidInput when that changes nothing
    or would make a 21st emoji."""
    current = [dict(entry, users=list(entry["users"])) for entry in reactions or []]
    entry = next((e for e in current if e["emoji"] == emoji), None)
    if op == "add":
        if entry is not None and username in entry["users"]:
            raise InvalidInput("You already reacted with that emoji.")
        if entry is None:
            if len(current) >= MAX_EMOJI_PER_MESSAGE:
                raise InvalidInput(f"A message has at most {MAX_EMOJI_PER_MESSAGE} emoji.")
            current.append({"emoji": emoji, "users": [username]})
        else:
            entry["users"].append(username)
        return current
    if entry is None or username not in entry["users"]:
        raise InvalidInput("You have not reacted with that emoji.")
    entry["users"].remove(username)
    return [e for e in current if e["users"]]


def reaction_set(
    *,
    user: AuthUser,
    room_slug: str,
    target: int,
    emoji: str,
    op: str,
    client_id: str,
    socket_id: str | None = None,
) -> PostResult:
    """Add (`op` "add") or remove `user`'s `emoji` on the message at seq `target`, once per
    `client_id`. RoomNotFound, NotAMember, Forbidden in an archived room (a read-only one takes
    reactions from everyone: `check_can_react`), then InvalidInput: not a message of this room, a
    deleted one, not exactly one emoji, a bad `op`, a change that changes nothing, a 21st emoji.
    Emits the `reaction` item after commit."""

    def write(room: Room) -> Item:
        with transaction.atomic():
            seq = reserve_seq_once(user=user, room=room, client_id=client_id)
            message = message_at(room=room, seq=target)
            if message.deleted:
                raise InvalidInput("That message was deleted.")
            check_reaction(emoji=emoji, op=op)
            reactions = reactions_after(
                message.reactions, emoji=emoji, op=op, username=user.username
            )
            item = item_append(
                room=room,
                kind=Item.Kind.REACTION,
                user=user,
                client_id=client_id,
                seq=seq,
                target_seq=target,
                emoji=emoji,
                op=op,
            )
            Item.objects.filter(pk=message.pk).update(
                reactions=reactions or None, state_seq=item.seq
            )
        return item

    return item_write_once(
        user=user,
        room_slug=room_slug,
        client_id=client_id,
        socket_id=socket_id,
        check=check_can_react,
        write=write,
    )
