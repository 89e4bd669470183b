"""Who a session key signs a socket in as (parley.realtime.session_users): Django's rules, for
one session and for sessions read together."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import override_settings

from parley.accounts.sessions import SessionStore as ParleySessionStore
from parley.realtime.session_users import session_user, session_users, signed_in_user
from tests.support.sessions import session_cookie_for, session_key_of


@pytest.mark.django_db
def test_a_valid_session_gives_its_user_and_key(user_factory):
    ada = user_factory(username="ada")
    key = session_key_of(session_cookie_for(ada))
    found = session_user(key)
    assert (found.session_key, found.user) == (key, ada)
    # When the session expires, as stored: its sockets are closed then (session_expiry.py).
    assert found.expires_at == Session.objects.get(session_key=key).expire_date.timestamp()


@pytest.mark.django_db
def test_unknown_empty_or_stale_sessions_are_anonymous(user_factory):
    ada = user_factory(username="ada")
    for key in (None, "", "no-such-session-key-0123456789"):
        found_key, user, expires_at = session_user(key)
        assert found_key is None and not user.is_authenticated and expires_at is None
    key = session_key_of(session_cookie_for(ada))
    ada.set_password("a-new-password-42")  # the session's auth hash no longer matches
    ada.save()
    found_key, user, expires_at = session_user(key)
    assert found_key is None and not user.is_authenticated and expires_at is None
    assert not SessionStore().exists(key)  # flushed, as Django does on HTTP


@pytest.mark.django_db
def test_a_session_hashed_with_a_fallback_secret_is_accepted_and_rehashed(user_factory):
    ada = user_factory(username="ada")
    with override_settings(SECRET_KEY="old-secret-" + "x" * 50):
        old_hash = ada.get_session_auth_hash()
        key = session_key_of(session_cookie_for(ada))
    with override_settings(
        SECRET_KEY="new-secret-" + "y" * 50, SECRET_KEY_FALLBACKS=["old-secret-" + "x" * 50]
    ):
        found_key, user, expires_at = session_user(key)
        assert user == ada and found_key is not None
        stored = SessionStore(found_key).load()
        assert stored[HASH_SESSION_KEY] == ada.get_session_auth_hash() != old_hash
        # The expiry date is the new session row's.
        row = Session.objects.get(session_key=found_key)
        assert expires_at == row.expire_date.timestamp()


MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ALLOW_INACTIVE = "django.contrib.auth.backends.AllowAllUsersModelBackend"
OLD_SECRET, NEW_SECRET = "old-secret-" + "x" * 50, "new-secret-" + "y" * 50


def _signed_in(user, *, backend=MODEL_BACKEND, hashed=True, secret=None) -> str:
    with override_settings(SECRET_KEY=secret or settings.SECRET_KEY):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        if hashed:
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key


SCENARIOS = {
    # name: (how the session is made, what happens to the user before it is read, settings)
    "valid": ({}, None, {}),
    "password changed": ({}, lambda u: (u.set_password("a-new-one-42"), u.save()), {}),
    "no auth hash": ({"hashed": False}, None, {}),
    "inactive user": ({}, lambda u: (setattr(u, "is_active", False), u.save()), {}),
    "deleted user": ({}, lambda u: u.delete(), {}),
    "backend no longer configured": ({"backend": "parley.NoSuchBackend"}, None, {}),
    "fallback secret": (
        {"secret": OLD_SECRET}, None,
        {"SECRET_KEY": NEW_SECRET, "SECRET_KEY_FALLBACKS": [OLD_SECRET]},
    ),
    "another backend (inactive allowed)": (
        {"backend": ALLOW_INACTIVE}, lambda u: (setattr(u, "is_active", False), u.save()),
        {"AUTHENTICATION_BACKENDS": [ALLOW_INACTIVE]},
    ),
}  # fmt: skip


def _outcome(read, user_factory, name) -> tuple:
    """Who a fresh session is signed in as under `read`, and what became of the session."""
    how, change, overrides = SCENARIOS[name]
    user = user_factory()
    user_pk, key = user.pk, _signed_in(user, **how)
    if change is not None:
        change(user)
    with override_settings(**overrides):
        session = ParleySessionStore(key)
        found = read(session)
        if session.modified and not session.is_empty():  # as SessionMiddleware: not a flushed one
            session.save()
        stored = SessionStore(session.session_key).load() if session.session_key else {}
        return (
            found is not None and found.is_authenticated and found.pk == user_pk,
            SessionStore().exists(key),  # still there under its old key (not flushed, cycled)
            session.session_key is not None and session.session_key != key,  # cycled
            stored.get(HASH_SESSION_KEY) == user.get_session_auth_hash(),  # (re)hashed now
        )


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCENARIOS)
def test_the_handshake_decides_every_session_as_django_s_get_user_does(user_factory, name):
    django_s = _outcome(lambda s: get_user(SimpleNamespace(session=s)), user_factory, name)
    parley_s = _outcome(signed_in_user, user_factory, name)
    assert parley_s == django_s


def _django_s(user_factory, name) -> tuple:
    return _outcome(lambda s: get_user(SimpleNamespace(session=s)), user_factory, name)


def _outcomes_read_together(user_factory, name) -> list[tuple]:
    """As `_outcome`, for several sessions of the case read in one batch: two users, one of
    them with two sessions (a user row serves both), and a bystander's valid session."""
    how, change, overrides = SCENARIOS[name]
    first, second = user_factory(), user_factory()
    sessions = [(first, _signed_in(first, **how)), (first, _signed_in(first, **how))]
    sessions.append((second, _signed_in(second, **how)))
    for user in (first, second):
        if change is not None:
            change(user)
    bystander = user_factory()
    backend = overrides.get("AUTHENTICATION_BACKENDS", [MODEL_BACKEND])[0]
    bystander_key = _signed_in(bystander, backend=backend, secret=overrides.get("SECRET_KEY"))
    with override_settings(**overrides):
        keys = [key for _, key in sessions]
        found = session_users([bystander_key, *keys])
        assert found[bystander_key].user == bystander
        assert found[bystander_key].session_key == bystander_key
        outcomes = []
        for user, key in sessions:
            answer = found[key]
            now_key = answer.session_key  # None: anonymous
            stored = SessionStore(now_key or key).load()
            outcomes.append(
                (
                    answer.user.is_authenticated and answer.user.pk == user.pk,
                    SessionStore().exists(key),
                    now_key is not None and now_key != key,
                    stored.get(HASH_SESSION_KEY) == user.get_session_auth_hash(),
                )
            )
        signed_in = [found[key].user for key in keys if found[key].user.is_authenticated]
        # Each socket gets a user object of its own, as it did with a lookup of its own.
        assert len({id(user) for user in signed_in}) == len(signed_in)
        return outcomes


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCENARIOS)
def test_sessions_read_together_are_decided_as_django_s_get_user_decides_each(user_factory, name):
    django_s = _django_s(user_factory, name)
    assert _outcomes_read_together(user_factory, name) == [django_s] * 3


@pytest.mark.django_db
def test_sessions_read_together_cost_one_query_for_sessions_and_one_for_users(
    user_factory, django_assert_num_queries
):
    people = [user_factory() for _ in range(4)]
    keys = [_signed_in(person) for person in people for _ in range(2)]
    keys += ["no-such-session-key-0123456789", "short"]

    with django_assert_num_queries(2):
        found = session_users(keys)

    assert [found[key].user for key in keys[:8]] == [p for p in people for _ in range(2)]
    assert [found[key].session_key for key in keys] == [*keys[:8], None, None]
    expiry = {row.session_key: row.expire_date.timestamp() for row in Session.objects.all()}
    assert [found[key].expires_at for key in keys[:8]] == [expiry[key] for key in keys[:8]]
