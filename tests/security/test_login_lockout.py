"""Password guessing: after 5 failed log-ins for one username from one address, that pair is
locked out for 15 minutes (django-axes), with a page that says so, the same for unknown users."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import UserFactory
from tests.web.test_pages import assert_no_inline_code

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass-123"
LIMIT = 5
WRONG = "Please enter a correct username and password"
LOCKED = "Too many failed log-ins"


@pytest.fixture(autouse=True)
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def log_in(username: str, password: str, *, address: str = "192.0.2.1", client=None):
    client = client or Client(REMOTE_ADDR=address)
    return client.post("/accounts/login/", {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def visible_text(html: str) -> str:
    """The page as read: tags, the CSRF token and white space runs removed."""
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(text.split())


def test_five_wrong_passwords_lock_the_username_out_even_with_the_right_one():
    UserFactory(username="ada")
    failures = [log_in("ada", f"guess-{n}") for n in range(LIMIT)]

    locked = log_in("ada", PASSWORD)

    for page in failures[: LIMIT - 1]:
        assert page.status_code == 200 and WRONG in page.text
    assert failures[-1].status_code == 429
    assert locked.status_code == 429
    assert LOCKED in locked.text and "Wait 15 minutes" in locked.text
    assert locked["Retry-After"] == str(15 * 60)
    assert not signed_in(locked)
    assert_no_inline_code(locked.text)


def test_an_unknown_username_gets_the_same_answers_as_a_wrong_password():
    UserFactory(username="ada")
    real = [log_in("ada", f"guess-{n}") for n in range(LIMIT + 1)]
    unknown = [log_in("nobody", f"guess-{n}") for n in range(LIMIT + 1)]

    for known_page, unknown_page in zip(real, unknown, strict=True):
        assert known_page.status_code == unknown_page.status_code
        known_text = visible_text(known_page.text).replace("ada", "USER")
        unknown_text = visible_text(unknown_page.text).replace("nobody", "USER")
        assert known_text == unknown_text
    assert real[-1].status_code == 429


def test_the_lock_is_for_that_username_from_that_address_only():
    UserFactory(username="ada")
    UserFactory(username="bob")
    for n in range(LIMIT):
        log_in("ada", f"guess-{n}", address="192.0.2.1")

    assert log_in("ada", PASSWORD, address="192.0.2.1").status_code == 429
    assert signed_in(log_in("ada", PASSWORD, address="198.51.100.2"))
    assert signed_in(log_in("bob", PASSWORD, address="192.0.2.1"))


def test_a_forwarded_for_header_does_not_change_the_address():
    UserFactory(username="ada")
    for n in range(LIMIT):
        client = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        log_in("ada", f"guess-{n}", client=client)

    spoofing = Client(REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert log_in("ada", PASSWORD, client=spoofing).status_code == 429


def test_the_lock_ends_after_the_cool_off():
    UserFactory(username="ada")
    for n in range(LIMIT):
        log_in("ada", f"guess-{n}")
    assert log_in("ada", PASSWORD).status_code == 429

    # Fifteen minutes pass (the attempts' clock is moved instead of waiting).
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )

    assert signed_in(log_in("ada", PASSWORD))


def test_a_successful_log_in_forgets_earlier_failures():
    UserFactory(username="ada")
    for n in range(LIMIT - 1):
        log_in("ada", f"guess-{n}")
    assert signed_in(log_in("ada", PASSWORD))

    for n in range(LIMIT - 1):
        assert log_in("ada", f"again-{n}").status_code == 200
    assert signed_in(log_in("ada", PASSWORD))


def test_the_failure_limit_and_cool_off_follow_the_settings(settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    UserFactory(username="ada")
    log_in("ada", "guess-1")

    page = log_in("ada", "guess-2")

    assert page.status_code == 429
    assert "Wait 1 minute " in page.text
    assert page["Retry-After"] == "60"
