"""The API's test clients: Django's test client through the real URLconf and middleware, signed
in with a personal access token (the way programs call the API) or a session (the web client's
way, CSRF enforced)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from parley.accounts.tokens import token_create

API = "/api/v1"


class ApiClient:
    """JSON requests to /api/v1/ as one user, with `Authorization: Bearer <token>`."""

    def __init__(self, token: str | None) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _headers(self, headers: dict | None) -> dict:
        return {**self.headers, **(headers or {})}

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get(API + path, params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, payload=None, *, headers=None, raw: bytes | None = None):
        """A `method` request with `payload` as JSON (or exactly the bytes `raw`)."""
        data = raw if raw is not None else (b"" if payload is None else json.dumps(payload))
        return self.client.generic(
            method,
            API + path,
            data,
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post(self, path: str, payload=None, **kwargs):
        return self.send("POST", path, payload, **kwargs)

    def patch(self, path: str, payload=None, **kwargs):
        return self.send("PATCH", path, payload, **kwargs)

    def put(self, path: str, payload=None, **kwargs):
        return self.send("PUT", path, payload, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.send("DELETE", path, None, **kwargs)


def token_of(user) -> str:
    return token_create(user=user, name="tests")[1]


def error_of(response) -> dict:
    """The refusal's {code, message}: every refusal of the API is this JSON."""
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.json()["error"]


@pytest.fixture
def ada_api(ada) -> ApiClient:
    return ApiClient(token_of(ada))


@pytest.fixture
def bob_api(bob) -> ApiClient:
    return ApiClient(token_of(bob))


@pytest.fixture
def anonymous_api(db) -> ApiClient:
    return ApiClient(None)
