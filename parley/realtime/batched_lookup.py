"""Lookups that wait at the same time, answered by one call: a coroutine function of one key
whose calls are gathered into batches for a function of many keys.

Every WebSocket handshake looks its session up in the database, and a restart's or a big
room's thousands of sockets arrive together: one database call each queued them one behind the
other on the database thread(s) (one on SQLite), each call a hop to that thread and its own
queries. Here the first lookup starts a batch, served when the event loop next runs its
callbacks; every lookup that arrives before then joins it. While as many batches as may run at
once are in flight, further lookups wait and join the next batch, which starts as one ends:
a lookup would have waited for a database thread anyway, and so it waits in a batch.

A key asked for twice in one batch is looked up once, and each further caller gets a copy of
its answer (`copy_answer`: callers that would each have had their own keep their own). A
caller that leaves (is cancelled) leaves the others' batch alone. An error of the batch's call
is every caller's error; an error the call returns for one key is that caller's only.

No Django here: the batch function and the limits are the caller's.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")

# Each key's answer, or the error that key's lookup raised.
Answers = dict[K, R | Exception]


class BatchedLookup(Generic[K, R]):
    """`await lookup(key)`: the answer for `key` that `lookup_many` gives for a batch of keys.

    Obligations of `lookup_many`: it answers every key it is given (a missing one is that
    caller's KeyError). `batch_size()` bounds the keys of one call; `in_flight()` the calls
    running at once (both read as each batch starts: settings may change in tests).
    `copy_answer` makes the answer of a key's second, third... caller in one batch.
    """

    def __init__(
        self,
        lookup_many: Callable[[list[K]], Awaitable[Answers[K, R]]],
        *,
        batch_size: Callable[[], int],
        in_flight: Callable[[], int],
        copy_answer: Callable[[R], R],
    ) -> None:
        self._lookup_many = lookup_many
        self._copy_answer = copy_answer
        self._batch_size = batch_size
        self._in_flight = in_flight
        # One queue per event loop (each test has its own loop; a server has one).
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[K, R]] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, key: K) -> R:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue(self, loop)
        return await queue.lookup(key)


class _Queue(Generic[K, R]):
    """One event loop's waiting lookups and batches in flight."""

    def __init__(self, owner: BatchedLookup[K, R], loop: asyncio.AbstractEventLoop) -> None:
        self._owner = owner
        self._loop = loop
        self._waiting: dict[K, list[asyncio.Future[R]]] = {}  # in arrival order
        self._running = 0
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()  # in flight (kept from garbage collection)

    async def lookup(self, key: K) -> R:
        future: asyncio.Future[R] = self._loop.create_future()
        self._waiting.setdefault(key, []).append(future)
        self._schedule()
        return await future

    def _schedule(self) -> None:
        if self._scheduled or not self._waiting:
            return
        if self._running >= max(1, self._owner._in_flight()):
            return  # the next batch starts as one in flight ends
        self._scheduled = True
        self._loop.call_soon(self._start)

    def _start(self) -> None:
        self._scheduled = False
        size = max(1, self._owner._batch_size())
        batch: dict[K, list[asyncio.Future[R]]] = {}
        for key in list(self._waiting)[:size]:
            futures = [future for future in self._waiting.pop(key) if not future.done()]
            if futures:  # not every caller of this key has left
                batch[key] = futures
        if not batch:
            self._schedule()
            return
        self._running += 1
        task = self._loop.create_task(self._serve(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._schedule()  # more waiting than one batch takes: another, if one may run now

    async def _serve(self, batch: dict[K, list[asyncio.Future[R]]]) -> None:
        answers: Answers[K, R] | None = None  # None: the batch was cancelled
        try:
            answers = await self._owner._lookup_many(list(batch))
        except Exception as exc:
            answers = dict.fromkeys(batch, exc)
        finally:
            self._running -= 1
            self._schedule()
            for key, futures in batch.items():
                if answers is None:
                    for future in futures:
                        future.cancel()
                else:
                    self._answer(futures, answers.get(key, KeyError(key)))

    def _answer(self, futures: list[asyncio.Future[R]], answer: R | Exception) -> None:
        first = True
        for future in futures:
            if future.done():
                continue  # its caller left
            if isinstance(answer, Exception):
                future.set_exception(answer)
            else:
                future.set_result(answer if first else self._owner._copy_answer(answer))
                first = False
