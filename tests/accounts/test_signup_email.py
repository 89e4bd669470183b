"""Sign-up's optional email: given, a verification link is mailed to it after the account is
made (and opening it proves the address); left out, nothing is sent."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from parley.accounts.models import NotificationPrefs
from tests.notify.smtp_server import links_in

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass-123"


def signup(client, **extra):
    data = {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post("/accounts/signup/", data)


def test_sign_up_with_an_email_mails_a_link_that_proves_it(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    # No PARLEY_SITE_URL: the link points where the sign-up page was reached.
    settings.PARLEY_SITE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, email="new@example.com")
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newcomer")
    assert user.email == "new@example.com"
    [mail] = mailoutbox
    assert mail.to == ["new@example.com"]
    assert "newcomer" in mail.body
    [link] = [link for link in links_in(mail.body) if "/verify/" in link]

    page = Client().get(link.removeprefix("http://testserver"))  # no log-in needed
    assert page.status_code == 200
    assert "Address verified" in page.content.decode()
    assert NotificationPrefs.objects.get(user=user).email_verified == "new@example.com"


def test_sign_up_without_an_email_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client)
    assert response.status_code == 302
    assert get_user_model().objects.get(username="newcomer").email == ""
    assert mailoutbox == []


def test_a_refused_sign_up_sends_nothing(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, email="new@example.com", password2="other-pass-456")
    assert response.status_code == 200
    assert mailoutbox == []
