"""Client frames in, typed commands out (docs/protocol.md, "Client frames"), sans I/O.

Bounds that need the database's answer first (a room must be found before a body is judged
too long) are checked by the services; this layer checks JSON, types and the frame size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

import orjson

from parley.core.errors import ErrorCode

MAX_REF_CHARS = 64


class FrameError(Exception):
    """A client frame that gets an `error` frame instead of a command."""

    def __init__(self, code: ErrorCode, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


@dataclass(frozen=True, slots=True)
class Command:
    ref: str | None


@dataclass(frozen=True, slots=True)
class Subscribe(Command):
    room: str
    after: int | None


@dataclass(frozen=True, slots=True)
class Unsubscribe(Command):
    room: str


@dataclass(frozen=True, slots=True)
class Join(Command):
    room: str


@dataclass(frozen=True, slots=True)
class Leave(Command):
    room: str


@dataclass(frozen=True, slots=True)
class Send(Command):
    room: str
    body: str
    client_id: str
    thread: int | None = None


@dataclass(frozen=True, slots=True)
class Edit(Command):
    room: str
    target: int
    body: str
    client_id: str


@dataclass(frozen=True, slots=True)
class Delete(Command):
    room: str
    target: int
    client_id: str


@dataclass(frozen=True, slots=True)
class React(Command):
    room: str
    target: int
    emoji: str
    # Any string: a value other than "add"/"remove" is `invalid`, judged after the room.
    op: str
    client_id: str


@dataclass(frozen=True, slots=True)
class History(Command):
    room: str
    before: int | None
    limit: int
    thread: int | None = None
    around: int | None = None


@dataclass(frozen=True, slots=True)
class Dm(Command):
    users: list[str]


@dataclass(frozen=True, slots=True)
class Notify(Command):
    room: str
    level: str


@dataclass(frozen=True, slots=True)
class Ping(Command):
    pass


@dataclass(frozen=True, slots=True)
class Typing(Command):
    room: str


@dataclass(frozen=True, slots=True)
class Read(Command):
    room: str
    seq: int


@dataclass(frozen=True, slots=True)
class Members(Command):
    """A page of a room's member list (docs/protocol.md "Big rooms"); bounds are checked by
    the selector, after the room is found."""

    room: str
    offset: int
    limit: int
    query: str


@dataclass(frozen=True, slots=True)
class PresenceWatch(Command):
    room: str
    watch: bool


class ActivityState(StrEnum):
    ACTIVE = "active"
    IDLE = "idle"


@dataclass(frozen=True, slots=True)
class Activity(Command):
    # Any string: a value outside ActivityState is `invalid`, judged after the size check.
    state: str


DEFAULT_HISTORY_LIMIT = 50
DEFAULT_MEMBERS_LIMIT = 100

# A client frame as JSON decodes it: its fields are checked one by one below.
ClientFrame: TypeAlias = dict[str, object]


def _str(frame: ClientFrame, key: str, ref: str | None) -> str:
    value = frame.get(key)
    if not isinstance(value, str):
        raise FrameError(ErrorCode.BAD_FRAME, f"`{key}` must be a string.", ref)
    return value


def _optional_int(frame: ClientFrame, key: str, ref: str | None) -> int | None:
    value = frame.get(key)
    if value is None:
        return None
    # orjson reads integers outside 64 bits as floats: such a whole number is still an integer
    # (beyond any seq or limit, so judged by the bounds checks), not a field of the wrong type.
    if isinstance(value, float) and value.is_integer() and abs(value) >= 2**63:
        return int(value)
    # bool is an int in Python, but `true` is not a seq.
    if not isinstance(value, int) or isinstance(value, bool):
        raise FrameError(ErrorCode.BAD_FRAME, f"`{key}` must be an integer.", ref)
    return value


def _int(frame: ClientFrame, key: str, ref: str | None) -> int:
    value = _optional_int(frame, key, ref)
    if value is None:
        raise FrameError(ErrorCode.BAD_FRAME, f"`{key}` must be an integer.", ref)
    return value


def _subscribe(f: ClientFrame, ref: str | None) -> Command:
    return Subscribe(ref=ref, room=_str(f, "room", ref), after=_optional_int(f, "after", ref))


def _unsubscribe(f: ClientFrame, ref: str | None) -> Command:
    return Unsubscribe(ref=ref, room=_str(f, "room", ref))


def _join(f: ClientFrame, ref: str | None) -> Command:
    return Join(ref=ref, room=_str(f, "room", ref))


def _leave(f: ClientFrame, ref: str | None) -> Command:
    return Leave(ref=ref, room=_str(f, "room", ref))


def _send(f: ClientFrame, ref: str | None) -> Command:
    return Send(
        ref=ref,
        room=_str(f, "room", ref),
        body=_str(f, "body", ref),
        client_id=_str(f, "client_id", ref),
        thread=_optional_int(f, "thread", ref),
    )


def _edit(f: ClientFrame, ref: str | None) -> Command:
    return Edit(
        ref=ref,
        room=_str(f, "room", ref),
        target=_int(f, "target", ref),
        body=_str(f, "body", ref),
        client_id=_str(f, "client_id", ref),
    )


def _delete(f: ClientFrame, ref: str | None) -> Command:
    return Delete(
        ref=ref,
        room=_str(f, "room", ref),
        target=_int(f, "target", ref),
        client_id=_str(f, "client_id", ref),
    )


def _react(f: ClientFrame, ref: str | None) -> Command:
    return React(
        ref=ref,
        room=_str(f, "room", ref),
        target=_int(f, "target", ref),
        emoji=_str(f, "emoji", ref),
        op=_str(f, "op", ref),
        client_id=_str(f, "client_id", ref),
    )


def _history(f: ClientFrame, ref: str | None) -> Command:
    limit = _optional_int(f, "limit", ref)
    return History(
        ref=ref,
        room=_str(f, "room", ref),
        before=_optional_int(f, "before", ref),
        limit=DEFAULT_HISTORY_LIMIT if limit is None else limit,
        thread=_optional_int(f, "thread", ref),
        around=_optional_int(f, "around", ref),
    )


def _dm(f: ClientFrame, ref: str | None) -> Command:
    users = f.get("users")
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise FrameError(ErrorCode.BAD_FRAME, "`users` must be a list of usernames.", ref)
    return Dm(ref=ref, users=list(users))


def _notify(f: ClientFrame, ref: str | None) -> Command:
    return Notify(ref=ref, room=_str(f, "room", ref), level=_str(f, "level", ref))


def _ping(f: ClientFrame, ref: str | None) -> Command:
    return Ping(ref=ref)


def _typing(f: ClientFrame, ref: str | None) -> Command:
    return Typing(ref=ref, room=_str(f, "room", ref))


def _read(f: ClientFrame, ref: str | None) -> Command:
    return Read(ref=ref, room=_str(f, "room", ref), seq=_int(f, "seq", ref))


def _members(f: ClientFrame, ref: str | None) -> Command:
    offset = _optional_int(f, "offset", ref)
    limit = _optional_int(f, "limit", ref)
    query = f.get("query", "")
    if query is None:
        query = ""
    if not isinstance(query, str):
        raise FrameError(ErrorCode.BAD_FRAME, "`query` must be a string.", ref)
    return Members(
        ref=ref,
        room=_str(f, "room", ref),
        offset=0 if offset is None else offset,
        limit=DEFAULT_MEMBERS_LIMIT if limit is None else limit,
        query=query,
    )


def _presence_watch(f: ClientFrame, ref: str | None) -> Command:
    watch = f.get("watch")
    if not isinstance(watch, bool):
        raise FrameError(ErrorCode.BAD_FRAME, "`watch` must be true or false.", ref)
    return PresenceWatch(ref=ref, room=_str(f, "room", ref), watch=watch)


def _activity(f: ClientFrame, ref: str | None) -> Command:
    return Activity(ref=ref, state=_str(f, "state", ref))


PARSERS: dict[str, Callable[[ClientFrame, str | None], Command]] = {
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "join": _join,
    "leave": _leave,
    "send": _send,
    "edit": _edit,
    "delete": _delete,
    "react": _react,
    "history": _history,
    "dm": _dm,
    "notify": _notify,
    "ping": _ping,
    "typing": _typing,
    "read": _read,
    "activity": _activity,
    "members": _members,
    "presence_watch": _presence_watch,
}


def parse_frame(text: str | None, *, max_bytes: int) -> Command:
    """Turn one client text frame into a command, or raise FrameError.

    Order of checks follows docs/protocol.md: bad_frame, unknown_type, then too_large. `text` is
    None for a binary frame. JSON is strict (no NaN/Infinity, no lone surrogates, bounded nesting).
    """
    if text is None:
        raise FrameError(ErrorCode.BAD_FRAME, "Frames are UTF-8 JSON text, not binary.")
    try:
        frame = orjson.loads(text)
    except (orjson.JSONDecodeError, UnicodeEncodeError, RecursionError):
        raise FrameError(ErrorCode.BAD_FRAME, "The frame is not valid JSON.") from None
    if not isinstance(frame, dict):
        raise FrameError(ErrorCode.BAD_FRAME, "A frame is a JSON object.")
    ref = frame.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF_CHARS):
        raise FrameError(ErrorCode.BAD_FRAME, f"`ref` is a string of at most {MAX_REF_CHARS}.")
    kind = frame.get("type")
    if not isinstance(kind, str):
        raise FrameError(ErrorCode.BAD_FRAME, "A frame needs a string `type`.", ref)
    parser = PARSERS.get(kind)
    if parser is None:
        raise FrameError(ErrorCode.UNKNOWN_TYPE, f"Unknown frame type {kind[:40]!r}.", ref)
    command = parser(frame, ref)
    # Up to 4 UTF-8 bytes a character: encode only when the frame could be over the limit.
    if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise FrameError(ErrorCode.TOO_LARGE, f"Frames are at most {max_bytes} bytes.", ref)
    return command
