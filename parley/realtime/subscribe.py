"""`subscribe`: the `subscribed` reply, the backlog after `after`, then the room live.

The order matters and is kept here, in one place:

1. the room is looked up (and the read limit counted: services.room_read_access);
2. the socket's subscription begins: live items are buffered, presence and receipts held;
3. the hub joins the room's group *before* the room's last seq is read, so every item after
   that seq reaches the buffer, and the backlog covers everything up to it;
4. the backlog is read (from this process's room cache where a subscriber before read it),
   with the member list, their statuses and profiles (encoded once per room: member_pages.py);
5. `subscribed` and the backlog are sent, then what the buffer holds beyond it, then the held
   presence; the hub starts forwarding the room from that seq.

A subscription the hub ended meanwhile (the user was removed) answers `room_not_found`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple, NotRequired, TypedDict, cast

from django.conf import settings

from parley.core import ratelimit
from parley.core.errors import RoomNotFound
from parley.core.types import AuthUser
from parley.realtime.batched_lookup import BatchedLookup
from parley.realtime.connection import Connection, Subscription
from parley.realtime.database import database_threads, timed_database_call
from parley.realtime.hub import Hub
from parley.realtime.member_pages import ListedMembers, subscribed_members
from parley.realtime.room_cache import room_cache
from parley.rooms import selectors, services
from parley.rooms.models import Room
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


# The ids of rooms every signed-in user may read (public, not staff-only), by slug, as this
# process last found them: a subscribe to one skips step 1's query. That lookup only names the
# room whose group to join; who may see it is decided after the read, in `_backlog`, which
# forgets a slug that no longer names that public room. Bounded: the most recent MAX_OPEN_ROOMS.
MAX_OPEN_ROOMS = 4096
_open_rooms: OrderedDict[str, int] = OrderedDict()


class _SlugMoved(Exception):
    """The slug remembered in `_open_rooms` names another room now (deleted, made anew)."""


_open_rooms_lock = threading.Lock()  # written from the database threads


def _remember(room: Room) -> None:
    with _open_rooms_lock:
        if room.visibility == Room.Visibility.PUBLIC and not room.staff_only:
            _open_rooms[room.slug] = room.pk
            _open_rooms.move_to_end(room.slug)
            while len(_open_rooms) > MAX_OPEN_ROOMS:
                _open_rooms.popitem(last=False)
        else:
            _open_rooms.pop(room.slug, None)


@timed_database_call
def _room_looked_up(user: AuthUser, slug: str, after: int | None, counted: bool) -> tuple[int, str]:
    room = services.room_read_access(user=user, slug=slug, after=after, counted=counted)
    _remember(room)
    return room.pk, room.slug


async def _room(
    user: AuthUser, slug: str, after: int | None, *, counted: bool = False
) -> tuple[int, str]:
    """Step 1: the room's id and slug, the read limit counted unless `counted` already
    (services.room_read_access's checks in its order; a room known to be open to everyone is not
    looked up)."""
    room_id = None if counted else _open_rooms.get(slug)
    if room_id is None:
        return await _room_looked_up(user, slug, after, counted)
    await ratelimit.acheck(ratelimit.Action.READ, user=user)
    selectors.check_cursor(after, name="after")
    return room_id, slug


# A subscribe's reads: the `subscribed` reply's backlog, item frames and read state.
BacklogReads = tuple[selectors.Backlog, list[str], SubscribedReads]


class BacklogKey(NamedTuple):
    """What one subscriber's reads depend on (a user twice in one batch is read once)."""

    user: AuthUser
    room_id: int
    slug: str
    after: int | None
    limit: int


# Subscribes of different sockets whose reads wait at the same time (a room's members opening
# their laptops) read in one database call, one after the other: a hop to a database thread per
# subscriber was as much of the event loop's time as the reads were of the thread's.
BACKLOGS_PER_CALL = 50


@timed_database_call
def _backlogs(keys: list[BacklogKey]) -> dict[BacklogKey, BacklogReads | Exception]:
    """Each key's reads (`_backlog_read`), or the error they raised: one subscriber's error is
    only theirs."""
    found: dict[BacklogKey, BacklogReads | Exception] = {}
    for key in keys:
        try:
            found[key] = _backlog_read(*key)
        except Exception as exc:
            found[key] = exc
    return found


def _copy_reads(reads: BacklogReads) -> BacklogReads:
    backlog, backlog_frames, subscribed = reads
    return backlog, list(backlog_frames), cast(SubscribedReads, dict(subscribed))


_backlog_reads = BatchedLookup(
    _backlogs,
    batch_size=lambda: BACKLOGS_PER_CALL,
    in_flight=database_threads,
    copy_answer=_copy_reads,
)


async def _backlog(
    user: AuthUser, room_id: int, slug: str, after: int | None, limit: int
) -> BacklogReads:
    """Step 4's reads for one subscriber, in a batch with the others waiting (above)."""
    return await _backlog_reads(BacklogKey(user, room_id, slug, after, limit))


def _backlog_read(
    user: AuthUser, room_id: int, slug: str, after: int | None, limit: int
) -> BacklogReads:
    """The `subscribed` reply's reads. The member rows and the item frames, the same for every
    subscriber, come from this process's room cache when a subscriber before read them."""
    # Read before the items: frames read across a change to a message are not kept.
    forgets = room_cache.forgets(room_id)
    try:
        backlog = selectors.room_backlog(room_id, after=after, limit=limit, cache=room_cache)
    except Room.DoesNotExist:
        # Deleted since step 1: the slug is looked up again (it may name a new room).
        with _open_rooms_lock:
            _open_rooms.pop(slug, None)
        raise _SlugMoved() from None
    # Access again, after the read: for a user removed before `last_seq` was read, the leave
    # event may be behind this subscription's cursor already and would never end it.
    room = selectors.access_room(user=user, slug=slug)
    _remember(room)
    if room.pk != room_id:
        raise _SlugMoved()
    backlog_frames = rendered_backlog(backlog, slug=slug, forgets=forgets)
    last_read, unread = selectors.backlog_unread_count(user=user, backlog=backlog, cache=room_cache)
    level, mentions = selectors.subscriber_state(
        user=user, room=room, last_read=last_read, upto=backlog.last_seq
    )
    read_by = None
    if services.receipts_shown(len(backlog.members)):
        max_members = settings.PARLEY["RECEIPTS_MAX_MEMBERS"]
        read_by = selectors.room_read_pointers(room_id, max_members=max_members) or {}
    reads = subscribed_reads(
        room,
        backlog,
        last_read=last_read,
        unread=unread,
        mentions=mentions,
        level=level,
        read_by=read_by,
    )
    return backlog, backlog_frames, reads


def rendered_backlog(backlog: selectors.Backlog, *, slug: str, forgets: int) -> list[str]:
    """The backlog's item frames: those kept in the room cache, then the items read, rendered
    and kept there (unless a frame of the room was forgotten since `forgets` was read)."""
    rendered = {
        item.seq: frames.item_text(item_value(item, room_slug=slug)) for item in backlog.items
    }
    assert backlog.version is not None  # read with a cache
    room_cache.keep_frames(backlog.version, rendered, since=forgets)
    return [*backlog.cached, *rendered.values()]


def subscribed_reads(
    room: Room,
    backlog: selectors.Backlog,
    *,
    last_read: int,
    unread: int,
    mentions: int,
    level: str,
    read_by: dict[str, int] | None,
) -> SubscribedReads:
    """The `subscribed` frame's read state and room facts; `read_by` where receipts are shown
    (services.receipts_shown)."""
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
    if read_by is not None:
        reads["read_by"] = read_by
    return reads


async def subscribe(*, user: AuthUser, conn: Connection, hub: Hub, cmd: commands.Subscribe) -> None:
    try:
        await _subscribe(user=user, conn=conn, hub=hub, cmd=cmd)
    except _SlugMoved:
        # Looked up again (the frame's read counted once).
        await _subscribe(user=user, conn=conn, hub=hub, cmd=cmd, counted=True)


async def _subscribe(
    *, user: AuthUser, conn: Connection, hub: Hub, cmd: commands.Subscribe, counted: bool = False
) -> None:
    room_id, slug = await _room(user, cmd.room, cmd.after, counted=counted)
    subscription, is_new = await begin(conn, hub, room_id, slug, cmd)
    try:
        backlog, backlog_frames, reads = await _backlog(
            user, room_id, slug, cmd.after, settings.PARLEY["REPLAY_LIMIT"]
        )
        # Read after the group was joined: a change after this reaches the held frames.
        # Unless no status changed since a subscriber before read them (the epoch).
        epoch = None if hub.presence is None else hub.presence.epoch
        assert backlog.version is not None
        listed = await subscribed_members(hub, backlog, epoch)
    except BaseException:
        abandon(conn, hub, subscription, is_new=is_new)
        raise
    complete(
        conn,
        hub,
        subscription,
        cmd,
        backlog=backlog,
        backlog_frames=backlog_frames,
        reads=reads,
        listed=listed,
        is_new=is_new,
    )


async def begin(
    conn: Connection, hub: Hub, room_id: int, slug: str, cmd: commands.Subscribe
) -> tuple[Subscription, bool]:
    """Steps 2 and 3: the subscription begins, and the room's group is joined (a new one).
    The subscription and whether it is new; end it with `complete` or `abandon`."""
    is_new = room_id not in conn.subscriptions
    subscription = conn.begin_subscription(room_id, slug, replay=cmd.after is not None)
    if is_new:
        await hub.attach(conn, room_id)
    return subscription, is_new


def abandon(conn: Connection, hub: Hub, subscription: Subscription, *, is_new: bool) -> None:
    """A subscribe that began failed: a new subscription ends, an older one carries on."""
    if is_new:
        hub.detach(conn, subscription.room_id)
    else:
        conn.abandon_subscription(subscription)


def complete(
    conn: Connection,
    hub: Hub,
    subscription: Subscription,
    cmd: commands.Subscribe,
    *,
    backlog: selectors.Backlog,
    backlog_frames: list[str],
    reads: SubscribedReads,
    listed: ListedMembers,
    is_new: bool,
) -> None:
    """Step 5: `subscribed`, the backlog, then live; RoomNotFound if the hub ended the
    subscription meanwhile."""
    room_id, slug = subscription.room_id, subscription.slug
    if not conn.is_subscribed(subscription):
        # Removed from the room while its backlog was read: the hub ended the subscription
        # and sent `unsubscribed`; a `subscribed` now would contradict it.
        raise RoomNotFound()
    replay = [
        frames.subscribed_text(
            room=slug,
            last_seq=backlog.last_seq,
            members=listed.members,
            ref=cmd.ref,
            members_total=listed.total,  # a big room's: its list is the first page
            **reads,
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
