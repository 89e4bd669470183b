"""The notification work a server process starts with it: the digest emails' loop.

Web Push needs no start (its worker starts with the first message: parley/notify/worker.py);
digests are due with time, not with messages, so a process runs their loop from the start, in
a thread of its own with its own event loop: the server's loop never waits on the database or
SMTP. Several processes may all run it: each digest is claimed before it is sent
(parley/notify/digest.py), so none goes twice.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from django.conf import settings

from parley.notify.digest import digest_loop

log = logging.getLogger(__name__)

_lock = threading.Lock()
_thread: threading.Thread | None = None


def start_background() -> bool:
    """Start the digest loop in this process, once (PARLEY_EMAIL_DIGESTS); whether it runs."""
    global _thread
    if not settings.PARLEY_EMAIL_DIGESTS:
        return False
    with _lock:
        if _thread is None:
            _thread = threading.Thread(
                target=asyncio.run, args=(digest_loop(),), name="parley-digests", daemon=True
            )
            _thread.start()
            log.info("digest loop started", extra={"event": "digest_loop_started"})
    return True
