"""Rate limits: one token bucket per action and user (or client address).

Each limit is a burst and a sustained rate ("20,5/s": up to 20 at once, then 5 a second). The
bucket is kept as GCRA (the generic cell rate algorithm): one number per key, the "theoretical
arrival time" of the next request, so a check is one read and one write, and the refusal knows
exactly when the next request would pass (`retry_after`).

Storage is this process's memory by default, and Redis when REDIS_URL is set, so that every
server process counts against the same buckets; one Lua script makes each check atomic there,
on Redis's own clock. If Redis cannot be reached, checks fall back to this process's memory for
a few seconds instead of failing the request: a Redis outage must not stop the chat.

Services decide which action counts when (`check`); adapters only map `RateLimited` to their
shape. Settings: PARLEY_RATE_LIMITS (config/settings/base.py); `ENABLED = False`
(PARLEY_RATE_LIMITS=off) turns every limit off, socket caps included.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from parley.core.errors import RateLimited

if TYPE_CHECKING:
    from parley.core.types import AuthUser

log = logging.getLogger(__name__)


class Action(StrEnum):
    """What is counted; each has its own limit in settings.PARLEY_RATE_LIMITS["RATES"]."""

    SEND = "send"  # `send` frames (a re-sent acked client_id does not count)
    MEMBERSHIP = "membership"  # join and leave, on the socket or a page; owners adding members
    ROOM_CREATE = "room_create"  # rooms created by non-staff users
    READ = "read"  # subscribe, history and unsubscribe frames that look a room up
    SEARCH = "search"  # searches (GET /api/v1/search)
    EMAIL = "email"  # verification emails a user has sent (to an address they typed)
    CONNECT_USER = "connect_user"  # WebSocket handshakes per user
    CONNECT_ADDRESS = "connect_address"  # WebSocket handshakes per client address


@dataclass(frozen=True, slots=True)
class Rate:
    """`burst` requests at once, refilled at `count` per `period` seconds."""

    burst: int
    count: int
    period: float

    @property
    def interval(self) -> float:
        """Seconds between two requests at the sustained rate."""
        return self.period / self.count

    @property
    def tolerance(self) -> float:
        """How far ahead of now the bucket's arrival time may run: the burst."""
        return self.interval * (self.burst - 1)


_UNITS = {"s": 1, "m": 60, "h": 3600}
_RATE_RE = re.compile(r"\s*(\d+)\s*,\s*(\d+)\s*/\s*(\d*\.?\d*)\s*([smh])\s*")


def parse_rate(text: str) -> Rate | None:
    """`"20,5/s"` -> burst 20, 5 a second; `"5,5/10m"` -> 5 at once, 5 per 10 minutes; `"off"`.

    ImproperlyConfigured for anything else, so a typo in the environment stops the server.
    """
    if text.strip().lower() in {"off", "none", ""}:
        return None
    match = _RATE_RE.fullmatch(text)
    if match is None:
        raise ImproperlyConfigured(
            f"A rate limit is 'BURST,COUNT/PERIOD' such as '20,5/s' or '5,5/10m', or 'off'; "
            f"got {text!r}."
        )
    burst, count, number, unit = match.groups()
    period = (float(number) if number else 1.0) * _UNITS[unit]
    if int(burst) < 1 or int(count) < 1 or period <= 0:
        raise ImproperlyConfigured(f"A rate limit needs a burst, count and period over 0: {text!r}")
    return Rate(burst=int(burst), count=int(count), period=period)


def _gcra(tat: float | None, now: float, rate: Rate) -> tuple[float, float]:
    """(new arrival time, 0) if a request at `now` passes, else (old arrival time, wait)."""
    tat = now if tat is None or tat < now else tat
    allow_at = tat - rate.tolerance
    if now < allow_at:
        return tat, allow_at - now
    return tat + rate.interval, 0.0


class MemoryStorage:
    """Buckets in this process: shared by its threads, forgotten when they are full again."""

    PRUNE_EVERY = 1024

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tats: dict[str, float] = {}
        self._lock = threading.Lock()
        self._calls = 0

    def acquire(self, key: str, rate: Rate) -> float:
        """Take one token; 0 if it was there, else the seconds until it will be."""
        with self._lock:
            now = self.clock()
            tat, wait = _gcra(self._tats.get(key), now, rate)
            if not wait:
                self._tats[key] = tat
            self._calls += 1
            if self._calls % self.PRUNE_EVERY == 0:
                # A bucket whose arrival time has passed is full: the same as no entry at all.
                self._tats = {k: v for k, v in self._tats.items() if v > now}
            return wait

    def clear(self) -> None:
        with self._lock:
            self._tats.clear()


# KEYS[1]: the bucket. ARGV: interval, tolerance, now (empty: Redis's clock, the same for every
# process), and the shortest time to keep the bucket in ms (0; a clock of the caller's own, as in
# tests, does not move with Redis's expiry clock). Returns the wait as a string: Redis would
# truncate a Lua number to an integer.
_GCRA_LUA = """
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then return string.format('%.6f', allow_at - now) end
tat = tat + interval
local keep = math.max(math.ceil((tat - now) * 1000) + 1, tonumber(ARGV[4]) or 0)
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', keep)
return '0'
"""


# With a clock of the caller's own (tests), buckets are kept this long in real time: Redis
# expires keys on its own clock, which that clock does not follow.
OWN_CLOCK_KEEP_MS = 600_000


class RedisStorage:
    """Buckets in Redis, shared by every process; this process's memory while Redis is down."""

    RETRY_AFTER_FAILURE_SECONDS = 5.0

    def __init__(
        self,
        url: str,
        *,
        prefix: str,
        clock: Callable[[], float] | None = None,
        timeout: float = 0.5,
    ) -> None:
        import redis

        self.prefix = prefix
        self.clock = clock
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._script = self.client.register_script(_GCRA_LUA)
        self.fallback = MemoryStorage(clock or time.monotonic)
        self._down_until = 0.0

    def acquire(self, key: str, rate: Rate) -> float:
        if time.monotonic() < self._down_until:
            return self.fallback.acquire(key, rate)
        now, keep_ms = ("", 0) if self.clock is None else (repr(self.clock()), OWN_CLOCK_KEEP_MS)
        try:
            wait = self._script(
                keys=[f"{self.prefix}:{key}"],
                args=[repr(rate.interval), repr(rate.tolerance), now, keep_ms],
            )
        except Exception:
            log.warning(
                "rate limit storage unreachable; counting in this process for %ss",
                self.RETRY_AFTER_FAILURE_SECONDS,
                exc_info=True,
            )
            self._down_until = time.monotonic() + self.RETRY_AFTER_FAILURE_SECONDS
            return self.fallback.acquire(key, rate)
        return float(wait)

    def clear(self) -> None:
        for name in self.client.scan_iter(match=f"{self.prefix}:*", count=500):
            self.client.delete(name)
        self.fallback.clear()


Storage = MemoryStorage | RedisStorage


class RateLimiter:
    def __init__(self, *, rates: dict[str, Rate | None], storage: Storage, enabled: bool) -> None:
        self.rates = rates
        self.storage = storage
        self.enabled = enabled

    @classmethod
    def from_settings(cls, *, clock: Callable[[], float] | None = None) -> RateLimiter:
        """The limiter settings describe; `clock` (seconds, monotonic) is for tests."""
        config = settings.PARLEY_RATE_LIMITS
        rates = {action.value: parse_rate(config["RATES"][action.value]) for action in Action}
        storage: Storage
        if settings.REDIS_URL:
            storage = RedisStorage(settings.REDIS_URL, prefix=config["KEY_PREFIX"], clock=clock)
        else:
            storage = MemoryStorage(clock or time.monotonic)
        return cls(rates=rates, storage=storage, enabled=config["ENABLED"])

    def check(self, action: Action, key: str) -> None:
        """Count one `action` for `key`; RateLimited (with retry_after) if over its limit."""
        rate = self.rates.get(action.value)
        if not self.enabled or rate is None:
            return
        wait = self.storage.acquire(f"{action.value}:{key}", rate)
        if wait > 0:
            raise RateLimited(retry_after=_seconds(wait))


def _seconds(wait: float) -> float:
    """A wait rounded up to the millisecond, never 0: "retry after 0 s" would be a lie."""
    return max(math.ceil(wait * 1000) / 1000, 0.001)


_limiter: RateLimiter | None = None
_limiter_lock = threading.Lock()


def get_limiter() -> RateLimiter:
    global _limiter
    with _limiter_lock:
        if _limiter is None:
            _limiter = RateLimiter.from_settings()
        return _limiter


def use_limiter(limiter: RateLimiter | None) -> None:
    """Replace the process's limiter (tests: a limiter with a fake clock); None rebuilds it."""
    global _limiter
    with _limiter_lock:
        _limiter = limiter


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: object) -> None:
    if setting in {"PARLEY_RATE_LIMITS", "REDIS_URL"}:
        use_limiter(None)


def enabled() -> bool:
    return get_limiter().enabled


def check(action: Action, *, user: AuthUser | None = None, address: str | None = None) -> None:
    """Count one `action` by `user` (or from `address`); RateLimited when over the limit.

    Called by services (and the socket's handshake) before anything else is judged, so a
    refused request changes nothing, and `rate_limited` wins over `room_not_found`.
    """
    if user is not None:
        key = f"u{user.pk}"
    elif address:
        key = f"a{address}"
    else:
        return
    get_limiter().check(action, key)


async def acheck(
    action: Action, *, user: AuthUser | None = None, address: str | None = None
) -> None:
    """`check` from async code: at once for memory buckets, in a worker thread for Redis, so the
    event loop never waits on the network."""
    limiter = get_limiter()
    if not limiter.enabled:
        return
    if isinstance(limiter.storage, RedisStorage):
        await sync_to_async(check, thread_sensitive=False)(action, user=user, address=address)
    else:
        check(action, user=user, address=address)
