"""A room's member list on the socket: `subscribed`'s `members` (all of them, or a big room's
first page with `members_total`) and the `members` pages (docs/protocol.md "Big rooms").

Built for a room of 10,000 members whose 10,000 subscribers connect at once: the member rows come
from this process's room cache and the profiles from member_lists.py (each read once per room
and last seq), the statuses from one `presence_of` call for all members, and a first page is
encoded once and reused (member_lists.py) while it stays right for the subscribers it goes to.
"""

from __future__ import annotations

from typing import NamedTuple

import orjson
from django.conf import settings

from parley.core.types import AuthUser
from parley.realtime.database import timed_database_call
from parley.realtime.hub import Hub
from parley.realtime.member_lists import Profiles, member_entries, member_lists, presence_order
from parley.realtime.room_cache import room_cache
from parley.rooms import selectors, services
from parley.wire import commands, frames


class ListedMembers(NamedTuple):
    """`subscribed`'s `members`, and its `members_total` in a big room (None in others)."""

    members: orjson.Fragment
    total: int | None


async def _profiles(backlog: selectors.Backlog) -> tuple[Profiles, int | None]:
    """The members' profiles (kept, or read in one query) and the mark they were read after
    (None: kept ones)."""
    assert backlog.version is not None
    profiles = member_lists.profiles(backlog.version, backlog.last_seq)
    if profiles is not None:
        return profiles, None
    since = member_lists.mark(backlog.version[0])
    profiles = await timed_database_call(selectors.room_member_profiles)(backlog.version[0])
    return profiles, since


async def subscribed_members(
    hub: Hub, backlog: selectors.Backlog, epoch: int | None
) -> ListedMembers:
    """The `subscribed` reply's members for a subscriber whose subscription began before
    `backlog` was read, and `epoch` (the tracker's, or None) was read after: built with
    statuses read now, unless a list kept for the room is right for them. The hub learns the
    room's member count."""
    assert backlog.version is not None
    version, last_seq = backlog.version, backlog.last_seq
    total = len(backlog.member_ids)
    hub.note_members_total(version[0], total)
    first = services.members_page_size() if services.is_big_room(total) else None
    # Such a room's subscribers get presence changes only once they watch, and then ask for
    # `members` again: a first page a moment old serves them as well as one read now.
    max_age = settings.PARLEY["PRESENCE_BATCH_SECONDS"] if services.presence_watched(total) else 0.0
    members = member_lists.current(version, last_seq, epoch, first=first, max_age=max_age)
    if members is None:
        presence = await hub.presence_of(backlog.member_ids)
        statuses = [presence[uid] for uid in backlog.member_ids]
        profiles, since = await _profiles(backlog)
        members = member_lists.encoded(
            version,
            last_seq,
            backlog.members,
            statuses,
            epoch=epoch,
            profiles=profiles,
            since=since,
            first=first,
        )
    return ListedMembers(members, None if first is None else total)


def _display_name(profiles: Profiles, username: str) -> str:
    profile = profiles.get(username)
    return "" if profile is None else profile.display_name


@timed_database_call
def _room_members(user: AuthUser, cmd: commands.Members) -> tuple[str, selectors.Backlog]:
    """The room (read access, as `subscribe`), the page's bounds checked, then its members at
    its last seq (a backlog without items: the rows from the room cache when kept)."""
    room = services.room_read_access(user=user, slug=cmd.room)
    selectors.check_members_page(offset=cmd.offset, limit=cmd.limit, query=cmd.query)
    return room.slug, selectors.room_backlog(room.pk, after=None, limit=0, cache=room_cache)


async def members_page_text(*, user: AuthUser, hub: Hub, cmd: commands.Members) -> str:
    """The answer to `members`: the page of the members matching `query`, in presence order,
    with statuses read now (a client asks again after `presence_watch`, and must see the
    changes it was not sent)."""
    slug, backlog = await _room_members(user, cmd)
    assert backlog.version is not None
    presence = await hub.presence_of(backlog.member_ids)
    statuses = [presence[uid] for uid in backlog.member_ids]
    profiles, since = await _profiles(backlog)
    if since is not None:
        member_lists.keep_profiles(backlog.version, backlog.last_seq, profiles, since=since)
    names = backlog.members
    matching = None
    if cmd.query:
        folded = cmd.query.casefold()
        matching = [
            index
            for index, name in enumerate(names)
            if selectors.member_matches(folded, name, _display_name(profiles, name))
        ]
    order = presence_order(statuses, matching)
    page = order[cmd.offset : cmd.offset + cmd.limit]
    members, _ = member_entries(names, statuses, page, profiles)
    return frames.members_text(
        room=slug, offset=cmd.offset, members_total=len(order), members=members, ref=cmd.ref
    )
