"""Access tokens and bot users as services: what is stored, which tokens work, who may revoke."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone

from parley.accounts.bots import bot_create
from parley.accounts.changes import SessionsEnded
from parley.accounts.models import AccessToken, Bot
from parley.accounts.tokens import token_create, token_revoke, token_session_key, token_user
from parley.core import changes, secret_tokens
from parley.core.errors import Forbidden, InvalidInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """Every change emitted during the test."""
    seen = []
    changes.listen(seen.append)
    yield seen
    changes._listeners.remove(seen.append)


def test_a_new_token_is_returned_once_and_only_its_hash_is_stored(ada):
    row, raw = token_create(user=ada, name="CI")
    assert raw.startswith(f"parley_{row.prefix}_")
    assert len(raw.split("_", 2)[2]) >= 32
    stored = AccessToken.objects.get(pk=row.pk)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.prefix, stored.digest, stored.name}
    assert (stored.user, stored.name, stored.revoked_at, stored.last_used_at) == (
        ada,
        "CI",
        None,
        None,
    )


def test_two_tokens_differ(ada):
    _, first = token_create(user=ada, name="a")
    _, second = token_create(user=ada, name="a")
    assert first != second


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "nul\x00name"])
def test_a_token_needs_a_name_of_at_most_100_characters(ada, name):
    with pytest.raises(InvalidInput):
        token_create(user=ada, name=name)
    assert not AccessToken.objects.exists()


def test_a_token_authenticates_its_user_and_notes_its_last_use(ada):
    row, raw = token_create(user=ada, name="CI")
    user, token = token_user(raw)
    assert (user, token.pk) == (ada, row.pk)
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(ada, django_assert_num_queries):
    row, raw = token_create(user=ada, name="CI")
    token_user(raw)
    with django_assert_num_queries(1):  # the lookup only: no write within the minute
        token_user(raw)
    earlier = timezone.now() - timedelta(minutes=2)
    AccessToken.objects.filter(pk=row.pk).update(last_used_at=earlier)
    with django_assert_num_queries(2):
        token_user(raw)
    row.refresh_from_db()
    assert row.last_used_at > earlier


def test_the_secret_is_compared_in_constant_time(ada, monkeypatch):
    row, raw = token_create(user=ada, name="CI")
    compared = []
    real = secret_tokens.hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(secret_tokens.hmac, "compare_digest", spy)
    wrong = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert token_user(wrong) is None
    assert compared == [(hashlib.sha256(wrong.encode()).hexdigest(), row.digest)]


def _malformed(raw: str) -> list[str]:
    return [
        "",
        "parley_",
        raw + "x",
        raw[:-1],
        raw + "\n",
        " " + raw,
        raw[:20] + "\x00" + raw[21:],
        raw.replace("parley_", "PARLEY_", 1),
        "x" * 10_240,
        raw + "A" * 10_240,
    ]


def test_malformed_tokens_authenticate_no_one_and_read_nothing(ada, django_assert_num_queries):
    _, raw = token_create(user=ada, name="CI")
    with django_assert_num_queries(0):
        for bad in _malformed(raw):
            assert token_user(bad) is None, repr(bad[:40])


def test_a_wrong_prefix_or_a_wrong_secret_authenticates_no_one(ada):
    row, raw = token_create(user=ada, name="CI")
    _, other = token_create(user=ada, name="other")
    other_prefix = other.split("_")[1]
    wrong_prefix = raw.replace(row.prefix, other_prefix, 1)
    unknown_prefix = raw.replace(row.prefix, "Z" * 12, 1)
    wrong_secret = raw[:20] + other[20:]
    for bad in (wrong_prefix, unknown_prefix, wrong_secret):
        assert token_user(bad) is None


def test_a_revoked_token_stops_working_and_its_sockets_are_told_after_commit(
    ada, heard, django_capture_on_commit_callbacks
):
    row, raw = token_create(user=ada, name="CI")
    with django_capture_on_commit_callbacks(execute=True):
        token_revoke(token=row, by=ada)
        assert heard == []  # not before the commit
    assert token_user(raw) is None
    assert AccessToken.objects.get(pk=row.pk).revoked_at is not None
    assert SessionsEnded(ada.pk, session_key=token_session_key(row.pk)) in heard
    assert token_session_key(row.pk) == f"token:{row.pk}"


def test_a_deactivated_users_token_stops_working(ada):
    _, raw = token_create(user=ada, name="CI")
    ada.is_active = False
    ada.save()
    assert token_user(raw) is None


def test_only_the_owner_or_staff_may_revoke(ada, bob, heard, django_capture_on_commit_callbacks):
    row, raw = token_create(user=ada, name="CI")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Forbidden):
        token_revoke(token=row, by=bob)
    assert token_user(raw) is not None
    assert heard == []
    staff = UserFactory(is_staff=True)
    token_revoke(token=row, by=staff)
    assert token_user(raw) is None


def test_revoking_twice_keeps_the_first_time(ada):
    row, _ = token_create(user=ada, name="CI")
    token_revoke(token=row, by=ada)
    first = AccessToken.objects.get(pk=row.pk).revoked_at
    token_revoke(token=AccessToken.objects.get(pk=row.pk), by=ada)
    assert AccessToken.objects.get(pk=row.pk).revoked_at == first


def test_a_bot_is_a_user_who_cannot_log_in_and_authenticates_by_token(ada):
    bot = bot_create(username="deploybot", owner=ada, outgoing_url="https://bots.example/hook")
    assert not bot.has_usable_password()
    assert authenticate(username="deploybot", password="") is None
    row = Bot.objects.get(user=bot)
    assert (row.owner, row.outgoing_url) == (ada, "https://bots.example/hook")
    _, raw = token_create(user=bot, name="deploy")
    assert token_user(raw)[0] == bot


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("", ""),
        ("has space", ""),
        ("ada", ""),  # taken
        ("ADA", ""),  # taken, other case
        ("okbot", "ftp://bots.example/"),
        ("okbot", "not a url"),
    ],
)
def test_a_bot_needs_a_free_valid_username_and_an_http_url(ada, username, url):
    with pytest.raises(InvalidInput):
        bot_create(username=username, owner=ada, outgoing_url=url)
    assert not Bot.objects.exists()
