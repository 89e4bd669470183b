"""Server frames (docs/protocol.md, "Server frames"): every one Parley sends is built here.

Builders take typed values and return either the frame as a dict (to embed in another frame,
e.g. the items of a `history` reply) or, for the `*_text` ones, the encoded text that goes to
sockets as it is. Encoding is orjson's; `encode` is the one place a frame becomes text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson

from parley.core.errors import ErrorCode, ParleyError, RateLimited
from parley.wire.values import AttachmentValue, ItemValue, ProfileValue

# A client hides a typing indicator this long after the last `typing` frame (docs/protocol.md).
TYPING_DISPLAY_SECONDS = 6

Frame = dict[str, Any]


def encode(frame: Frame) -> str:
    return orjson.dumps(frame).decode()


def encode_bytes(value: object) -> bytes:
    """A part of a frame encoded once, to embed as it is (an orjson Fragment: member_lists.py)."""
    return orjson.dumps(value)


def reply(kind: str, ref: str | None, /, **fields: Any) -> str:
    """A frame of type `kind`, answering the client frame `ref` (None: not an answer). Both are
    positional-only: a frame may have fields named `kind` (`subscribed` of a direct room)."""
    frame: Frame = {"type": kind, **fields}
    if ref is not None:
        frame["ref"] = ref
    return encode(frame)


def format_ts(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-21T08:00:00.123Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def user_ref(username: str | None) -> Frame:
    return {"username": username}


def author_ref(value: ItemValue) -> Frame:
    """An item's author (`author` of a message, `user` of a change or an event): `username`,
    plus `display_name` when the message shows another name (a webhook's, or the author's
    profile's), `avatar` (a URL) when the author uploaded a picture and `bot` when a program
    wrote it (docs/protocol.md); none of these keys when it does not apply."""
    ref = user_ref(value.username)
    if value.display_name:
        ref["display_name"] = value.display_name
    if value.avatar:
        ref["avatar"] = value.avatar
    if value.bot:
        ref["bot"] = True
    return ref


# -- items -------------------------------------------------------------------------------------


def attachment(value: AttachmentValue) -> Frame:
    return {
        "name": value.name,
        "size": value.size,
        "content_type": value.content_type,
        "url": value.url,
    }


def item(value: ItemValue) -> Frame:
    """A timeline item: `message`, `edit`, `delete`, `reaction` or `event` (docs/protocol.md)."""
    ts = format_ts(value.created_at)
    if value.is_message:
        return _message(value, ts)
    if value.is_change:
        frame: Frame = {
            "type": value.kind,
            "room": value.room,
            "seq": value.seq,
            "id": value.id,
            "target": value.target,
            "user": author_ref(value),
            "ts": ts,
            "client_id": value.client_id,
        }
        if value.kind == "edit":
            frame["body"] = value.body
            frame["html"] = value.html
            if value.mentions:
                frame["mentions"] = list(value.mentions)
        elif value.kind == "reaction":
            frame["emoji"] = value.emoji
            frame["op"] = value.op
        return frame
    return _event(value, ts)


def _event(value: ItemValue, ts: str) -> Frame:
    """A membership event or a change of the room itself, with its kind's particulars
    (docs/protocol.md, "Events"): only the keys its kind has."""
    frame: Frame = {
        "type": "event",
        "room": value.room,
        "seq": value.seq,
        "id": value.id,
        "kind": value.kind,
        "user": author_ref(value),
        "ts": ts,
    }
    if value.by is not None:
        frame["by"] = user_ref(value.by)
    if value.kind == "rename":
        frame["name"] = value.name
        frame["previous"] = value.previous
    elif value.kind == "read_only":
        frame["on"] = bool(value.on)
    elif value.kind == "archive":
        frame["archived"] = bool(value.on)
    elif value.kind == "owner":
        frame["previous"] = user_ref(value.previous) if value.previous else None
    elif value.kind == "role":
        frame["role"] = value.role
    return frame


def _message(value: ItemValue, ts: str) -> Frame:
    frame: Frame = {
        "type": "message",
        "room": value.room,
        "seq": value.seq,
        "id": value.id,
        "author": author_ref(value),
        "body": value.body,
        "html": value.html,
        "ts": ts,
        "client_id": value.client_id,
    }
    if value.attachment is not None:
        frame["attachment"] = attachment(value.attachment)
    if value.thread is not None:
        frame["thread"] = value.thread
    if value.mentions:
        frame["mentions"] = list(value.mentions)
    # As it is now (history, backlogs): only what applies.
    if value.edited_at is not None:
        frame["edited"] = format_ts(value.edited_at)
    if value.deleted:
        frame["deleted"] = True
    if value.reactions:
        frame["reactions"] = [{"emoji": r.emoji, "users": list(r.users)} for r in value.reactions]
    if value.replies:
        frame["replies"] = value.replies
        if value.last_reply_at is not None:
            frame["last_reply_ts"] = format_ts(value.last_reply_at)
    if value.state_seq > value.seq:
        frame["state_seq"] = value.state_seq
    return frame


def item_text(value: ItemValue) -> str:
    return encode(item(value))


def ack_text(value: ItemValue, *, ref: str | None) -> str:
    """The answer to a `send`: where the message was stored (the first copy for a resend)."""
    return reply(
        "ack",
        ref,
        room=value.room,
        client_id=value.client_id,
        seq=value.seq,
        id=value.id,
        ts=format_ts(value.created_at),
    )


def history_text(
    *,
    room: str,
    items: Iterable[ItemValue],
    has_more: bool,
    ref: str | None,
    has_newer: bool | None = None,
    thread: int | None = None,
) -> str:
    """A page of items; `thread` (the root's seq) for a thread's page, `has_newer` for a page
    read `around` a seq."""
    fields: Frame = {"items": [item(v) for v in items], "has_more": has_more}
    if has_newer is not None:
        fields["has_newer"] = has_newer
    if thread is not None:
        fields["thread"] = thread
    return reply("history", ref, room=room, **fields)


def search_results(items: Iterable[ItemValue], *, next_cursor: str | None) -> Frame:
    """A page of search results (docs/protocol.md, "Search"): message items as history shows
    them, newest first, and the cursor of the next page (None on the last)."""
    return {"results": [item(v) for v in items], "next": next_cursor}


# -- rooms and membership ----------------------------------------------------------------------


def subscribed_text(
    *,
    room: str,
    last_seq: int,
    members: Any,
    ref: str | None,
    members_total: int | None = None,
    **reads: Any,
) -> str:
    """`members` may be an orjson Fragment (the list encoded once per room: member_lists);
    `members_total` only in a big room, whose `members` are its first page."""
    if members_total is not None:
        reads["members_total"] = members_total
    return reply("subscribed", ref, room=room, last_seq=last_seq, members=members, **reads)


def backlog_truncated_text(*, room: str, after: int, last_seq: int) -> str:
    return reply("backlog_truncated", None, room=room, after=after, last_seq=last_seq)


def unsubscribed_text(*, room: str, ref: str | None = None, removed: bool = False) -> str:
    """The socket no longer receives the room: asked for (`ref`), or `removed` by the server."""
    if removed:
        return reply("unsubscribed", ref, room=room, reason="removed")
    return reply("unsubscribed", ref, room=room)


def joined_text(*, room: str, ref: str | None) -> str:
    return reply("joined", ref, room=room)


def left_text(*, room: str, ref: str | None) -> str:
    return reply("left", ref, room=room)


def pong_text(*, ref: str | None) -> str:
    return reply("pong", ref)


def dm_text(*, room: str, users: list[str], ref: str | None) -> str:
    """The direct room of a set of people (`users`: every participant, sorted)."""
    return reply("dm", ref, room=room, users=users)


def notify_text(*, room: str, level: str, ref: str | None = None) -> str:
    """The user's notification level in `room`: an answer, or news for their other sockets."""
    return reply("notify", ref, room=room, level=level)


# -- reading, presence, typing -----------------------------------------------------------------


def read_text(*, room: str, seq: int, ref: str | None = None) -> str:
    """The user's read pointer in `room`: an answer to `read`, or news for their other sockets."""
    return reply("read", ref, room=room, seq=seq)


def receipt_text(*, room: str, username: str | None, seq: int) -> str:
    return encode({"type": "receipt", "room": room, "user": user_ref(username), "seq": seq})


def typing_text(*, room: str, username: str | None) -> str:
    """Someone is typing in `room`; clients hide it TYPING_DISPLAY_SECONDS after the last one."""
    return encode({"type": "typing", "room": room, "user": user_ref(username)})


def member(
    *,
    username: str,
    online: bool,
    idle: bool,
    display_name: str = "",
    status_emoji: str = "",
    status_text: str = "",
    dnd_until: datetime | None = None,
) -> Frame:
    """One entry of `subscribed`'s `members`: the profile keys only when set (docs/protocol.md),
    so a member without a profile is as before."""
    frame: Frame = {"username": username, "online": online, "idle": idle}
    _person(frame, display_name, status_emoji, status_text, dnd_until)
    return frame


def _person(
    frame: Frame,
    display_name: str,
    status_emoji: str,
    status_text: str,
    dnd_until: datetime | None,
) -> None:
    if display_name:
        frame["display_name"] = display_name
    if status_emoji or status_text:
        frame["status"] = {"emoji": status_emoji, "text": status_text}
    if dnd_until is not None:
        frame["dnd_until"] = format_ts(dnd_until)


def profile_text(value: ProfileValue) -> str:
    """A person's profile changed: all of what a member list and a message show of them, a key
    absent when empty (so absent means cleared, not unknown)."""
    user = user_ref(value.username)
    _person(user, value.display_name, value.status_emoji, value.status_text, value.dnd_until)
    if value.avatar:
        user["avatar"] = value.avatar
    return encode({"type": "profile", "user": user})


def presence_text(*, room: str, username: str | None, online: bool, idle: bool) -> str:
    return encode(
        {
            "type": "presence",
            "room": room,
            "user": user_ref(username),
            "online": online,
            "idle": idle,
        }
    )


def presence_users_text(*, room: str, users: list[tuple[str, bool, bool]]) -> str:
    """A room's batched presence changes: (username, online, idle) each, a user once."""
    return encode(
        {
            "type": "presence",
            "room": room,
            "users": [
                {"username": username, "online": online, "idle": idle}
                for username, online, idle in users
            ],
        }
    )


def members_text(
    *, room: str, offset: int, members_total: int, members: Any, ref: str | None
) -> str:
    """A page of a room's members (entries as `member`); `members` may be an orjson Fragment."""
    return reply(
        "members", ref, room=room, offset=offset, members_total=members_total, members=members
    )


def presence_watch_text(*, room: str, watch: bool, ref: str | None) -> str:
    return reply("presence_watch", ref, room=room, watch=watch)


# -- errors ------------------------------------------------------------------------------------


def error_text(code: ErrorCode | str, message: str, ref: str | None = None, **extra: Any) -> str:
    return reply("error", ref, code=str(code), message=message, **extra)


def error_document(code: ErrorCode | str, message: str, **extra: Any) -> Frame:
    """{"error": {code, message, …}}: a refusal as a JSON answer over HTTP (docs/protocol.md)."""
    return {"error": {"code": str(code), "message": message, **extra}}


def refusal_document(exc: ParleyError) -> Frame:
    """The JSON answer of a domain refusal, `retry_after` included for a rate limit."""
    if isinstance(exc, RateLimited):
        return error_document(exc.code, exc.message, retry_after=exc.retry_after)
    return error_document(exc.code, exc.message)


def refusal_text(exc: ParleyError, ref: str | None = None) -> str:
    """The `error` frame of a domain refusal, `retry_after` included for a rate limit."""
    if isinstance(exc, RateLimited):
        return error_text(exc.code, exc.message, ref, retry_after=exc.retry_after)
    return error_text(exc.code, exc.message, ref)


# -- REST API documents (docs/api.md): the same item objects as the socket's frames -----------


def item_document(value: ItemValue) -> Frame:
    """{"item": …}: the answer of an API write (a message, edit, delete or reaction item)."""
    return {"item": item(value)}


def items_document(
    items: Iterable[ItemValue],
    *,
    has_more: bool,
    has_newer: bool | None = None,
    thread: int | None = None,
) -> Frame:
    """A page of items as `history` carries it, without the frame's `type`, `room` and `ref`."""
    document: Frame = {"items": [item(v) for v in items], "has_more": has_more}
    if has_newer is not None:
        document["has_newer"] = has_newer
    if thread is not None:
        document["thread"] = thread
    return document


def room_summary(
    *, slug: str, name: str, kind: str, member: bool, last_seq: int, unread: int
) -> Frame:
    """One entry of the API's room list (`kind`: public, private or direct)."""
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "member": member,
        "last_seq": last_seq,
        "unread": unread,
    }


def rooms_document(rooms: Iterable[Frame]) -> Frame:
    return {"rooms": list(rooms)}


def members_document(*, room: str, members: Iterable[tuple[str, str]]) -> Frame:
    """A room's members as (username, role), role `owner`, `moderator` or `member`."""
    return {
        "room": room,
        "members": [{"username": username, "role": role} for username, role in members],
    }


def membership_document(*, room: str, member: bool, event: ItemValue | None) -> Frame:
    """The answer of a join or leave: whether the user is now a member, and the `join`/`leave`
    event it wrote (None when nothing changed)."""
    return {"room": room, "member": member, "item": item(event) if event is not None else None}


def dm_document(*, room: str, users: list[str]) -> Frame:
    """The direct room of a set of people, as the `dm` frame says it (without `type`/`ref`)."""
    return {"room": room, "users": users}


def read_document(*, room: str, seq: int) -> Frame:
    """The user's read pointer in `room` after a move, as the `read` frame says it."""
    return {"room": room, "seq": seq}


def profile_document(value: ProfileValue) -> Frame:
    """A person's profile card (docs/api.md, "Users"): every key always present."""
    return {
        "username": value.username,
        "display_name": value.display_name,
        "avatar": value.avatar,
        "bot": value.bot,
        "status": {"emoji": value.status_emoji, "text": value.status_text},
        "time_zone": value.time_zone,
        "dnd_until": format_ts(value.dnd_until) if value.dnd_until is not None else None,
    }
