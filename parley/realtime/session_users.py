"""Who a session key signs a WebSocket in as: Django's rules (`django.contrib.auth.get_user`)
with cheaper reads, for one session (`session_user`) or for the sessions of handshakes that
arrive together (`session_users`: one query for every session, one for every user).

The rules: the session's backend must still be configured, the user must exist and be allowed
to sign in, and the session's auth hash must match the user's (a password change signs other
sessions out, and their session is flushed); a session verified with a fallback secret is
re-hashed and saved, as Django does on HTTP. tests/realtime/test_session_users.py runs these
and Django's `get_user` on the same sessions. Everything here runs in a database thread.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from importlib import import_module
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db import connections
from django.utils.crypto import constant_time_compare

from parley.accounts.sessions import SessionStore as ParleySessionStore
from parley.core.types import AnyUser, AuthUser

R = TypeVar("R")


class Handshake(NamedTuple):
    session_key: str | None
    user: AnyUser
    # When the session expires (Unix time), if the session engine says (Parley's does).
    expires_at: float | None = None


def session_user(session_key: str | None) -> Handshake:
    """Who a session key from a cookie signs in: AnonymousUser unless it names a valid
    signed-in session. Runs in the database thread."""
    if not session_key:
        return Handshake(None, AnonymousUser())
    session: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return _handshake(session, signed_in_user(session))


def _handshake(session: SessionBase, user: AuthUser | None) -> Handshake:
    """The handshake's answer once the session's user is decided (None: nobody)."""
    if user is None:
        return Handshake(None, AnonymousUser())
    if session.modified:  # verified with a fallback secret: re-hashed, as Django does
        session.save()
    expire_date = getattr(session, "expire_date", None)
    expires_at = None if expire_date is None else expire_date.timestamp()
    return Handshake(session.session_key, user, expires_at)


def signed_in_user(session: SessionBase) -> AuthUser | None:
    """The user a session is signed in as, or None: `django.contrib.auth.get_user` (Django
    5.2), step for step, except that ModelBackend's user is read by one plain query instead of
    `_default_manager.get(pk=…)`, whose SQL is built anew on every call and cost as much as the
    rest of a handshake (docs/performance.md, "The fourth round"). As there: the session's
    backend must still be configured, the user must exist and be allowed to sign in, and the
    session's auth hash must match the user's (a password change signs other sessions out, and
    their session is flushed); one made with a SECRET_KEY_FALLBACKS secret is accepted, given
    a new key and re-hashed. tests/realtime/test_session_users.py runs both on the same sessions."""
    claim = session_claim(session)
    if claim is None:
        return None
    ids = [claim.user_id] if type(claim.backend) is ModelBackend else []
    return verified_user(session, claimed_user(claim, _model_backend_users(ids)))


class Claim(NamedTuple):
    """Whom a session says it is signed in as, and the backend that signed them in."""

    user_id: Any
    backend: Any  # an authentication backend (Django gives them no common type)


def session_claim(session: SessionBase) -> Claim | None:
    """`get_user`'s first steps: the session names a user and a backend still configured."""
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    return Claim(user_id, load_backend(backend_path))


def claimed_user(claim: Claim, model_users: dict[Any, AuthUser]) -> AuthUser | None:
    """`backend.get_user(user_id)`: the claimed user, if their backend lets them sign in.
    ModelBackend's user is taken from `model_users` (read by `_model_backend_users`)."""
    if type(claim.backend) is not ModelBackend:
        user: AuthUser | None = claim.backend.get_user(claim.user_id)
        return user
    user = model_users.get(claim.user_id)
    return user if user is not None and claim.backend.user_can_authenticate(user) else None


def verified_user(session: SessionBase, user: AuthUser | None) -> AuthUser | None:
    """`get_user`'s last steps: the session's auth hash must match the user's (see
    `signed_in_user`); a mismatching session is flushed, a fallback-secret one cycled."""
    if user is None or not hasattr(user, "get_session_auth_hash"):
        return user
    session_hash = session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback_auth_hash)
        for fallback_auth_hash in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = session_auth_hash
        return user
    session.flush()
    return None


# Filled in with the user model's table and columns, and one placeholder per id.
_USERS_SQL = "SELECT {columns} FROM {table} WHERE {pk} IN ({ids})"


def _model_backend_users(user_ids: list[Any]) -> dict[Any, AuthUser]:
    """The users with these ids (by id), as `ModelBackend.get_user` reads them; no query for
    none. At most SESSIONS_PER_BATCH ids (SQLite's limit on a query's parameters)."""
    if not user_ids:
        return {}
    model = get_user_model()
    manager = model._default_manager
    quote = connections[manager.db].ops.quote_name
    sql = _USERS_SQL.format(
        columns=", ".join(quote(field.column) for field in model._meta.concrete_fields),
        table=quote(model._meta.db_table),
        pk=quote(model._meta.pk.column),
        ids=", ".join(["%s"] * len(user_ids)),
    )
    return {user.pk: user for user in manager.raw(sql, user_ids)}


# -- handshakes that arrive together ---------------------------------------------------------

# Session keys per batch (one query for their sessions, one for their users): within SQLite's
# limit on a query's parameters, and short enough not to hold a database thread for long.
SESSIONS_PER_BATCH = 500


def session_users(session_keys: list[str]) -> dict[str, Handshake | Exception]:
    """`session_user` for each key (at most SESSIONS_PER_BATCH), decided by its rules, with
    one query for every session and one for every ModelBackend user; the rare paths (a
    fallback-secret session cycled, a stale one flushed, another backend's user) write or read
    on their own. A key whose decision fails gets its error, the others their answer. Another
    session engine than Parley's: one `session_user` after the other. Runs in the database
    thread."""
    if import_module(settings.SESSION_ENGINE).SessionStore is not ParleySessionStore:
        return {key: _outcome(session_user, key) for key in session_keys}
    sessions = ParleySessionStore.load_many(session_keys)
    claims = {key: _outcome(session_claim, session) for key, session in sessions.items()}
    model_ids = {
        claim.user_id
        for claim in claims.values()
        if isinstance(claim, Claim) and type(claim.backend) is ModelBackend
    }
    model_users = _model_backend_users(list(model_ids))
    given: set[int] = set()  # the user objects already in an answer (by id())
    answers: dict[str, Handshake | Exception] = {}
    for key, session in sessions.items():
        claim = claims[key]
        if isinstance(claim, Exception) or claim is None:
            answers[key] = Handshake(None, AnonymousUser()) if claim is None else claim
            continue
        user = claimed_user(claim, model_users)
        if user is not None:
            # Each socket has its own user object, as it had with a lookup of its own.
            user = copy.copy(user) if id(user) in given else user
            given.add(id(user))
        answers[key] = _outcome(_verified_handshake, session, user)
    return answers


def _verified_handshake(session: SessionBase, user: AuthUser | None) -> Handshake:
    return _handshake(session, verified_user(session, user))


def _outcome(func: Callable[..., R], *args: Any) -> R | Exception:
    """`func(*args)`, or the error it raised (one session's, not its batch's)."""
    try:
        return func(*args)
    except Exception as exc:
        return exc
