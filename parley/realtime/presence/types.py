"""Presence's types: a user's status, a change of it, and the store every process writes to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from enum import StrEnum
from typing import NamedTuple, Protocol


class Status(StrEnum):
    OFFLINE = "offline"
    ACTIVE = "active"
    IDLE = "idle"

    @property
    def online(self) -> bool:
        return self is not Status.OFFLINE

    @property
    def idle(self) -> bool:
        return self is Status.IDLE

    @classmethod
    def of(cls, *, online: bool, idle: bool) -> Status:
        return (cls.IDLE if idle else cls.ACTIVE) if online else cls.OFFLINE

    def combine(self, other: Status) -> Status:
        """A user's status from two of their parts (sockets, processes): active if either is,
        idle if the online ones are all idle, offline if neither is online. The one rule;
        the Redis store's script applies it in Lua (redis_store.py), and the tracker's
        `statuses` inlines it in its loop over a room's members."""
        if Status.ACTIVE in (self, other):
            return Status.ACTIVE
        if Status.IDLE in (self, other):
            return Status.IDLE
        return Status.OFFLINE


class Change(NamedTuple):
    old: Status
    new: Status


class NotRegistered(Exception):
    """The store has forgotten this process (reaped, or Redis restarted): write everything again."""


class PresenceStore(Protocol):
    """Where each process's per-user state lives, combined into each user's status.

    `write(user_id, state)` sets this process's state of a user (None: no sockets here) and
    returns the change of the user's combined status, if any. `shared` stores (Redis) also need
    `heartbeat` (False: this process was forgotten; call `resync`) and `reap` (the changes of
    users whose processes stopped renewing).
    """

    shared: bool

    async def register(self) -> None: ...
    async def write(self, user_id: int, state: Status | None) -> Change | None: ...
    async def resync(self, states: dict[int, Status]) -> list[tuple[int, Change]]: ...
    async def heartbeat(self) -> bool: ...
    async def reap(self) -> list[tuple[int, Change]]: ...
    async def statuses(self, user_ids: Iterable[int]) -> dict[int, Status]: ...
    async def forget(self) -> None: ...
    async def close(self) -> None: ...


# Tells the rooms of each (user id, new status), in one call for users that changed together.
Announce = Callable[[list[tuple[int, Status]]], Awaitable[None]]
