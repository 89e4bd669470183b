"""Fixtures shared by the page tests: a client signed in as `ada` (tests/conftest.py)."""

import pytest


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client
