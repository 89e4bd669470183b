"""parley/accounts/notification_prefs.py: do not disturb, the address and its proof."""

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.utils import timezone

from parley.accounts.models import NotificationPrefs, Profile
from parley.accounts.notification_prefs import (
    dnd_active,
    dnd_set,
    email_change,
    email_deliverable,
    email_verification_send,
    email_verify,
    next_morning,
    prefs_get,
    prefs_update,
    user_time_zone,
)
from parley.accounts.signed_links import verify_token
from parley.core.errors import InvalidInput, RateLimited
from tests.notify.smtp_server import links_in

pytestmark = pytest.mark.django_db
SITE = "http://chat.example.com"


def test_do_not_disturb_holds_until_its_time_and_no_longer(ada):
    now = timezone.now()
    prefs = dnd_set(user=ada, until=now + timedelta(hours=1), now=now)
    assert dnd_active(prefs, now)
    assert dnd_active(prefs, now + timedelta(minutes=59))
    assert not dnd_active(prefs, now + timedelta(hours=1))
    assert not dnd_active(dnd_set(user=ada, until=None, now=now), now)
    assert not dnd_active(None, now)


@pytest.mark.parametrize(
    "until",
    [timedelta(minutes=-1), timedelta(0), timedelta(days=400)],
    ids=["past", "now", "over a year"],
)
def test_do_not_disturb_refuses_a_time_not_ahead_or_too_far(ada, until):
    now = timezone.now()
    with pytest.raises(InvalidInput):
        dnd_set(user=ada, until=now + until, now=now)
    assert prefs_get(user=ada).dnd_until is None


def test_do_not_disturb_refuses_a_time_without_a_zone(ada):
    with pytest.raises(InvalidInput):
        dnd_set(user=ada, until=datetime(2030, 1, 1, 9), now=timezone.now())


def test_tomorrow_morning_is_nine_oclock_in_the_persons_time_zone(ada):
    Profile.objects.create(user=ada, time_zone="America/New_York")
    zone = user_time_zone(ada)
    now = datetime(2026, 3, 7, 3, 30, tzinfo=UTC)  # 22:30 on the 6th in New York
    morning = next_morning(now=now, zone=zone)
    assert morning.astimezone(ZoneInfo("America/New_York")).isoformat() == (
        "2026-03-07T09:00:00-05:00"
    )


def test_an_unknown_time_zone_counts_as_utc(ada):
    Profile.objects.create(user=ada, time_zone="Mars/Olympus")
    assert user_time_zone(ada).key == "UTC"


def test_prefs_update_changes_only_what_it_is_given(ada):
    prefs_update(user=ada, push_notify=False)
    prefs = NotificationPrefs.objects.get(user=ada)
    assert (prefs.email_notify, prefs.push_notify) == (True, False)


def test_a_new_address_is_unproved_until_its_mailed_link_is_opened(
    ada, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert email_change(user=ada, email=" Ada@Example.COM ", site=SITE)
    ada.refresh_from_db()
    assert ada.email == "Ada@example.com"
    assert not email_deliverable(user=ada, prefs=prefs_get(user=ada))
    [mail] = mailoutbox
    assert mail.to == ["Ada@example.com"]
    [link] = [link for link in links_in(mail.body) if "/verify/" in link]
    assert link.startswith(f"{SITE}/settings/notifications/verify/")

    assert email_verify(token=link.rsplit("/", 1)[1]) == ada
    assert email_deliverable(user=ada, prefs=prefs_get(user=ada))


def test_changing_the_address_clears_its_proof_and_old_links_stop_working(
    ada, mailoutbox, django_capture_on_commit_callbacks
):
    old_token = verify_token(user_id=ada.pk, address="old@example.com")
    ada.email = "old@example.com"
    ada.save()
    email_verify(token=old_token)
    with django_capture_on_commit_callbacks(execute=True):
        email_change(user=ada, email="new@example.com", site=SITE)
    assert prefs_get(user=ada).email_verified == ""
    assert len(mailoutbox) == 1
    with pytest.raises(InvalidInput):
        email_verify(token=old_token)
    assert prefs_get(user=ada).email_verified == ""


def test_removing_the_address_sends_nothing(ada, mailoutbox, django_capture_on_commit_callbacks):
    ada.email = "ada@example.com"
    ada.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert not email_change(user=ada, email="", site=SITE)
    ada.refresh_from_db()
    assert ada.email == ""
    assert mailoutbox == []


@pytest.mark.parametrize("address", ["not an address", "a@b", "x" * 250 + "@example.com"])
def test_a_bad_address_is_refused_and_changes_nothing(ada, address):
    with pytest.raises(InvalidInput):
        email_change(user=ada, email=address, site=SITE)
    ada.refresh_from_db()
    assert ada.email == ""


def test_an_expired_or_altered_verification_link_is_refused(ada, monkeypatch):
    ada.email = "ada@example.com"
    ada.save()
    token = verify_token(user_id=ada.pk, address=ada.email)
    with pytest.raises(InvalidInput):
        email_verify(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    four_days_ago = signing.b62_encode(int(time.time()) - 4 * 24 * 3600)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: four_days_ago)
    expired = verify_token(user_id=ada.pk, address=ada.email)
    monkeypatch.undo()
    with pytest.raises(InvalidInput, match="expired"):
        email_verify(token=expired)
    assert prefs_get(user=ada).email_verified == ""


def test_verification_emails_are_rate_limited_and_a_refused_change_changes_nothing(
    ada, mailoutbox, django_capture_on_commit_callbacks, rate_limits
):
    rate_limits.configure(email="2,1/h")
    with django_capture_on_commit_callbacks(execute=True):
        assert email_change(user=ada, email="one@example.com", site=SITE)
        email_verification_send(user=ada, site=SITE)
        with pytest.raises(RateLimited):
            email_verification_send(user=ada, site=SITE)
        with pytest.raises(RateLimited):
            email_change(user=ada, email="stranger@example.com", site=SITE)
    ada.refresh_from_db()
    assert ada.email == "one@example.com"
    assert [mail.to for mail in mailoutbox] == [["one@example.com"], ["one@example.com"]]
    rate_limits.advance(3600)
    with django_capture_on_commit_callbacks(execute=True):
        email_verification_send(user=ada, site=SITE)
    assert len(mailoutbox) == 3
