"""Presence: who is online (any open socket), idle (every socket reports idle) or offline.

Each process tracks its own sockets per user (`PresenceTracker`) and writes one state per user
to a store: this process's memory by default, Redis with REDIS_URL (redis_store.py), where
the states of every process combine into the user's status. When the combined status changes,
the process that caused the change (or the one that reaped a dead process) announces it with
one `presence` frame per room the user is a member of: O(rooms of that user), never per member.

Coalescing, so that the rooms hear of real changes only:

- a user whose last local socket closes keeps their state for PRESENCE_GRACE_SECONDS; a socket
  that opens meanwhile (a reload, a reconnect to another process) means nothing is announced;
- each user's state is written at most once per PRESENCE_MIN_INTERVAL_SECONDS; changes in
  between are coalesced into the latest one (active → idle → active announces nothing);
- a graceful restart of a process whose memory is the store keeps its users online-but-leaving
  for the rest of their grace (snapshot.py): those who reconnect meanwhile are
  announced nothing.

Everything here runs on the server's event loop; the store calls are the only awaits.

The package: `types` (Status, Change, the store's protocol), `memory` and `redis_store` (the
stores), `snapshot` (the restart file), `tracker` (a process's tracker and its announcements).
"""

from parley.realtime.presence.memory import MemoryPresenceStore
from parley.realtime.presence.tracker import (
    PresenceTracker,
    announce_presence,
    presence_tracker,
    save_snapshots,
)
from parley.realtime.presence.types import Change, NotRegistered, PresenceStore, Status

__all__ = [
    "Change",
    "MemoryPresenceStore",
    "NotRegistered",
    "PresenceStore",
    "PresenceTracker",
    "Status",
    "announce_presence",
    "presence_tracker",
    "save_snapshots",
]
