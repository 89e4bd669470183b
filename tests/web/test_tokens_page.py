"""`/settings/tokens/`: make a token (shown once), see it listed without its secret, revoke it."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from parley.accounts.bots import bot_create
from parley.accounts.models import AccessToken, Bot
from parley.accounts.tokens import token_create, token_user

pytestmark = pytest.mark.django_db

URL = "/settings/tokens/"
TOKEN_RE = re.compile(r"parley_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}")


def shown_tokens(response) -> list[str]:
    return TOKEN_RE.findall(response.content.decode())


def test_a_made_token_is_shown_once_then_listed_without_its_secret(ada_client, ada):
    response = ada_client.post(URL, {"name": "CI deploys"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    [raw] = shown_tokens(response)
    assert "shown only this once" in response.content.decode()

    page = ada_client.get(URL)
    body = page.content.decode()
    assert page.status_code == 200
    assert shown_tokens(page) == []
    assert raw[len("parley_") + 13 :] not in body  # the secret
    assert "CI deploys" in body
    assert "never used" in body
    row = AccessToken.objects.get(user=ada)
    assert f"parley_{row.prefix}_…" in body
    assert token_user(raw)[0] == ada  # the token shown works


def test_a_token_needs_a_name(ada_client):
    response = ada_client.post(URL, {"name": ""})
    assert response.status_code == 400
    assert shown_tokens(response) == []
    assert "This field is required." in response.content.decode()
    assert not AccessToken.objects.exists()


def test_the_page_shows_when_a_token_was_last_used(ada_client, ada):
    _, raw = token_create(user=ada, name="bot")
    token_user(raw)
    body = ada_client.get(URL).content.decode()
    assert "last used" in body
    assert "never used" not in body


def test_revoking_a_token_stops_it_and_the_page_says_so(ada_client, ada):
    row, raw = token_create(user=ada, name="old laptop")
    response = ada_client.post(f"{URL}{row.pk}/revoke/", follow=True)
    assert response.redirect_chain == [(URL, 302)]
    body = response.content.decode()
    assert "revoked: it no longer works" in body
    assert "Revoked" in body
    assert token_user(raw) is None


def test_another_persons_token_cannot_be_revoked(ada_client, bob):
    row, raw = token_create(user=bob, name="bob's")
    response = ada_client.post(f"{URL}{row.pk}/revoke/")
    assert response.status_code == 404
    assert token_user(raw)[0] == bob
    assert ada_client.post(f"{URL}999999/revoke/").status_code == 404


def test_another_persons_tokens_are_not_listed(ada_client, bob):
    token_create(user=bob, name="bobs-secret-bot")
    assert "bobs-secret-bot" not in ada_client.get(URL).content.decode()


def test_revoking_needs_a_post(ada_client, ada):
    row, raw = token_create(user=ada, name="CI")
    assert ada_client.get(f"{URL}{row.pk}/revoke/").status_code == 405
    assert token_user(raw) is not None


def test_making_and_revoking_need_the_csrf_token(ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert client.post(URL, {"name": "CI"}).status_code == 403
    assert not AccessToken.objects.exists()
    row, raw = token_create(user=ada, name="CI")
    assert client.post(f"{URL}{row.pk}/revoke/").status_code == 403
    assert token_user(raw) is not None
    page = client.get(URL)
    csrf = page.cookies["csrftoken"].value
    response = client.post(URL, {"name": "with csrf", "csrfmiddlewaretoken": csrf})
    assert response.status_code == 200
    assert len(shown_tokens(response)) == 1


def test_signed_out_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_user_menu_links_to_the_tokens_page(ada_client):
    body = ada_client.get("/mentions/").content.decode()
    assert f'href="{URL}"' in body


def test_the_page_shows_the_last_failure_of_the_bots_one_answers_for(ada_client, ada, bob):
    dicebot = bot_create(username="dicebot", owner=ada, outgoing_url="https://bots.example/roll")
    Bot.objects.filter(user=dicebot).update(
        last_error="timed out after 5 s", last_error_at=timezone.now()
    )
    bot_create(username="otherbot", owner=bob, outgoing_url="https://bots.example/other")

    page = ada_client.get("/settings/tokens/").content.decode()

    assert "dicebot" in page and "timed out after 5 s" in page
    assert "otherbot" not in page
