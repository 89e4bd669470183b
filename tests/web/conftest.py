"""Fixtures shared by the page tests: two users, and a client signed in as the first."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def ada():
    return UserFactory(username="ada")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client
