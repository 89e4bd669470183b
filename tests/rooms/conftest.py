"""Fixtures shared by the rooms tests: a staff owner and one room of each kind."""

import pytest

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
