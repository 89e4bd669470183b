"""Outgoing webhooks run beside the server, never in the way of a request or of the database.

Changes are emitted after commit in the thread that committed: in the server that is the
database thread every socket's writes go through (parley/realtime/database.py), so nothing
slow may happen there. `on_change` (a listener of parley.core.changes) keeps only what may
concern a bot, with no query (webhook.may_concern_bots), and hands it to a small pool of worker
threads (PARLEY_BOTS["WORKERS"]); there a job finds the bots (one query), POSTs to them through
the guard and posts their answers. At most PARLEY_BOTS["MAX_PENDING"] jobs wait or run at once;
beyond that a message is not delivered (logged): a flood must not grow memory without bound.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait

from django.conf import settings
from django.db import connections

from parley.bots.webhook import deliver, deliveries_for, may_concern_bots
from parley.rooms.changes import ItemAdded

log = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_slots: threading.BoundedSemaphore | None = None
# The jobs not finished yet (a reference to each, and what `wait_idle` waits for).
_running: set[Future[None]] = set()


def _executor() -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
    global _pool, _slots
    with _lock:
        if _pool is None or _slots is None:
            limits = settings.PARLEY_BOTS
            _pool = ThreadPoolExecutor(
                max_workers=limits["WORKERS"], thread_name_prefix="parley-bots"
            )
            _slots = threading.BoundedSemaphore(limits["MAX_PENDING"])
        return _pool, _slots


def on_change(change: object) -> None:
    """Queue the deliveries of a posted message (a listener of parley.core.changes)."""
    if not isinstance(change, ItemAdded) or not may_concern_bots(change):
        return
    pool, slots = _executor()
    if not slots.acquire(blocking=False):
        log.warning(
            "outgoing webhooks skipped: too many pending",
            extra={"event": "bot_webhooks_skipped", "room_id": change.room_id},
        )
        return
    future = pool.submit(_job, change)
    with _lock:
        _running.add(future)

    def done(finished: Future[None]) -> None:
        slots.release()
        with _lock:
            _running.discard(finished)

    future.add_done_callback(done)


def _job(change: ItemAdded) -> None:
    try:
        for delivery in deliveries_for(change):
            deliver(delivery)
    except Exception:
        log.exception("outgoing webhooks failed", extra={"event": "bot_webhooks_error"})
    finally:
        # This thread's connections: a worker may wait long for its next job.
        connections.close_all()


def wait_idle(timeout: float) -> bool:
    """Wait until every queued delivery has finished (tests, shutdown); False on timeout."""
    with _lock:
        pending = set(_running)
    if not pending:
        return True
    _done, not_done = futures_wait(pending, timeout=timeout)
    return not not_done
