"""The admin's bots and tokens: staff make a bot and its token (shown once), and revoke tokens."""

import re

import pytest
from django.contrib.messages import get_messages

from parley.accounts.bots import bot_create
from parley.accounts.changes import SessionsEnded
from parley.accounts.models import AccessToken, Bot
from parley.accounts.tokens import token_create, token_session_key, token_user
from parley.core import changes

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r"parley_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}")


def shown(response) -> list[str]:
    return [TOKEN_RE.search(str(m)).group() for m in get_messages(response.wsgi_request)
            if TOKEN_RE.search(str(m))]  # fmt: skip


def test_staff_make_a_bot_that_cannot_log_in(admin_client, ada):
    response = admin_client.post(
        "/admin/accounts/bot/add/",
        {"username": "deploybot", "owner": ada.pk, "outgoing_url": "https://bots.example/in"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bot = Bot.objects.select_related("user").get(user__username="deploybot")
    assert (bot.owner, bot.outgoing_url) == (ada, "https://bots.example/in")
    assert not bot.user.has_usable_password()
    page = admin_client.get(f"/admin/accounts/bot/{bot.pk}/change/")
    assert page.status_code == 200
    assert "Last error" in page.content.decode()


@pytest.mark.parametrize(
    ("username", "url", "error"),
    [
        ("ada", "", "That username is taken"),
        ("newbot", "ftp://x.example/", "Enter an http:// or https:// URL."),
    ],
)
def test_a_refused_bot_is_a_form_error(admin_client, ada, username, url, error):
    response = admin_client.post(
        "/admin/accounts/bot/add/", {"username": username, "owner": "", "outgoing_url": url}
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Bot.objects.exists()


def test_staff_make_a_bots_token_and_see_it_once(admin_client, ada):
    bot = bot_create(username="deploybot", owner=ada)
    response = admin_client.post("/admin/accounts/accesstoken/add/", {"user": bot.pk, "name": "ci"})
    assert response.status_code == 302
    [raw] = shown(response)
    assert token_user(raw)[0] == bot
    assert raw in admin_client.get(response["Location"]).content.decode()  # the one time
    listing = admin_client.get("/admin/accounts/accesstoken/").content.decode()
    assert raw not in listing
    assert AccessToken.objects.get(user=bot).prefix in listing


def test_staff_cannot_make_a_token_for_a_person(admin_client, ada):
    response = admin_client.post("/admin/accounts/accesstoken/add/", {"user": ada.pk, "name": "x"})
    assert response.status_code == 200  # the form refuses: ada is no bot
    assert not AccessToken.objects.exists()


def test_the_bots_action_makes_a_token_shown_once(admin_client, ada):
    bot = bot_create(username="deploybot", owner=ada)
    response = admin_client.post(
        "/admin/accounts/bot/", {"action": "make_token", "_selected_action": [bot.pk]}
    )
    assert response.status_code == 302
    [raw] = shown(response)
    assert token_user(raw)[0] == bot


def test_the_revoke_action_revokes_and_closes_the_tokens_sockets(
    admin_client, ada, django_capture_on_commit_callbacks
):
    row, raw = token_create(user=ada, name="CI")
    heard = []
    changes.listen(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                "/admin/accounts/accesstoken/", {"action": "revoke", "_selected_action": [row.pk]}
            )
    finally:
        changes._listeners.remove(heard.append)
    assert response.status_code == 302
    assert token_user(raw) is None
    assert SessionsEnded(ada.pk, session_key=token_session_key(row.pk)) in heard
