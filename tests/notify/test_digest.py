"""Digest emails (parley/notify/digest.py) through a real SMTP server: one email per person
with their unread mentions and direct messages past the delay, once; links that open the
messages; nothing for read or muted rooms, unverified addresses, do not disturb, or people who
turned digests off; one email when two runs race."""

import threading
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from parley.accounts.models import NotificationPrefs, Profile
from parley.notify.digest import digest_pending, digest_send, send_due_digests
from parley.notify.models import EmailedThrough
from parley.rooms import services
from parley.rooms.models import Item
from tests.notify.smtp_server import free_port, html_of, links_in, smtp_inbox, text_of

__all__ = ["smtp_inbox"]

pytestmark = pytest.mark.django_db


def later(minutes: float = 11):
    """A run after the default delay (10 minutes) has passed for what was just posted."""
    return timezone.now() + timedelta(minutes=minutes)


def verified(user, address: str | None = None):
    user.email = address or f"{user.username}@example.com"
    user.save(update_fields=["email"])
    NotificationPrefs.objects.update_or_create(user=user, defaults={"email_verified": user.email})
    return user


def post(user, room, body: str) -> Item:
    return services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=uuid.uuid4().hex
    ).item


@pytest.fixture
def ada_mentioned(ada, bob, general_with_bob):
    """ada (verified address) is mentioned by bob in #general, who also chats without naming
    her, and writes to her directly."""
    verified(ada)
    post(bob, general_with_bob, "@ada can you look at the <b>release</b> notes?")
    post(bob, general_with_bob, "unrelated chatter")
    direct = services.direct_room_open(user=bob, usernames=["ada"]).room
    post(bob, direct, "psst, lunch?")
    return general_with_bob


def test_the_digest_arrives_once_with_the_right_messages_and_working_links(
    smtp_inbox, ada, ada_mentioned
):
    assert send_due_digests(now=later()) == 1
    [message] = smtp_inbox.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "2 unread messages on Parley"
    text = text_of(message)
    assert "@ada can you look at the <b>release</b> notes?" in text
    assert "psst, lunch?" in text
    assert "unrelated chatter" not in text
    assert "#General" in text and "Direct message" in text and "bob" in text
    # The HTML alternative escapes what people wrote.
    html = html_of(message)
    assert "&lt;b&gt;release&lt;/b&gt;" in html and "<b>release" not in html

    room_links = [link for link in links_in(text) if "/rooms/" in link]
    assert len(room_links) == 2
    ada_client = Client()
    ada_client.force_login(ada)
    for link in room_links:
        parts = urlsplit(link)
        assert parts.netloc == "testserver"
        assert ada_client.get(f"{parts.path}?{parts.query}").status_code == 200
    mention = Item.objects.get(body__startswith="@ada")
    assert f"/rooms/general/?seq={mention.seq}" in text

    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<http://testserver/settings/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Nothing is emailed twice; a new mention makes a new email with only itself.
    assert send_due_digests(now=later()) == 0
    post(Item.objects.get(body="unrelated chatter").user, ada_mentioned, "@ada one more")
    assert send_due_digests(now=later(30)) == 1
    assert len(smtp_inbox.messages) == 2
    second = text_of(smtp_inbox.messages[1])
    assert "@ada one more" in second and "psst" not in second


def test_times_are_in_the_persons_time_zone(smtp_inbox, ada, ada_mentioned):
    Profile.objects.create(user=ada, time_zone="Asia/Kolkata")
    Item.objects.filter(body="psst, lunch?").update(
        created_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    )
    assert send_due_digests(now=later()) == 1
    assert "2026-03-01 17:30 IST" in text_of(smtp_inbox.messages[0])


def test_nothing_is_sent_before_the_delay(smtp_inbox, ada_mentioned, settings):
    assert send_due_digests(now=later(5)) == 0
    settings.PARLEY_EMAIL_NOTIFY_DELAY = 60
    assert send_due_digests(now=later(2)) == 1
    assert len(smtp_inbox.messages) == 1


def test_nothing_is_sent_for_rooms_read_meanwhile(smtp_inbox, ada, ada_mentioned):
    for membership in ada.memberships.select_related("room"):
        services.read_pointer_move(user=ada, room=membership.room, seq=membership.room.last_seq)
    assert send_due_digests(now=later()) == 0
    assert smtp_inbox.messages == []


def test_a_muted_room_never_notifies(smtp_inbox, ada, ada_mentioned):
    services.notify_level_set(user=ada, slug="general", level="none")
    assert send_due_digests(now=later()) == 1
    text = text_of(smtp_inbox.messages[0])
    assert "psst" in text and "@ada" not in text


def test_level_all_emails_every_message_and_mentions_level_in_a_direct_room_only_mentions(
    smtp_inbox, ada, ada_mentioned
):
    services.notify_level_set(user=ada, slug="general", level="all")
    direct = Item.objects.get(body="psst, lunch?").room
    services.notify_level_set(user=ada, slug=direct.slug, level="mentions")
    assert send_due_digests(now=later()) == 1
    text = text_of(smtp_inbox.messages[0])
    assert "unrelated chatter" in text and "@ada can you" in text and "psst" not in text


@pytest.mark.parametrize(
    "why",
    ["unverified", "address changed", "email off", "do not disturb", "inactive"],
)
def test_nothing_is_sent_to_people_who_cannot_or_do_not_want_it(
    smtp_inbox, ada, ada_mentioned, why
):
    prefs = NotificationPrefs.objects.get(user=ada)
    if why == "unverified":
        prefs.email_verified = ""
    elif why == "address changed":
        ada.email = "new@example.com"
        ada.save()
    elif why == "email off":
        prefs.email_notify = False
    elif why == "do not disturb":
        prefs.dnd_until = later(60)
    else:
        ada.is_active = False
        ada.save()
    prefs.save()
    assert send_due_digests(now=later()) == 0
    assert smtp_inbox.messages == []


def test_do_not_disturb_holds_the_digest_until_it_ends(smtp_inbox, ada, ada_mentioned):
    NotificationPrefs.objects.filter(user=ada).update(dnd_until=later(20))
    assert send_due_digests(now=later(15)) == 0
    assert send_due_digests(now=later(21)) == 1


def test_own_messages_are_never_emailed(smtp_inbox, ada, bob, general_with_bob):
    verified(ada)
    verified(bob)
    post(ada, general_with_bob, "@ada note to self, and @room")
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room
    post(ada, direct, "hello bob")
    assert send_due_digests(now=later()) == 1
    [message] = smtp_inbox.messages
    assert message["To"] == "bob@example.com"
    assert "@room" in text_of(message) and "hello bob" in text_of(message)


def test_two_runs_at_once_send_one_email(smtp_inbox, ada_mentioned):
    now = later()
    # Both runs read what is due before either claims it: the slower one then finds it taken.
    seen_by_slow_run = digest_pending(now=now)
    assert send_due_digests(now=now) == 1
    assert digest_send(seen_by_slow_run, now=now) == 0
    assert len(smtp_inbox.messages) == 1


def test_a_failed_send_is_tried_again_at_the_next_run(smtp_inbox, ada, ada_mentioned, settings):
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    with pytest.raises(OSError):
        send_due_digests(now=later())
    assert set(EmailedThrough.objects.filter(user=ada).values_list("seq", flat=True)) == {0}
    settings.EMAIL_PORT = working_port
    assert send_due_digests(now=later()) == 1


def test_a_run_costs_a_few_queries_however_many_rooms(
    django_assert_max_num_queries, ada, bob, user_factory
):
    verified(ada)
    for n in range(8):
        room = services.room_create(owner=bob, name=f"Room {n}", slug=f"room-{n}")
        services.room_join(user=ada, room=room)
        post(bob, room, f"chatter {n}")
    with django_assert_max_num_queries(1):
        assert send_due_digests(now=later()) == 0


def test_the_command_sends_what_is_due(ada_mentioned, mailoutbox):
    Item.objects.update(created_at=timezone.now() - timedelta(hours=1))
    call_command("send_digests", stdout=(out := __import__("io").StringIO()))
    assert out.getvalue().strip() == "1 digest email sent."
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_in_two_threads_send_one_email(smtp_inbox, ada_mentioned, monkeypatch):
    from django.db import connection

    from parley.notify import digest

    now = later()
    both_read = threading.Barrier(2, timeout=10)
    read = digest.digest_pending

    def read_then_wait(*, now):
        pending = read(now=now)
        both_read.wait()  # neither claims before both have read the same seqs
        return pending

    monkeypatch.setattr(digest, "digest_pending", read_then_wait)
    sent: list[int] = []

    def run():
        try:
            sent.append(send_due_digests(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(sent) == [0, 1]
    assert len(smtp_inbox.messages) == 1
