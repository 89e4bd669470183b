"""Where the sockets' database calls run (parley.realtime.database): one thread on SQLite, a
pool of PARLEY_DATABASE_THREADS on PostgreSQL, each call with Django's connection housekeeping."""

import asyncio
import os
import threading

import pytest
from django.db import connection

from parley.realtime.database import database_call


def _threads(settings, n: int) -> None:
    settings.PARLEY = {**settings.PARLEY, "DATABASE_THREADS": n}


def test_the_default_is_one_thread_on_sqlite_and_four_on_postgresql(settings):
    if "PARLEY_DATABASE_THREADS" in os.environ:
        pytest.skip("PARLEY_DATABASE_THREADS is set in this environment")
    assert settings.PARLEY["DATABASE_THREADS"] == (1 if connection.vendor == "sqlite" else 4)


async def test_with_one_thread_every_call_runs_on_the_same_thread(settings):
    _threads(settings, 1)
    idents = await asyncio.gather(*(database_call(threading.get_ident)() for _ in range(4)))
    assert len(set(idents)) == 1
    assert idents[0] != threading.get_ident()


async def test_with_a_pool_calls_run_at_the_same_time_on_their_own_threads(settings):
    _threads(settings, 3)
    # Three calls can only all pass this barrier if three threads run them at once; one thread
    # (or two) would leave it broken after the timeout.
    barrier = threading.Barrier(3, timeout=10)

    def call() -> int:
        barrier.wait()
        return threading.get_ident()

    idents = await asyncio.gather(*(database_call(call)() for _ in range(3)))
    assert len(set(idents)) == 3
    assert threading.get_ident() not in idents


@pytest.mark.django_db(transaction=True)
async def test_each_pool_thread_queries_on_its_own_connection(settings):
    _threads(settings, 2)
    barrier = threading.Barrier(2, timeout=10)

    def call() -> tuple[int, int]:
        barrier.wait()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            (one,) = cursor.fetchone()
        return one, id(connection.connection)

    (one_a, conn_a), (one_b, conn_b) = await asyncio.gather(
        database_call(call)(), database_call(call)()
    )
    assert one_a == one_b == 1
    assert conn_a != conn_b


async def test_a_call_raises_its_own_exception_and_returns_its_value(settings):
    _threads(settings, 2)

    def fails() -> None:
        raise LookupError("no such room")

    with pytest.raises(LookupError, match="no such room"):
        await database_call(fails)()
    assert await database_call(lambda a, *, b: a + b)(2, b=3) == 5
