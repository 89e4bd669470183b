"""Shared fixtures: users, rooms, and WebSocket clients on the real ASGI application.

The suite runs against whatever DATABASE_URL / REDIS_URL say (SQLite and the in-process layer
by default). Under CI=true a service test that cannot reach its service fails instead of skipping.
"""

import os
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from tests.factories import UserFactory, make_room

ORIGIN = (b"origin", b"http://127.0.0.1")
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
async def _stop_hub():
    """Each test's event loop gets its own hub; stop it before the loop closes.

    The channel layer instance is dropped too: channels-redis keeps asyncio locks that belong
    to the loop that first used them (a server process has one loop; a test suite has many).
    """
    yield
    from channels import DEFAULT_CHANNEL_LAYER
    from channels.layers import channel_layers

    from parley.realtime.hub import stop_hub

    await stop_hub()
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)


@pytest.fixture
def user_factory(db):
    return UserFactory


# Two users most tests need; a module that needs them made otherwise defines its own.
@pytest.fixture
def ada():
    return UserFactory(username="ada")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


@pytest.fixture
def room_factory(db):
    return make_room


def session_key_of(cookie: bytes) -> str:
    """The session key in a Cookie header made by `session_cookie_for` (or a test client)."""
    return cookie.decode().split("=", 1)[1]


def session_cookie_for(user) -> bytes:
    """A real database session for `user`, as Django's login() would create."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


@asynccontextmanager
async def ws_client(user=None, *, origin=ORIGIN, path="/ws/"):
    """A connected WebsocketCommunicator on config.asgi.application, disconnected on exit."""
    from config.asgi import application

    headers = [origin] if origin else []
    if user is not None:
        cookie = await database_sync_to_async(session_cookie_for)(user)
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    communicator.accepted = connected
    communicator.close_code = code
    try:
        yield communicator
    finally:
        await communicator.disconnect()


@pytest.fixture
def ws():
    return ws_client


async def request(communicator, frame: dict, *, timeout: float = 5) -> dict:
    """Send a frame and return the next frame of type other than a live item or `presence`
    (another member's socket opening announces it at a moment no test controls)."""
    await communicator.send_json_to(frame)
    while True:
        reply = await communicator.receive_json_from(timeout=timeout)
        if reply["type"] not in {"message", "event", "presence"}:
            return reply


async def receive_until(communicator, predicate, *, timeout: float = 5) -> list[dict]:
    """Frames up to and including the first for which predicate(frame) is true."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        frames.append(frame)
        if predicate(frame):
            return frames
