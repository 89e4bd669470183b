"""digest_loop: runs the digest in a thread again and again, and a failed run does not stop it."""

import asyncio
import threading

import pytest

from parley.notify import digest


async def test_the_loop_runs_again_after_a_failed_run(monkeypatch):
    calls: list[object] = []
    second_run = threading.Event()

    def run(*, now):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("the database is down")
        second_run.set()
        return 0

    monkeypatch.setattr(digest, "send_due_digests", run)
    loop = asyncio.create_task(digest.digest_loop(interval=0))
    try:
        assert await asyncio.wait_for(asyncio.to_thread(second_run.wait, 5), 10)
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    assert len(calls) >= 2
