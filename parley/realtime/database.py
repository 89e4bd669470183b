"""The threads the socket side's database calls run on.

Django's ORM is synchronous, so every database call of a socket (the handshake's session
lookup, a subscribe's reads, a send) runs in a thread while the event loop goes on. Channels'
`database_sync_to_async` runs them all in one thread per process. That stays the rule on
SQLite, which writes one transaction at a time anyway (a second writer would only wait on the
busy timeout).

On PostgreSQL one thread puts every socket's round trips in one line: a send spends ~2.5 ms in
it, nearly all of it waiting for the database and for its turn on the CPU, so at 200 sends/s
the thread is half busy and any stall (a garbage collection, a thread descheduled on a busy
machine) queues every send behind it. So there the calls run on a small pool,
PARLEY_DATABASE_THREADS (default 4), each thread with its own connection: send → ack p99 went
from 7-58 ms to 6-13 ms (docs/performance.md, "The third round").

A socket's own calls stay in order: its consumer awaits each before it reads the next frame.
Across sockets the order was never promised (each frame's result is its reply). What the pool
threads share in this process (the room cache, the in-memory rate limit buckets) has its locks.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings

from parley.core import metrics

P = ParamSpec("P")
R = TypeVar("R")

_pool: tuple[int, ThreadPoolExecutor] | None = None  # (threads, pool)
_pool_lock = threading.Lock()


def database_call(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`func` as a coroutine function, run on the process's database threads (see above),
    with Django's connection housekeeping before and after it as `database_sync_to_async`."""

    @functools.wraps(func)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        result: R = await database_sync_to_async(func, **_thread_options())(*args, **kwargs)
        return result

    return call


def database_threads() -> int:
    """How many database calls of the sockets run at once (PARLEY_DATABASE_THREADS)."""
    threads: int = settings.PARLEY["DATABASE_THREADS"]
    return threads


def _thread_options() -> dict[str, Any]:
    threads = database_threads()
    if threads <= 1:
        return {}  # Channels' default: the process's one thread-sensitive thread
    return {"thread_sensitive": False, "executor": _executor(threads)}


def _executor(threads: int) -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != threads:
            # A changed setting (tests) gets a new pool; the old one ends its threads when idle.
            if _pool is not None:
                _pool[1].shutdown(wait=False)
            _pool = (threads, ThreadPoolExecutor(threads, thread_name_prefix="parley-db"))
        return _pool[1]


async def calls_ended(*, wait_seconds: float = 10.0) -> None:
    """Return once every database call handed to the threads before this one has ended.

    A cancelled caller does not stop its call: the thread runs it to the end. A test's teardown
    waits here before the test database is emptied (PostgreSQL's TRUNCATE and a query still
    running deadlock). Each thread runs its calls in the order given, so one more call per
    thread, all held until each thread has taken one, ends after everything queued before it.
    """
    await database_sync_to_async(_nothing)()  # the one thread-sensitive thread
    threads = database_threads()
    if threads <= 1:
        return
    pool = _executor(threads)
    everyone = threading.Barrier(threads, timeout=wait_seconds)
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(pool, everyone.wait) for _ in range(threads)))


def _nothing() -> None:
    return None


def timed_database_call(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """`database_call`, with the call's time (queue wait included) in the metrics."""
    call = database_call(func)

    @functools.wraps(func)
    async def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        began = time.perf_counter()
        try:
            return await call(*args, **kwargs)
        finally:
            metrics.database_seconds.observe(time.perf_counter() - began)

    return timed
