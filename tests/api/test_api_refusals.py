"""Every refusal of /api/v1/ is JSON {"error": {code, message}} with the contract's status:
authentication (tokens, sessions and CSRF), unknown paths and methods, bodies that are not
JSON, nested too deep, with NUL, or over the size limit, and rate limits."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from parley.accounts.tokens import token_create, token_revoke
from parley.rooms.models import Item
from tests.api.conftest import API, ApiClient, error_of

pytestmark = pytest.mark.django_db


# -- authentication ------------------------------------------------------------------------------


def test_an_anonymous_request_is_401_json_not_the_login_page(anonymous_api, general):
    for response in (
        anonymous_api.get("/rooms"),
        anonymous_api.post("/rooms/general/messages", {"body": "hi"}),
    ):
        assert response.status_code == 401
        assert error_of(response)["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "token",
    ["parley_nope", "parley_" + "A" * 12 + "_" + "b" * 43, "x" * 10_000, "parley_\u0000"],
)
def test_a_malformed_or_unknown_token_is_401(general, token):
    response = ApiClient(token).get("/rooms")

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_a_revoked_token_and_a_deactivated_users_token_are_401(ada, bob, general):
    token, raw = token_create(user=ada, name="script")
    _, bobs = token_create(user=bob, name="script")
    assert ApiClient(raw).get("/rooms").status_code == 200

    token_revoke(token=token, by=ada)
    bob.is_active = False
    bob.save()

    assert ApiClient(raw).get("/rooms").status_code == 401
    assert ApiClient(bobs).get("/rooms").status_code == 401


def test_a_wrong_token_is_401_even_beside_a_valid_session(ada, general):
    client = ApiClient("parley_" + "A" * 12 + "_" + "b" * 43)
    client.client.force_login(ada)

    assert client.get("/rooms").status_code == 401


@pytest.fixture
def browser(ada):
    """ada's browser: signed in by its session cookie, with Django's CSRF checks enforced."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    return client


def test_a_session_reads_without_csrf_but_writes_only_with_the_csrf_token(browser, general):
    read = browser.get(f"{API}/rooms")
    forged = browser.post(
        f"{API}/rooms/general/messages", {"body": "forged"}, content_type="application/json"
    )
    browser.get("/")  # the page sets the CSRF cookie, as the web client's pages do
    token = browser.cookies[django_settings.CSRF_COOKIE_NAME].value
    sent = browser.post(
        f"{API}/rooms/general/messages",
        {"body": "from the page"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert read.status_code == 200
    assert forged.status_code == 403
    assert error_of(forged)["code"] == "forbidden"
    assert "CSRF" in error_of(forged)["message"]
    assert sent.status_code == 201
    assert list(Item.objects.filter(kind="message").values_list("body", flat=True)) == [
        "from the page"
    ]


def test_a_bearer_request_needs_no_csrf_token(ada_api, general):
    # ada_api's client enforces CSRF checks and has no CSRF cookie or header.
    response = ada_api.post("/rooms/general/messages", {"body": "from a script"})

    assert response.status_code == 201


# -- paths, methods and bodies -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/rooms/general/nope", "/rooms/general/messages/1/x"])
def test_an_unknown_api_path_is_a_json_404(ada_api, general, path):
    for response in (ada_api.get(path), ada_api.post(path, {})):
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_a_method_a_path_does_not_take_is_a_json_405_with_allow(ada_api, general):
    response = ada_api.put("/rooms/general/messages", {"body": "x"})

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"body": "unterminated',
        b'{"body": NaN}',
        b'{"body": "\\ud800"}',
        b'{"body": "raw nul \x00 byte"}',
        b"\xff\xfe",
        b"[" * 10_000 + b"]" * 10_000,
        b'{"body":' + b'{"a":' * 10_000 + b"1" + b"}" * 10_001,
    ],
    ids=["text", "cut", "nan", "surrogate", "raw-nul", "binary", "deep", "deep-object"],
)
def test_a_body_that_is_not_strict_json_is_400_bad_frame(ada_api, general, raw):
    response = ada_api.post("/rooms/general/messages", raw=raw)

    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_frame"
    assert not Item.objects.filter(kind="message").exists()


def test_json_that_is_not_the_expected_object_is_400_invalid(ada_api, general):
    for raw in (b"", b"[]", b'"body"', b"1", b"null", b'{"body": ["x"]}'):
        response = ada_api.post("/rooms/general/messages", raw=raw)
        assert response.status_code == 400, raw
        assert error_of(response)["code"] == "invalid"


def test_a_body_over_the_limit_is_413_before_it_is_parsed(ada_api, general, settings):
    settings.PARLEY = {**settings.PARLEY, "MAX_FORM_BYTES": 1000}
    # Not JSON at all: were it parsed first, the answer would be 400.
    response = ada_api.post("/rooms/general/messages", raw=b"x" * 1001)
    declared = ada_api.post(
        "/rooms/general/messages",
        raw=b'{"body": "small"}',
        headers={"Content-Length": "5000000"},
    )

    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert declared.status_code == 413
    assert not Item.objects.filter(kind="message").exists()


def test_a_body_at_the_limit_is_parsed(ada_api, general, settings):
    body = '{"body": "' + "x" * 980 + '"}'
    settings.PARLEY = {**settings.PARLEY, "MAX_FORM_BYTES": len(body)}

    assert ada_api.post("/rooms/general/messages", raw=body.encode()).status_code == 201


# -- rate limits ---------------------------------------------------------------------------------


def test_over_the_send_limit_is_429_with_retry_after_and_nothing_stored(
    ada_api, general, rate_limits
):
    rate_limits.configure(send="2,1/s")
    answers = [ada_api.post("/rooms/general/messages", {"body": f"m{n}"}) for n in range(3)]

    assert [r.status_code for r in answers] == [201, 201, 429]
    refusal = error_of(answers[2])
    assert refusal["code"] == "rate_limited"
    assert refusal["retry_after"] > 0
    assert answers[2]["Retry-After"] == "1"
    assert Item.objects.filter(kind="message").count() == 2
    rate_limits.advance(1)
    assert ada_api.post("/rooms/general/messages", {"body": "later"}).status_code == 201


def test_a_retried_idempotency_key_counts_against_no_limit(ada_api, general, rate_limits):
    rate_limits.configure(send="1,1/s")
    key = {"Idempotency-Key": "once"}

    first = ada_api.post("/rooms/general/messages", {"body": "m"}, headers=key)
    retries = [
        ada_api.post("/rooms/general/messages", {"body": "m"}, headers=key) for _ in range(3)
    ]

    assert first.status_code == 201
    assert [r.status_code for r in retries] == [200, 200, 200]
