"""`subscribe`: the `subscribed` reply, the backlog after `after`, then the room live.

The order matters and is kept here, in one place:

1. the room is looked up (and the read limit counted: services.room_read_access);
2. the socket's subscription begins: live items are buffered, presence and receipts held;
3. the hub joins the room's group *before* the room's last seq is read, so every item after
   that seq reaches the buffer, and the backlog covers everything up to it;
4. the backlog is read (from this process's room cache where a subscriber before read it),
   with the member list, their statuses and profiles (encoded once per room: member_lists.py);
5. `subscribed` and the backlog are sent, then what the buffer holds beyond it, then the held
   presence; the hub starts forwarding the room from that seq.

A subscription the hub ended meanwhile (the user was removed) answers `room_not_found`.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import orjson
from django.conf import settings

from parley.core.errors import RoomNotFound
from parley.core.types import AuthUser
from parley.realtime.connection import Connection
from parley.realtime.database import timed_database_call
from parley.realtime.hub import Hub
from parley.realtime.member_lists import member_lists
from parley.realtime.room_cache import room_cache
from parley.rooms import selectors, services
from parley.rooms.values import item_value
from parley.wire import commands, frames


class SubscribedReads(TypedDict):
    """The `subscribed` frame's read state: the user's pointer, their unread count, and in a
    room small enough for receipts every member's pointer."""

    last_read: int
    unread: int
    mentions: int
    level: str
    read_by: NotRequired[dict[str, int]]
    kind: NotRequired[str]
    users: NotRequired[list[str]]
    read_only: NotRequired[bool]
    archived: NotRequired[bool]


@timed_database_call
def _room(user: AuthUser, slug: str, after: int | None) -> tuple[int, str]:
    room = services.room_read_access(user=user, slug=slug, after=after)
    return room.pk, room.slug


@timed_database_call
def _backlog(
    user: AuthUser, room_id: int, slug: str, after: int | None, limit: int
) -> tuple[selectors.Backlog, list[str], SubscribedReads]:
    """The `subscribed` reply's reads. The member rows and the item frames, the same for every
    subscriber, come from this process's room cache when a subscriber before read them."""
    # Read before the items: frames read across a change to a message are not kept.
    forgets = room_cache.forgets(room_id)
    backlog = selectors.room_backlog(room_id, after=after, limit=limit, cache=room_cache)
    # Access again, after the read: for a user removed before `last_seq` was read, the leave
    # event may be behind this subscription's cursor already and would never end it.
    room = selectors.access_room(user=user, slug=slug)
    rendered = {
        item.seq: frames.item_text(item_value(item, room_slug=slug)) for item in backlog.items
    }
    backlog_frames = [*backlog.cached, *rendered.values()]
    assert backlog.version is not None  # read with a cache
    room_cache.keep_frames(backlog.version, rendered, since=forgets)
    last_read, unread = selectors.backlog_unread_count(user=user, backlog=backlog, cache=room_cache)
    level, mentions = selectors.subscriber_state(
        user=user, room=room, last_read=last_read, upto=backlog.last_seq
    )
    reads: SubscribedReads = {
        "last_read": last_read,
        "unread": unread,
        "mentions": mentions,
        "level": services.effective_level(room=room, level=level),
    }
    # Only when so: a socket-only client knows before it sends that `send` would be refused.
    if room.read_only:
        reads["read_only"] = True
    if room.archived_at is not None:
        reads["archived"] = True
    if room.is_direct:
        reads["kind"] = "direct"
        reads["users"] = list(backlog.members)
    if services.receipts_shown(len(backlog.members)):
        max_members = settings.PARLEY["RECEIPTS_MAX_MEMBERS"]
        reads["read_by"] = selectors.room_read_pointers(room_id, max_members=max_members) or {}
    return backlog, backlog_frames, reads


async def _members(
    hub: Hub, room_id: int, backlog: selectors.Backlog, epoch: int | None
) -> orjson.Fragment:
    """The member list built (or kept) for these statuses; the members' profiles are read only
    when none are kept for the room at this last seq (one query)."""
    assert backlog.version is not None
    presence = await hub.presence_of(backlog.member_ids)
    statuses = [presence[uid] for uid in backlog.member_ids]
    since = None
    profiles = member_lists.profiles(backlog.version, backlog.last_seq)
    if profiles is None:
        since = member_lists.mark(room_id)
        profiles = await timed_database_call(selectors.room_member_profiles)(room_id)
    return member_lists.encoded(
        backlog.version,
        backlog.last_seq,
        backlog.members,
        statuses,
        epoch=epoch,
        profiles=profiles,
        since=since,
    )


async def subscribe(*, user: AuthUser, conn: Connection, hub: Hub, cmd: commands.Subscribe) -> None:
    room_id, slug = await _room(user, cmd.room, cmd.after)
    is_new = room_id not in conn.subscriptions
    subscription = conn.begin_subscription(room_id, slug, replay=cmd.after is not None)
    if is_new:
        await hub.attach(conn, room_id)
    try:
        backlog, backlog_frames, reads = await _backlog(
            user, room_id, slug, cmd.after, settings.PARLEY["REPLAY_LIMIT"]
        )
        # Read after the group was joined: a change after this reaches the held frames.
        # Unless no status changed since a subscriber before read them (the epoch).
        epoch = None if hub.presence is None else hub.presence.epoch
        assert backlog.version is not None
        members = member_lists.current(backlog.version, backlog.last_seq, epoch)
        if members is None:
            members = await _members(hub, room_id, backlog, epoch)
    except BaseException:
        if is_new:
            hub.detach(conn, room_id)
        else:
            conn.abandon_subscription(subscription)
        raise
    if not conn.is_subscribed(subscription):
        # Removed from the room while its backlog was read: the hub ended the subscription
        # and sent `unsubscribed`; a `subscribed` now would contradict it.
        raise RoomNotFound()
    replay = [
        frames.subscribed_text(
            room=slug, last_seq=backlog.last_seq, members=members, ref=cmd.ref, **reads
        ),
        *backlog_frames,
    ]
    if backlog.truncated:
        assert cmd.after is not None  # only a replay is cut; its seqs have no gaps
        replay.append(
            frames.backlog_truncated_text(
                room=slug, after=cmd.after + len(backlog_frames), last_seq=backlog.last_seq
            )
        )
    live_from = backlog.last_seq if is_new or cmd.after is not None else None
    conn.complete_subscription(subscription, replay, live_from=live_from)
    hub.start_cursor(room_id, backlog.last_seq)
