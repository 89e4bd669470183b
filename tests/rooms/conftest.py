"""Fixtures shared by the rooms tests: a staff owner, one room of each kind, and the publisher
replaced (ada, bob and `general` come from tests/conftest.py)."""

from unittest import mock

import pytest

from parley.realtime import broadcast
from tests.factories import UserFactory, make_room


@pytest.fixture
def owner():
    return UserFactory(username="owner", is_staff=True)


@pytest.fixture
def rooms(owner):
    """One room of each kind, all owned by a staff user."""
    return {
        "public": make_room(owner, slug="public"),
        "private": make_room(owner, slug="private", visibility="private"),
        "staff": make_room(owner, slug="staff", staff_only=True),
        "staff-private": make_room(
            owner, slug="staff-private", visibility="private", staff_only=True
        ),
    }


@pytest.fixture
def publish():
    """publish_from_sync, replaced: the on-commit callbacks bind it when they are registered."""
    with mock.patch.object(broadcast, "publish_from_sync") as fake:
        yield fake
