"""The unsubscribe link of a digest email: works without a log-in (GET asks, POST does it, and
a mail client's RFC 8058 one-click POST needs no CSRF token); a forged or altered link is
refused with a 400 page and changes nothing."""

from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from parley.accounts.models import NotificationPrefs
from parley.accounts.signed_links import unsubscribe_token, verify_token
from parley.notify.digest import send_due_digests
from tests.notify.smtp_server import smtp_inbox
from tests.notify.test_digest import ada_mentioned, later

__all__ = ["ada_mentioned", "smtp_inbox"]

pytestmark = pytest.mark.django_db


def url(token: str) -> str:
    return f"/settings/notifications/unsubscribe/{token}"


def email_notify(user) -> bool:
    return NotificationPrefs.objects.get(user=user).email_notify


def test_the_emailed_link_unsubscribes_without_a_login(smtp_inbox, ada, ada_mentioned):
    assert send_due_digests(now=later()) == 1
    link = str(smtp_inbox.messages[0]["List-Unsubscribe"]).strip().strip("<>")
    path = urlsplit(link).path
    anonymous = Client(enforce_csrf_checks=True)

    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Stop digest emails?" in page.content.decode()
    assert email_notify(ada)  # looking changes nothing

    done = anonymous.post(path)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert not email_notify(ada)


def test_a_mail_clients_one_click_post_unsubscribes(ada, ada_mentioned):
    response = Client(enforce_csrf_checks=True).post(
        url(unsubscribe_token(user_id=ada.pk)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not email_notify(ada)
    assert send_due_digests(now=later()) == 0


@pytest.mark.parametrize("how", ["altered", "other user's signature", "other salt", "other key"])
def test_a_forged_link_is_refused_and_changes_nothing(ada, bob, ada_mentioned, how, settings):
    good = unsubscribe_token(user_id=bob.pk)
    if how == "altered":
        token = signing.dumps({"u": ada.pk}, salt="x")[:-6] + good[-6:]
    elif how == "other user's signature":
        payload = signing.dumps({"u": ada.pk}, salt="parley.accounts.email-unsubscribe")
        token = payload.rsplit(":", 1)[0] + ":" + good.rsplit(":", 1)[1]
    elif how == "other salt":
        token = verify_token(user_id=ada.pk, address=ada.email)
    else:
        token = signing.dumps(
            {"u": ada.pk}, key="not-the-servers-key", salt="parley.accounts.email-unsubscribe"
        )
    client = Client()
    for method in (client.get, client.post):
        response = method(url(token))
        assert response.status_code == 400
        assert "This link cannot be used" in response.content.decode()
    assert email_notify(ada)
