"""The typed values the domain hands to the wire: plain data, no models, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MESSAGE = "message"
# Items that change an earlier message (its seq is their `target`).
CHANGES = frozenset({"edit", "delete", "reaction"})


@dataclass(frozen=True, slots=True)
class AttachmentValue:
    name: str
    size: int
    content_type: str
    url: str


@dataclass(frozen=True, slots=True)
class ReactionValue:
    emoji: str
    users: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ItemValue:
    """One timeline item of a room: a message (`kind` "message"), a change to one ("edit",
    "delete", "reaction": `target` is its seq) or an event ("join", "leave", and the room's own
    changes: "rename", "read_only", "archive", "owner", "role").

    A message read from the database shows itself as it is now: `edited_at`, `deleted`,
    `reactions`, `replies`, `last_reply_at` and `state_seq` (the last item that changed it, 0:
    none); a message as sent has none of them."""

    room: str  # the room's slug
    seq: int
    id: int
    kind: str
    username: str | None  # None: the author's account was deleted
    created_at: datetime
    body: str = ""
    client_id: str | None = None
    attachment: AttachmentValue | None = None
    html: str = ""
    thread: int | None = None
    mentions: tuple[str, ...] = ()
    target: int | None = None
    emoji: str = ""
    op: str = ""
    edited_at: datetime | None = None
    deleted: bool = False
    reactions: tuple[ReactionValue, ...] = ()
    replies: int = 0
    last_reply_at: datetime | None = None
    state_seq: int = 0
    # The name the author shows on this message instead of their username ("" = the username): an
    # incoming webhook's name, or its payload's `username`, else the author's profile's.
    display_name: str = ""
    # The author is a bot user (a program: an incoming webhook's, or one made by staff).
    bot: bool = False
    # The URL of the author's uploaded picture (None: the client draws their initial).
    avatar: str | None = None
    # An event done to `username` by someone else (a removal, a role, ownership given): who did
    # it (None: nobody else, or their account was deleted).
    by: str | None = None
    # An event's particulars (rooms/services/roles.py): the room's `name` and `previous` name
    # (rename), `previous` owner (owner), `on` (read_only, archive), `role` (role).
    name: str = ""
    previous: str | None = None
    on: bool | None = None
    role: str = ""

    @property
    def is_message(self) -> bool:
        return self.kind == MESSAGE

    @property
    def is_change(self) -> bool:
        return self.kind in CHANGES


@dataclass(frozen=True, slots=True)
class ProfileValue:
    """What others see of a person (their profile card, `GET /api/v1/users/<username>`)."""

    username: str
    display_name: str  # "" = none: shown as the username
    avatar: str | None  # the picture's URL; None = the generated initial
    bot: bool
    status_emoji: str
    status_text: str
    time_zone: str  # an IANA name, "" = not said
    dnd_until: datetime | None  # "do not disturb" ends then; None = not on
