"""/settings/notifications/: the address (change, verification state, resend), digest emails
and Web Push on or off, do not disturb (for an hour, until tomorrow 9:00, until a time, resume);
the verification link; bad input is a form error and changes nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from parley.accounts.models import NotificationPrefs, Profile
from parley.accounts.notification_prefs import prefs_get
from tests.notify.smtp_server import links_in

pytestmark = pytest.mark.django_db

URL = "/settings/notifications/"


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client


def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_user_menu_links_to_the_page(ada_client):
    page = ada_client.get("/mentions/")
    assert f'href="{URL}"' in page.content.decode()


def test_changing_the_address_mails_a_link_and_opening_it_verifies(
    ada_client, ada, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_client.post(URL, {"action": "email", "email": "ada@example.com"})
    assert response.status_code == 302
    page = ada_client.get(URL).content.decode()
    assert "Not verified" in page and "ada@example.com" in page
    assert "We sent a link to ada@example.com" in page

    with django_capture_on_commit_callbacks(execute=True):
        ada_client.post(URL, {"action": "resend"})
    assert len(mailoutbox) == 2
    assert [mail.to for mail in mailoutbox] == [["ada@example.com"]] * 2

    [link] = [link for link in links_in(mailoutbox[-1].body) if "/verify/" in link]
    assert link.startswith("http://testserver/settings/notifications/verify/")
    assert Client().get(link.removeprefix("http://testserver")).status_code == 200
    assert "Verified" in ada_client.get(URL).content.decode()

    # A new address is unproved again.
    with django_capture_on_commit_callbacks(execute=True):
        ada_client.post(URL, {"action": "email", "email": "ada@elsewhere.example"})
    assert prefs_get(user=ada).email_verified == ""
    assert "Not verified" in ada_client.get(URL).content.decode()


def test_a_bad_address_is_a_form_error_and_changes_nothing(ada_client, ada, mailoutbox):
    response = ada_client.post(URL, {"action": "email", "email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    ada.refresh_from_db()
    assert ada.email == ""
    assert mailoutbox == []


def test_resending_without_an_address_says_what_to_do(ada_client, mailoutbox):
    response = ada_client.post(URL, {"action": "resend"})
    assert response.status_code == 400
    assert "Add an email address first." in response.content.decode()
    assert mailoutbox == []


def test_a_forged_verification_link_is_refused(client, ada):
    response = client.get(f"{URL}verify/eyJ1IjoxLCJlIjoiYUBiLmMifQ:1xaagG:forged")
    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    assert not NotificationPrefs.objects.filter(user=ada).exclude(email_verified="").exists()


def test_digests_and_push_turn_off_and_on(ada_client, ada):
    assert ada_client.post(URL, {"action": "prefs", "push_notify": "on"}).status_code == 302
    prefs = prefs_get(user=ada)
    assert (prefs.email_notify, prefs.push_notify) == (False, True)
    ada_client.post(URL, {"action": "prefs", "email_notify": "on"})
    prefs = prefs_get(user=ada)
    assert (prefs.email_notify, prefs.push_notify) == (True, False)


def test_pause_for_an_hour_then_resume(ada_client, ada):
    before = timezone.now()
    assert ada_client.post(URL, {"action": "dnd", "pause": "hour"}).status_code == 302
    until = prefs_get(user=ada).dnd_until
    assert before + timedelta(minutes=59) < until < timezone.now() + timedelta(minutes=61)
    page = ada_client.get(URL).content.decode()
    assert "Paused" in page and "Resume notifications now" in page

    assert ada_client.post(URL, {"action": "resume"}).status_code == 302
    assert prefs_get(user=ada).dnd_until is None


def test_pause_until_tomorrow_morning_in_the_persons_time_zone(ada_client, ada):
    Profile.objects.create(user=ada, time_zone="Asia/Tokyo")
    ada_client.post(URL, {"action": "dnd", "pause": "tomorrow"})
    local = timezone.localtime(prefs_get(user=ada).dnd_until, timezone.get_fixed_timezone(540))
    assert (local.hour, local.minute) == (9, 0)
    assert local.date() == (timezone.localtime(timezone.now(), local.tzinfo).date()) + timedelta(1)


def test_pause_until_a_time_of_ones_own_choosing(ada_client, ada):
    Profile.objects.create(user=ada, time_zone="Asia/Kolkata")  # UTC+5:30, no summer time
    day = (timezone.now() + timedelta(days=30)).date()
    response = ada_client.post(
        URL, {"action": "dnd", "pause": "custom", "until": f"{day.isoformat()}T18:30"}
    )
    assert response.status_code == 302
    assert prefs_get(user=ada).dnd_until.isoformat() == f"{day.isoformat()}T13:00:00+00:00"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pause": "custom", "until": "2000-01-01T10:00"}, "Pick a time in the future."),
        ({"pause": "custom", "until": "soon"}, "Give a date and a time."),
        ({"pause": "forever"}, "Select a valid choice."),
    ],
)
def test_a_bad_pause_is_a_form_error_and_changes_nothing(ada_client, ada, data, message):
    response = ada_client.post(URL, {"action": "dnd", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert prefs_get(user=ada).dnd_until is None


def test_an_unknown_action_is_refused(ada_client):
    response = ada_client.post(URL, {"action": "explode"})
    assert response.status_code == 400
    assert "Unknown action." in response.content.decode()
