"""Presence kept in this process's memory: the store of a single process (no REDIS_URL)."""

from __future__ import annotations

from collections.abc import Iterable

from parley.realtime.presence.types import Change, Status


class MemoryPresenceStore:
    """One process: its own states are the whole truth."""

    shared = False

    def __init__(self) -> None:
        self._states: dict[int, Status] = {}

    async def register(self) -> None:
        pass

    async def write(self, user_id: int, state: Status | None) -> Change | None:
        old = self._states.get(user_id, Status.OFFLINE)
        if state is None:
            self._states.pop(user_id, None)
        else:
            self._states[user_id] = state
        new = state or Status.OFFLINE
        return Change(old, new) if old is not new else None

    async def resync(self, states: dict[int, Status]) -> list[tuple[int, Change]]:
        changes = [(uid, await self.write(uid, state)) for uid, state in states.items()]
        return [(uid, change) for uid, change in changes if change is not None]

    async def heartbeat(self) -> bool:
        return True

    async def reap(self) -> list[tuple[int, Change]]:
        return []

    async def statuses(self, user_ids: Iterable[int]) -> dict[int, Status]:
        states, offline = self._states, Status.OFFLINE
        return {uid: states.get(uid, offline) for uid in user_ids}

    def status(self, user_id: int) -> Status:
        return self._states.get(user_id, Status.OFFLINE)

    async def forget(self) -> None:
        self._states.clear()

    async def close(self) -> None:
        pass
