"""Fixtures of the realtime tests (ada, bob and `general` come from tests/conftest.py)."""

import pytest

from parley.rooms import services
from tests.factories import UserFactory, make_room


@pytest.fixture
def people(ada, bob, general_with_bob):
    """ada, bob and carol; ada's public `general` (seqs 1, 2: her join, bob's) and private
    `secret`, bob a member of both, carol of neither."""
    carol = UserFactory(username="carol")
    secret = make_room(ada, slug="secret", visibility="private")
    services.room_join(user=bob, room=secret)
    return ada, bob, carol
