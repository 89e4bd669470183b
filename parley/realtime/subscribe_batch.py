"""`subscribe` frames that arrive together, served together: a client subscribes to every room
of its sidebar as its socket opens, and 200 rooms must not cost 200 times the queries of one.

Each room goes through the steps of subscribe.py, in its order (the subscription begins and
the group is joined before the room's last seq is read; the access is checked again after the
read), but each step is taken for every room of the batch at once: one database call looks the
rooms up, one reads every backlog, pointer, count and level (parley/rooms/subscriber_reads.py),
and one reads the member profiles no member list of this process keeps. Then each command is
answered in the order it came, its `subscribed` exactly what a subscribe of its own sends, or
its own error.

A batch of one goes through subscribe.py itself, whose queries are the fewest for one room.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from django.conf import settings

from parley.core.errors import ParleyError, RoomNotFound
from parley.core.types import AuthUser
from parley.realtime import subscribe as subscribing
from parley.realtime.connection import Connection, Subscription
from parley.realtime.database import timed_database_call
from parley.realtime.hub import Hub
from parley.realtime.member_lists import Profiles, member_lists
from parley.realtime.member_pages import subscribed_members
from parley.realtime.room_cache import room_cache
from parley.rooms import selectors, services
from parley.rooms.subscriber_reads import reader_states, room_backlogs
from parley.wire import commands

# Sends one command's answer, or raises its error (for the caller to answer with).
Answer = Callable[[], None]
# The caller's way to answer a command: runs the Answer and maps its error to an `error` frame.
Answerer = Callable[[commands.Subscribe, Answer], Awaitable[None]]


def runs(cmds: list[commands.Subscribe]) -> list[list[commands.Subscribe]]:
    """`cmds` cut where a room comes again: a room is subscribed once per batch, and a second
    `subscribe` of it sees the first one done, as it would alone."""
    batches: list[list[commands.Subscribe]] = [[]]
    rooms: set[str] = set()
    for cmd in cmds:
        if cmd.room in rooms:
            batches.append([])
            rooms = set()
        batches[-1].append(cmd)
        rooms.add(cmd.room)
    return batches


async def subscribe_many(
    *, user: AuthUser, conn: Connection, hub: Hub, cmds: list[commands.Subscribe], answer: Answerer
) -> None:
    """Serve `cmds`, frames the client sent together, and `answer` each in their order (each
    at once: a room subscribed again later in `cmds` sees the first subscribe answered)."""
    for batch in runs(cmds):
        if len(batch) == 1:
            cmd = batch[0]
            await _answer_alone(user, conn, hub, cmd, answer)
            continue
        for cmd, reply in zip(batch, await _serve(user, conn, hub, batch), strict=True):
            await answer(cmd, reply)


async def _answer_alone(
    user: AuthUser, conn: Connection, hub: Hub, cmd: commands.Subscribe, answer: Answerer
) -> None:
    error: BaseException | None = None
    try:
        await subscribing.subscribe(user=user, conn=conn, hub=hub, cmd=cmd)
    except Exception as exc:
        error = exc
    await answer(cmd, _raising(error) if error is not None else _done)


def _done() -> None:
    pass


def _raising(error: BaseException) -> Answer:
    def answer() -> None:
        raise error

    return answer


@dataclass
class _Room:
    """One command's room on its way through the steps."""

    cmd: commands.Subscribe
    room_id: int
    slug: str
    subscription: Subscription | None = None
    is_new: bool = False
    reads: _Reads | None = None


@dataclass(frozen=True)
class _Reads:
    backlog: selectors.Backlog
    frames: list[str]
    reads: subscribing.SubscribedReads


async def _serve(
    user: AuthUser, conn: Connection, hub: Hub, cmds: list[commands.Subscribe]
) -> list[Answer]:
    """Each command's answer, in order (a batch: no room twice)."""
    try:
        found = await _rooms(user, cmds)
    except Exception as exc:
        return [_raising(exc)] * len(cmds)
    rooms = [room for room in found if isinstance(room, _Room)]
    begun: list[_Room] = []
    try:
        for room in rooms:
            room.subscription, room.is_new = await subscribing.begin(
                conn, hub, room.room_id, room.slug, room.cmd
            )
            begun.append(room)
        read = await _reads(user, {room.room_id: (room.slug, room.cmd.after) for room in rooms})
        profiles = await _profiles(read)
    except BaseException as exc:
        for room in begun:
            assert room.subscription is not None
            subscribing.abandon(conn, hub, room.subscription, is_new=room.is_new)
        if not isinstance(exc, Exception):
            raise
        return [_raising(exc)] * len(cmds)
    answers: list[Answer] = []
    for entry in found:
        if not isinstance(entry, _Room):
            answers.append(_raising(entry))
            continue
        outcome = read[entry.room_id]
        assert entry.subscription is not None
        if isinstance(outcome, Exception):
            subscribing.abandon(conn, hub, entry.subscription, is_new=entry.is_new)
            answers.append(_raising(outcome))
            continue
        entry.reads = outcome
        answers.append(await _completion(conn, hub, entry, profiles.get(entry.room_id)))
    return answers


async def _completion(
    conn: Connection, hub: Hub, room: _Room, profiles: tuple[Profiles, int] | None
) -> Answer:
    """The room's member list (statuses read now, after its backlog; `profiles` read for it
    after a mark), and then the answer that sends its `subscribed` (subscribe.complete), or the
    error."""
    assert room.subscription is not None and room.reads is not None
    subscription, reads = room.subscription, room.reads
    if profiles is not None:
        # Kept just before its list is built: member_lists keeps fewer rooms than a batch has.
        version = reads.backlog.version
        assert version is not None
        member_lists.keep_profiles(version, reads.backlog.last_seq, profiles[0], since=profiles[1])
    # Read after the group was joined: a change after this reaches the held frames.
    epoch = None if hub.presence is None else hub.presence.epoch
    try:
        listed = await subscribed_members(hub, reads.backlog, epoch)
    except Exception as exc:
        subscribing.abandon(conn, hub, subscription, is_new=room.is_new)
        return _raising(exc)

    def complete() -> None:
        subscribing.complete(
            conn,
            hub,
            subscription,
            room.cmd,
            backlog=reads.backlog,
            backlog_frames=reads.frames,
            reads=reads.reads,
            listed=listed,
            is_new=room.is_new,
        )

    return complete


@timed_database_call
def _rooms(user: AuthUser, cmds: list[commands.Subscribe]) -> list[_Room | ParleyError]:
    """Each command's room, or its error (services.rooms_read_access: one query for all)."""
    found = services.rooms_read_access(user=user, requests=[(cmd.room, cmd.after) for cmd in cmds])
    return [
        room if isinstance(room, ParleyError) else _Room(cmd=cmd, room_id=room.pk, slug=room.slug)
        for cmd, room in zip(cmds, found, strict=True)
    ]


@timed_database_call
def _reads(
    user: AuthUser, rooms: dict[int, tuple[str, int | None]]
) -> dict[int, _Reads | Exception]:
    """subscribe._backlog's reads for every room ({room id: (slug, after)}), set-based."""
    # Read before the items: frames read across a change to a message are not kept.
    forgets = {room_id: room_cache.forgets(room_id) for room_id in rooms}
    backlogs = room_backlogs(
        {room_id: after for room_id, (_, after) in rooms.items()},
        limit=settings.PARLEY["REPLAY_LIMIT"],
        cache=room_cache,
    )
    # Access again, after the read: for a user removed before `last_seq` was read, the leave
    # event may be behind this subscription's cursor already and would never end it.
    access = selectors.lookup_rooms_access(user=user, slugs=[slug for slug, _ in rooms.values()])
    states = reader_states(user=user, backlogs=backlogs, cache=room_cache)
    max_members = settings.PARLEY["RECEIPTS_MAX_MEMBERS"]
    receipts = [
        room_id
        for room_id, backlog in backlogs.items()
        if services.receipts_shown(len(backlog.members))
    ]
    read_by = selectors.rooms_read_pointers(receipts, max_members=max_members) if receipts else {}
    read: dict[int, _Reads | Exception] = {}
    for room_id, (slug, _) in rooms.items():
        backlog = backlogs.get(room_id)
        room = access.get(slug)
        if backlog is None or room is None or not room.visible or room.room.pk != room_id:
            read[room_id] = RoomNotFound()
            continue
        state = states[room_id]
        read[room_id] = _Reads(
            backlog=backlog,
            frames=subscribing.rendered_backlog(backlog, slug=slug, forgets=forgets[room_id]),
            reads=subscribing.subscribed_reads(
                room.room,
                backlog,
                last_read=state.last_read,
                unread=state.unread,
                mentions=state.mentions,
                level=state.level,
                read_by=(read_by.get(room_id) or {}) if room_id in read_by else None,
            ),
        )
    return read


async def _profiles(read: dict[int, _Reads | Exception]) -> dict[int, tuple[Profiles, int]]:
    """{room id: (member profiles, the mark they were read after)} of the rooms whose profiles
    this process does not keep at their last seq, in one query: each room's member list finds
    them kept (unless a profile changed meanwhile: then that room reads its own)."""
    missing = {}
    for room_id, outcome in read.items():
        if isinstance(outcome, Exception):
            continue
        version = outcome.backlog.version
        assert version is not None
        if member_lists.profiles(version, outcome.backlog.last_seq) is None:
            missing[room_id] = member_lists.mark(room_id)
    if not missing:
        return {}
    profiles = await timed_database_call(selectors.rooms_member_profiles)(list(missing))
    return {room_id: (profiles[room_id], since) for room_id, since in missing.items()}
