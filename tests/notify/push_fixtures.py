"""Fixtures of the Web Push tests (imported by their modules: tests/notify is shared with the
email tests, so there is no conftest of Web Push's own)."""

from __future__ import annotations

import pytest

from parley.notify import worker
from tests.notify.push_service import PushService


@pytest.fixture(autouse=True)
def push_settings(settings, tmp_path):
    """A key pair of the test's own, quick retries, and the worker left idle after the test."""
    settings.PARLEY_PUSH = {
        **settings.PARLEY_PUSH,
        "VAPID_PRIVATE_KEY": "",
        "VAPID_PUBLIC_KEY": "",
        "VAPID_SUBJECT": "mailto:ops@example.com",
        "VAPID_KEY_FILE": str(tmp_path / "vapid_private_key.pem"),
        "COALESCE_SECONDS": 2.0,
        "RETRIES": 1,
        "BACKOFF_SECONDS": 0.1,
        "TIMEOUT_SECONDS": 2.0,
    }
    yield settings.PARLEY_PUSH
    assert worker.wait_idle(20), "the push worker did not finish"
    worker.worker.forget_windows()


@pytest.fixture
def private_allowed(settings):
    """The fake push service is plain http on 127.0.0.1."""
    settings.PARLEY_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def push_service(private_allowed):
    with PushService() as service:
        yield service
