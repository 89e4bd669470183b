"""The API's request bodies and answers, as the OpenAPI document declares them.

Answers are built by parley/wire/frames.py (the socket's own item objects); these classes only
describe them. Request fields are strict: `body: 123` or `seq: "3"` is refused (400 `invalid`),
not coerced, as the socket refuses a field of the wrong type.
"""

from __future__ import annotations

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

# The statuses of refusals any endpoint may give (docs/api.md, "Errors"); 503 is `unavailable`.
REFUSALS = frozenset({400, 401, 403, 404, 413, 429, 503})


class Item(BaseModel):
    """A timeline item exactly as the socket sends it (docs/protocol.md, "Items"): the fields
    every item has are declared; the others of its `type` (`author`, `body`, `html`,
    `client_id`, `target`, `emoji`, `kind`, …) come along as they are."""

    # A plain pydantic model: ninja's Schema reads attributes, which would drop the extras.
    model_config = ConfigDict(extra="allow")

    type: str = Field(description="message, edit, delete, reaction or event")
    room: str
    seq: int
    id: int
    ts: str


class Strict(Schema):
    model_config = ConfigDict(strict=True)


class ErrorBody(Schema):
    code: str
    message: str
    retry_after: float | None = Field(None, description="Seconds to wait (rate_limited only).")


class ErrorDocument(Schema):
    error: ErrorBody


class ItemDocument(Schema):
    item: Item


class ItemsPage(BaseModel):
    """A page of items; also `has_newer` (bool) for a page read `around` a seq, and `thread`
    (the root's seq) for a thread's page, only then (as the `history` frame has them)."""

    model_config = ConfigDict(extra="allow")

    items: list[Item]
    has_more: bool


class RoomSummary(Schema):
    slug: str
    name: str
    kind: str = Field(description="public, private or direct")
    member: bool
    last_seq: int
    unread: int


class RoomList(Schema):
    rooms: list[RoomSummary]


class Member(Schema):
    username: str
    role: str = Field(description="owner, moderator or member")


class MemberList(Schema):
    room: str
    members: list[Member]


class MembershipDocument(Schema):
    room: str
    member: bool
    item: Item | None = Field(description="The join/leave event written; null if no change.")


class DirectDocument(Schema):
    room: str
    users: list[str]


class ReadDocument(Schema):
    room: str
    seq: int


class MessageIn(Strict):
    body: str
    thread: int | None = Field(None, description="Reply in the thread of the message at this seq.")


class EditIn(Strict):
    body: str


class ReactionIn(Strict):
    emoji: str


class DirectIn(Strict):
    users: list[str]


class ReadIn(Strict):
    seq: int


class UserStatus(Schema):
    emoji: str = Field(description="One emoji, or empty")
    text: str


class UserProfile(Schema):
    username: str
    display_name: str = Field(description="Shown instead of the username; empty: none")
    avatar: str | None = Field(description="URL of the picture (signed-in only); null: none")
    bot: bool
    status: UserStatus
    time_zone: str = Field(description="IANA time zone name; empty: not said")
    dnd_until: str | None = Field(description="Do not disturb until then (UTC); null: not on")
