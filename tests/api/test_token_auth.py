"""`Authorization: Bearer <token>` on /api/v1/: a working token is its user; any other token is a
JSON 401, session cookie or not; a token needs no CSRF token."""

import pytest
from django.test import Client

from parley.accounts.models import AccessToken
from parley.accounts.tokens import token_create, token_revoke
from parley.rooms.models import Item

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search?q=abc"


def auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_unauthenticated(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_token_authenticates_a_search(client, ada):
    _, raw = token_create(user=ada, name="CI")
    response = client.get(SEARCH, **auth(raw))
    assert response.status_code == 200
    assert response.json() == {"results": [], "next": None}


def test_a_token_notes_its_last_use(client, ada):
    row, raw = token_create(user=ada, name="CI")
    client.get(SEARCH, **auth(raw))
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_the_token_is_the_user_the_api_acts_for(client, ada, bob, general_with_bob):
    _, raw = token_create(user=bob, name="bob's bot")
    response = client.post(
        "/api/v1/rooms/general/messages",
        {"body": "from bob's script"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 201
    assert response.json()["item"]["author"]["username"] == "bob"
    assert Item.objects.get(body="from bob's script").user == bob


@pytest.mark.parametrize(
    "header",
    [
        "Bearer ",
        "Bearer nonsense",
        "Bearer parley_" + "A" * 12 + "_" + "B" * 43,
        "bearer parley_\x00",
        "Bearer " + "x" * 10_240,
    ],
    ids=["empty", "malformed", "unknown", "nul", "10kb"],
)
def test_bad_tokens_get_a_json_401(client, header):
    assert_unauthenticated(client.get(SEARCH, HTTP_AUTHORIZATION=header))


def test_a_bad_token_gets_401_even_with_a_valid_session_cookie(client, ada):
    client.force_login(ada)
    assert client.get(SEARCH).status_code == 200  # the session alone works
    assert_unauthenticated(client.get(SEARCH, **auth("parley_wrong")))


def test_a_revoked_token_gets_401(client, ada):
    row, raw = token_create(user=ada, name="CI")
    token_revoke(token=row, by=ada)
    assert_unauthenticated(client.get(SEARCH, **auth(raw)))


def test_a_deactivated_users_token_gets_401(client, ada):
    _, raw = token_create(user=ada, name="CI")
    ada.is_active = False
    ada.save()
    assert_unauthenticated(client.get(SEARCH, **auth(raw)))


def test_a_token_needs_no_csrf_token_to_write(ada, general):
    client = Client(enforce_csrf_checks=True)
    _, raw = token_create(user=ada, name="CI")
    response = client.post(
        "/api/v1/rooms/general/messages",
        {"body": "no csrf needed"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 201


def test_a_session_write_without_csrf_is_still_refused(ada, general):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    response = client.post(
        "/api/v1/rooms/general/messages",
        {"body": "csrf needed"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Item.objects.filter(body="csrf needed").exists()


def test_another_authorization_scheme_leaves_it_to_the_session(client, ada):
    """A proxy's Basic auth in front of the site must not sign the web client out."""
    client.force_login(ada)
    response = client.get(SEARCH, HTTP_AUTHORIZATION="Basic YWRhOnMzY3JldA==")
    assert response.status_code == 200
    client.logout()
    assert_unauthenticated(client.get(SEARCH, HTTP_AUTHORIZATION="Basic YWRhOnMzY3JldA=="))


def test_a_bot_authenticates_with_its_token(client, ada):
    from parley.accounts.bots import bot_create

    bot = bot_create(username="searchbot", owner=ada)
    _, raw = token_create(user=bot, name="bot")
    assert client.get(SEARCH, **auth(raw)).status_code == 200
    assert AccessToken.objects.get(user=bot).last_used_at is not None
