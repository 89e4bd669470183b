"""The database switch: SQLite kept open per thread; PostgreSQL through a pool per process."""

import os

import pytest
from django.db.backends.postgresql.base import DatabaseWrapper

from config.settings import base

POSTGRES_URL = "postgres://parley@db.example:5432/parley"


def test_sqlite_keeps_its_connection_and_has_no_pool(monkeypatch):
    config = base.database_from_env("sqlite:////tmp/parley-settings-test.sqlite3")
    assert config["CONN_MAX_AGE"] is None
    assert "pool" not in config["OPTIONS"]


def test_postgresql_gets_a_pool_and_gives_connections_back_after_each_request(monkeypatch):
    monkeypatch.delenv("PARLEY_DB_POOL_SIZE", raising=False)
    monkeypatch.delenv("PARLEY_DB_POOL_TIMEOUT", raising=False)
    config = base.database_from_env(POSTGRES_URL)
    pool = config["OPTIONS"]["pool"]
    assert pool["max_size"] == 20 and pool["min_size"] == 1
    # A request waits at most this long for a connection, then fails as `unavailable`.
    assert pool["timeout"] == 3.0
    # Django refuses a pool with persistent connections.
    assert config["CONN_MAX_AGE"] == 0
    assert config["OPTIONS"]["connect_timeout"] == 5


def test_the_pool_size_and_wait_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PARLEY_DB_POOL_SIZE", "40")
    monkeypatch.setenv("PARLEY_DB_POOL_TIMEOUT", "1.5")
    pool = base.database_from_env(POSTGRES_URL)["OPTIONS"]["pool"]
    assert (pool["max_size"], pool["timeout"]) == (40, 1.5)


def test_a_pool_size_of_zero_turns_the_pool_off(monkeypatch):
    monkeypatch.setenv("PARLEY_DB_POOL_SIZE", "0")
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    config = base.database_from_env(POSTGRES_URL)
    assert "pool" not in config["OPTIONS"]
    assert config["CONN_MAX_AGE"] == 60


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (DATABASE_URL)",
)
def test_connections_closed_after_each_request_go_back_to_the_pool(monkeypatch, django_db_blocker):
    # The configuration as the server builds it, against the real server: closing at the end
    # of each of ten requests hands the session back, so the pool opens a connection or two
    # (its background filler may race the first request), not ten.
    monkeypatch.delenv("PARLEY_DB_POOL_SIZE", raising=False)
    config = base.database_from_env(os.environ["DATABASE_URL"])
    config.update(TIME_ZONE=None, AUTOCOMMIT=True, ATOMIC_REQUESTS=False, TEST={})
    wrapper = DatabaseWrapper(config, alias="pool-test")
    backends = set()
    with django_db_blocker.unblock():
        for _ in range(10):
            with wrapper.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backends.add(cursor.fetchone()[0])
            wrapper.close()
        opened = wrapper.pool.get_stats()["connections_num"]
        wrapper.close_pool()
    assert len(backends) <= 2
    assert opened <= 2
