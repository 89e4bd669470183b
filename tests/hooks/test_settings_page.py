"""The room settings page's Webhooks section: the owner makes, renews and deletes webhooks; the
secret address is shown once, on the page that answers the form."""

import re

import pytest

from parley.rooms import services
from parley.rooms.models import IncomingWebhook
from tests.web.test_pages import assert_no_inline_code

pytestmark = pytest.mark.django_db

HOOK_URL = re.compile(r"http://testserver/hooks/([a-z0-9]{12}_[A-Za-z0-9_-]{43})")


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client


def settings_url(room):
    return f"/rooms/{room.slug}/settings/"


def test_owner_sees_the_webhook_form(ada_client, general):
    page = ada_client.get(settings_url(general))

    assert page.status_code == 200
    assert 'id="webhooks"' in page.text
    assert re.search(
        r'<input id="webhook-name" type="text" name="name"[^>]*maxlength="80"', page.text
    )
    assert "This room has no webhooks." in page.text
    assert_no_inline_code(page.text)


def test_making_a_webhook_shows_its_full_address_once(ada_client, general):
    page = ada_client.post(settings_url(general), {"action": "webhook", "name": "Alertmanager"})

    assert page.status_code == 200
    urls = set(HOOK_URL.findall(page.text))
    assert len(urls) == 1
    (token,) = urls
    webhook = IncomingWebhook.objects.get(room=general)
    assert services.webhook_lookup(token) == webhook
    assert "Copy it now" in page.text and "Alertmanager" in page.text
    assert "no-store" in page["Cache-Control"]
    # Never again: the next view of the page lists it without its secret.
    again = ada_client.get(settings_url(general)).text
    assert token not in again and token.split("_")[0] in again
    assert "Alertmanager" in again and "never used" in again
    assert "/hooks/" not in again  # nothing on the page looks like an address to copy


def test_the_name_field_alone_makes_a_webhook(ada_client, general):
    """The contract's form is "a form with a `name` field": posted without the hidden action."""
    page = ada_client.post(settings_url(general), {"name": "CI"})
    assert page.status_code == 200
    assert HOOK_URL.search(page.text)
    assert IncomingWebhook.objects.get(room=general).name == "CI"


def test_an_empty_name_is_a_form_error(ada_client, general):
    page = ada_client.post(settings_url(general), {"action": "webhook", "name": "  "})
    assert page.status_code == 200
    assert 'id="webhook-error"' in page.text and "needs a name" in page.text
    assert not IncomingWebhook.objects.exists()


def test_regenerate_shows_a_new_address_and_the_old_one_stops(ada_client, ada, general):
    webhook, old = services.webhook_create(room=general, by=ada, name="CI")

    page = ada_client.post(
        settings_url(general), {"action": "webhook_regenerate", "webhook": str(webhook.pk)}
    )

    (new,) = set(HOOK_URL.findall(page.text))
    assert new != old
    assert services.webhook_lookup(old) is None
    assert services.webhook_lookup(new) == webhook


def test_delete_removes_it_from_the_list(ada_client, ada, general):
    webhook, token = services.webhook_create(room=general, by=ada, name="CI")

    response = ada_client.post(
        settings_url(general), {"action": "webhook_delete", "webhook": str(webhook.pk)}
    )

    assert response.status_code == 302
    page = ada_client.get(settings_url(general)).text
    assert "This room has no webhooks." in page
    assert services.webhook_lookup(token) is None


def test_a_webhook_of_another_room_is_not_found(ada_client, ada, general):
    other_room = services.room_create(owner=ada, name="Other", slug="other", visibility="public")
    webhook, token = services.webhook_create(room=other_room, by=ada, name="CI")

    response = ada_client.post(
        settings_url(general), {"action": "webhook_delete", "webhook": str(webhook.pk)}
    )

    assert response.status_code == 404
    assert services.webhook_lookup(token) == webhook


def test_non_owner_sees_no_webhooks_and_cannot_post_them(client, bob, general_with_bob):
    client.force_login(bob)

    assert client.get(settings_url(general_with_bob)).status_code == 403
    response = client.post(settings_url(general_with_bob), {"action": "webhook", "name": "x"})

    assert response.status_code == 403
    assert not IncomingWebhook.objects.exists()


def test_room_page_shows_the_display_name_and_a_bot_badge(ada_client, ada, general):
    webhook, _ = services.webhook_create(room=general, by=ada, name="Alerts")
    services.webhook_post(webhook=webhook, body="disk *full*", display_name="Grafana")
    services.message_post(user=ada, room_slug="general", body="on it", client_id="c1")

    html = ada_client.get("/rooms/general/").text
    rows = html.split('<li class="item item--message')[1:]
    bot_row = next(row for row in rows if "disk" in row)
    ada_row = next(row for row in rows if "on it" in row)

    assert re.search(
        rf'<span class="item__author" title="{webhook.user.username}">Grafana</span>'
        r'<span class="badge badge--bot item__bot">BOT</span>',
        bot_row,
    )
    assert 'aria-hidden="true">G</span>' in bot_row
    assert re.search(
        r'<span class="item__author">ada</span><span class="badge badge--bot item__bot" hidden>',
        ada_row,
    )
