"""Counting the queries the server runs on every thread (the test's and the database threads').

The socket side's database calls run on threads of their own (parley/realtime/database.py),
whose connections pytest-django's `django_assert_num_queries` (the test thread's connection)
does not see, and which may stay open across calls. So the count is taken where every
statement of every connection passes: Django's cursor wrapper. The threads of the workers that
answer a test's posts on their own (notifications, outgoing webhooks) are left out: what they
run depends on when they get to the setup's messages.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.utils import CursorWrapper

# Threads whose queries are not the server's answer to a client (see above).
BACKGROUND_THREADS = ("parley-push", "parley-bots")


class Queries:
    """The statements run while counting, in the order they ran (across threads)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.statements)

    def record(self, sql: str) -> None:
        if threading.current_thread().name.startswith(BACKGROUND_THREADS):
            return
        with self._lock:
            self.statements.append(sql)

    def listing(self) -> str:
        return "\n".join(f"{n}. {sql}" for n, sql in enumerate(self.statements, 1))


@contextmanager
def queries_on_all_threads() -> Iterator[Queries]:
    """Record every statement any thread runs inside the block (but background workers')."""
    queries = Queries()
    execute, executemany = CursorWrapper.execute, CursorWrapper.executemany

    def counted_execute(self: CursorWrapper, sql: str, params: Any = None) -> Any:
        queries.record(sql)
        return execute(self, sql, params)

    def counted_executemany(self: CursorWrapper, sql: str, param_list: Any) -> Any:
        queries.record(sql)
        return executemany(self, sql, param_list)

    CursorWrapper.execute = counted_execute  # type: ignore[method-assign]
    CursorWrapper.executemany = counted_executemany  # type: ignore[method-assign]
    try:
        yield queries
    finally:
        CursorWrapper.execute = execute  # type: ignore[method-assign]
        CursorWrapper.executemany = executemany  # type: ignore[method-assign]
