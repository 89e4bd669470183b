"""Helpers for tests where several threads write the database at once, each on its own connection.

Use them in tests marked `@pytest.mark.django_db(transaction=True)`: the threads see only what
is committed, like separate server processes do.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections

THREAD_TIMEOUT = 60


def run_in_threads(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread and connection, all released at once; their results.

    A barrier starts them together; each thread closes its connection at the end. The first
    exception of any thread is raised here.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def work(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            results[index] = call()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    if errors:
        raise errors[0]
    return results
