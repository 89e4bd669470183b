"""The typed values the domain hands to the wire: plain data, no models, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MESSAGE = "message"


@dataclass(frozen=True, slots=True)
class AttachmentValue:
    name: str
    size: int
    content_type: str
    url: str


@dataclass(frozen=True, slots=True)
class ItemValue:
    """One timeline item of a room: a message (`kind` "message") or an event ("join", "leave")."""

    room: str  # the room's slug
    seq: int
    id: int
    kind: str
    username: str | None  # None: the author's account was deleted
    created_at: datetime
    body: str = ""
    client_id: str | None = None
    attachment: AttachmentValue | None = None

    @property
    def is_message(self) -> bool:
        return self.kind == MESSAGE
