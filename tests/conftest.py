"""Shared fixtures: the test database's services (Redis, PostgreSQL), the hub, users and rooms.

The suite runs against whatever DATABASE_URL / REDIS_URL say (SQLite and the in-process layer
by default). Under CI=true a service test that cannot reach its service fails instead of skipping.
"""

import asyncio
import os

import pytest
from django.conf import settings

from parley.rooms import services
from tests.factories import UserFactory, make_room
from tests.support.rate_limits import RateLimits

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str):
    """Skip on a developer machine without the service; fail in CI, where it must be there."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _clean_redis():
    """Start the Redis pass from an empty test database: no groups left from an earlier run."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            client.flushdb()
        except redis.RedisError as exc:
            skip_or_fail(f"REDIS_URL is set but Redis is not usable: {exc}")
        finally:
            client.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end sessions left by server threads of past tests."""
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _settle_background_work():
    """After the test (and after `_stop_hub`: fixtures tear down in reverse, and autouse ones set
    up in name order), before the test database is emptied: the outgoing webhook jobs end, and
    the push worker drops what waits and ends its database calls. Every message a transactional
    test posts reaches both, each querying on a thread of its own; a query still running at the
    flush deadlocks with PostgreSQL's TRUNCATE ("Database couldn't be flushed")."""
    yield
    from parley.bots import dispatch
    from parley.notify.worker import worker

    assert dispatch.wait_idle(20), "outgoing webhook jobs did not finish"
    assert worker.drop_pending(20), "the push worker did not stop"


@pytest.fixture(autouse=True)
async def _stop_hub():
    """Each test's event loop gets its own hub; stop it before the loop closes.

    The channel layer instance is dropped too: channels-redis keeps asyncio locks that belong
    to the loop that first used them (a server process has one loop; a test suite has many).

    Then what the test left running on its loop is cancelled, and the database calls those
    tasks handed to the database threads are waited for: a cancelled task's call runs to its
    end in its thread, and one still running when the test database is emptied deadlocks with
    PostgreSQL's TRUNCATE ("Database couldn't be flushed", and the next tests meet the rows).
    This fixture is set up after the database fixture, so it is torn down before the flush.
    """
    yield
    from channels import DEFAULT_CHANNEL_LAYER
    from channels.layers import channel_layers

    from parley.realtime.database import calls_ended
    from parley.realtime.hub import stop_hub

    await stop_hub()
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    await _cancel_left_tasks()
    await calls_ended()


async def _cancel_left_tasks() -> None:
    """Cancel the tasks a test left on its event loop (consumers of sockets it did not close,
    their batches) and wait for them to end."""
    current = asyncio.current_task()
    left = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    for task in left:
        task.cancel()
    if left:
        await asyncio.wait(left, timeout=10)


@pytest.fixture
def user_factory(db):
    return UserFactory


# The people and the room most tests need, for sync and async tests alike (an async test marked
# `django_db(transaction=True)` sees these rows: they are committed). A module that needs them
# made otherwise defines its own, named for what it is.
@pytest.fixture
def ada(db):
    return UserFactory(username="ada")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def general(ada):
    """A public room ada created: her join is seq 1."""
    return make_room(ada, slug="general")


@pytest.fixture
def general_with_bob(general, bob):
    """`general` with bob joined: seq 2 is his join."""
    services.room_join(user=bob, room=general)
    return general


@pytest.fixture
def rate_limits(settings):
    """Rate limits on with the configured defaults, fresh buckets and a clock the test moves
    (tests/support/rate_limits.py); off again afterwards."""
    limits = RateLimits(settings)
    limits.configure()
    yield limits
    limits.reset()
