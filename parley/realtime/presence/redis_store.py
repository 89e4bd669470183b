"""Presence shared by every server process, in Redis (REDIS_URL).

Keys, under PARLEY_REDIS_PREFIX + ":presence" (one Redis, not Redis Cluster: the scripts build
key names):

- `procs`, a sorted set: each live process → when its entry expires (Redis's clock). A process
  renews it every TTL/3 (one command, whatever its number of users).
- `p:<process>`, a hash: user id → that process's state of the user (`a` active, `i` idle).
- `u:<user>`, a hash: process → the same state: the user's status combines them (online if
  any, idle if all are idle).
- `online` and `idle`, sets of user ids: the combined statuses, read with SMISMEMBER for a
  `subscribed` frame's members.

Every change is one Lua script, atomic, which returns the user's status change (if any) so that
exactly one process announces it. A process that stops renewing (SIGKILL, a lost machine) is
reaped once its entry expires: one process at a time (a SET NX lock) removes its users' states
and announces those who went offline. A process whose entry was reaped or lost (a Redis restart)
learns it at its next renewal and writes all its users again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import redis.asyncio as redis

from parley.realtime.presence.types import Change, NotRegistered, Status

_CODES = {"o": Status.OFFLINE, "a": Status.ACTIVE, "i": Status.IDLE}
_STATE_CODES = {Status.ACTIVE: "a", Status.IDLE: "i"}

_COMMON = """
local P = ARGV[1]
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function combined(uid)
  local states = redis.call('HVALS', P .. ':u:' .. uid)
  if #states == 0 then return 'o' end
  for _, s in ipairs(states) do
    if s == 'a' then return 'a' end
  end
  return 'i'
end
-- Bring the online/idle sets in line with the user's states; the change ('oa', 'ai', ...) or nil.
local function settle(uid)
  local old = 'o'
  if redis.call('SISMEMBER', P .. ':online', uid) == 1 then
    old = 'a'
    if redis.call('SISMEMBER', P .. ':idle', uid) == 1 then old = 'i' end
  end
  local new = combined(uid)
  if new == old then return nil end
  if new == 'o' then
    redis.call('SREM', P .. ':online', uid)
    redis.call('SREM', P .. ':idle', uid)
  else
    redis.call('SADD', P .. ':online', uid)
    if new == 'i' then
      redis.call('SADD', P .. ':idle', uid)
    else
      redis.call('SREM', P .. ':idle', uid)
    end
  end
  return old .. new
end
local function put(proc, uid, state)
  if state == '' then
    redis.call('HDEL', P .. ':u:' .. uid, proc)
    redis.call('HDEL', P .. ':p:' .. proc, uid)
  else
    redis.call('HSET', P .. ':u:' .. uid, proc, state)
    redis.call('HSET', P .. ':p:' .. proc, uid, state)
  end
end
local function drop_process(proc, changes)
  for _, uid in ipairs(redis.call('HKEYS', P .. ':p:' .. proc)) do
    redis.call('HDEL', P .. ':u:' .. uid, proc)
    local change = settle(uid)
    if change then
      table.insert(changes, uid)
      table.insert(changes, change)
    end
  end
  redis.call('DEL', P .. ':p:' .. proc)
  redis.call('ZREM', P .. ':procs', proc)
end
"""

# ARGV: prefix, process, ttl
_REGISTER = (
    _COMMON
    + """
redis.call('ZADD', P .. ':procs', now() + tonumber(ARGV[3]), ARGV[2])
return 1
"""
)

# ARGV: prefix, process, ttl. 0 if the process is not known (reaped, or Redis lost it).
_HEARTBEAT = (
    _COMMON
    + """
if not redis.call('ZSCORE', P .. ':procs', ARGV[2]) then return 0 end
redis.call('ZADD', P .. ':procs', now() + tonumber(ARGV[3]), ARGV[2])
return 1
"""
)

# ARGV: prefix, process, user, state ('' to remove). 'r' if the process must register again.
_WRITE = (
    _COMMON
    + """
local proc, uid, state = ARGV[2], ARGV[3], ARGV[4]
if state ~= '' and not redis.call('ZSCORE', P .. ':procs', proc) then return 'r' end
put(proc, uid, state)
return settle(uid) or ''
"""
)

# ARGV: prefix, process, ttl, then user, state pairs: exactly this process's users now.
_RESYNC = (
    _COMMON
    + """
local proc = ARGV[2]
redis.call('ZADD', P .. ':procs', now() + tonumber(ARGV[3]), proc)
local wanted = {}
for i = 4, #ARGV, 2 do wanted[ARGV[i]] = ARGV[i + 1] end
local changes = {}
local function note(uid)
  local change = settle(uid)
  if change then
    table.insert(changes, uid)
    table.insert(changes, change)
  end
end
for _, uid in ipairs(redis.call('HKEYS', P .. ':p:' .. proc)) do
  if not wanted[uid] then
    put(proc, uid, '')
    note(uid)
  end
end
for uid, state in pairs(wanted) do
  put(proc, uid, state)
  note(uid)
end
return changes
"""
)

# ARGV: prefix, this process, lock milliseconds. The changes of the expired processes' users.
_REAP = (
    _COMMON
    + """
if not redis.call('SET', P .. ':reaper', ARGV[2], 'NX', 'PX', ARGV[3]) then return {} end
local changes = {}
for _, proc in ipairs(redis.call('ZRANGEBYSCORE', P .. ':procs', '-inf', now())) do
  drop_process(proc, changes)
end
return changes
"""
)

# ARGV: prefix, process. Takes the process's users out (a clean stop).
_FORGET = (
    _COMMON
    + """
local changes = {}
drop_process(ARGV[2], changes)
return changes
"""
)


def _change(code: str) -> Change:
    return Change(_CODES[code[0]], _CODES[code[1]])


def _changes(flat: list[Any]) -> list[tuple[int, Change]]:
    return [(int(flat[n]), _change(flat[n + 1])) for n in range(0, len(flat), 2)]


class RedisPresenceStore:
    shared = True

    def __init__(
        self, url: str, *, prefix: str, process: str, ttl: float, reap_every: float
    ) -> None:
        self.prefix = prefix
        self.process = process
        self.ttl = ttl
        self.reap_lock_ms = max(int(reap_every * 1000 * 0.9), 1)
        self.client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=2.0, socket_connect_timeout=2.0
        )
        register = self.client.register_script
        self._register, self._heartbeat = register(_REGISTER), register(_HEARTBEAT)
        self._write, self._resync = register(_WRITE), register(_RESYNC)
        self._reap, self._forget = register(_REAP), register(_FORGET)

    async def register(self) -> None:
        await self._register(args=[self.prefix, self.process, self.ttl])

    async def write(self, user_id: int, state: Status | None) -> Change | None:
        code = _STATE_CODES[state] if state is not None else ""
        result = await self._write(args=[self.prefix, self.process, user_id, code])
        if result == "r":
            raise NotRegistered()
        return _change(result) if result else None

    async def resync(self, states: dict[int, Status]) -> list[tuple[int, Change]]:
        pairs = [value for uid, state in states.items() for value in (uid, _STATE_CODES[state])]
        return _changes(await self._resync(args=[self.prefix, self.process, self.ttl, *pairs]))

    async def heartbeat(self) -> bool:
        return bool(await self._heartbeat(args=[self.prefix, self.process, self.ttl]))

    async def reap(self) -> list[tuple[int, Change]]:
        return _changes(await self._reap(args=[self.prefix, self.process, self.reap_lock_ms]))

    async def statuses(self, user_ids: Iterable[int]) -> dict[int, Status]:
        user_ids = list(user_ids)
        if not user_ids:
            return {}
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.smismember(f"{self.prefix}:online", user_ids)
            pipe.smismember(f"{self.prefix}:idle", user_ids)
            online, idle = await pipe.execute()
        return {
            uid: Status.of(online=is_online, idle=is_idle)
            for uid, is_online, is_idle in zip(user_ids, online, idle, strict=True)
        }

    async def forget(self) -> None:
        await self._forget(args=[self.prefix, self.process])

    async def close(self) -> None:
        await self.client.aclose()
