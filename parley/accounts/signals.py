"""Sockets outlive the HTTP session that opened them: whatever ends a session ends its sockets.

- Log-out: that session's sockets.
- A new password (the password change page, the admin, `manage.py changepassword`) or a
  deactivated account: every socket of the user, because Django has just made every other
  session of the user invalid. The one exception is the session that changed its own password
  on the password change page: Django keeps it signed in, so its sockets stay open too.
- A deleted user: every socket.

These signals emit typed changes (accounts/changes.py) after commit; the realtime broadcaster
closes the sockets with 4403 (CloseCode.SESSION_ENDED) in every server process.

Rights outlive nothing either: when a user's staff or superuser status changes (the admin, a
shell, `createsuperuser`), every socket of the user is closed with 4409
(CloseCode.RIGHTS_CHANGED): the session stays valid, the client reconnects at once, and its new
socket is judged by the new rights. (Each access check also reads the user's staff status from
the database: parley.rooms.selectors.lookup_room_access.)
"""

from typing import Any, Protocol, cast

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from parley.accounts.changes import RightsChanged, SessionsEnded
from parley.core import changes
from parley.core.types import AuthUser

# Changing these ends the user's sessions (the password is part of Django's session hash).
CREDENTIAL_FIELDS = {"password", "is_active"}
# Changing these changes what the user may see and do: their sockets reconnect.
RIGHTS_FIELDS = {"is_staff", "is_superuser"}


class _MarkedUser(Protocol):
    """A user instance with the notes these receivers leave on it from its pre_save to its
    post_save (attributes of the instance only, never stored)."""

    pk: Any
    password: str
    is_active: bool
    _parley_sessions_end: bool
    _parley_rights_changed: bool
    _parley_spared_session_key: str | None


@receiver(user_logged_out)
def close_sockets_on_logout(
    sender: type[AuthUser], request: HttpRequest, user: AuthUser | None, **kwargs: object
) -> None:
    if user is not None:
        changes.emit(SessionsEnded(user.pk, session_key=request.session.session_key))


def spare_session(user: AuthUser, session_key: str | None) -> None:
    """Keep `session_key`'s sockets open when `user`'s next save changes their password."""
    cast(_MarkedUser, user)._parley_spared_session_key = session_key


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def _note_credential_change(
    sender: type[AuthUser],
    instance: _MarkedUser,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: object,
) -> None:
    instance._parley_sessions_end = False
    instance._parley_rights_changed = False
    if raw or instance.pk is None:
        return
    if update_fields is not None and not (CREDENTIAL_FIELDS | RIGHTS_FIELDS) & set(update_fields):
        return  # e.g. last_login at every log-in: no query
    before = (
        sender._default_manager.filter(pk=instance.pk)
        .values("password", "is_active", *RIGHTS_FIELDS)
        .first()
    )
    if before is None:
        return
    # A first password (the field was empty, as while a factory builds a user) ends nothing.
    new_password = bool(before["password"]) and before["password"] != instance.password
    instance._parley_sessions_end = new_password or (before["is_active"] and not instance.is_active)
    instance._parley_rights_changed = any(
        before[name] != getattr(instance, name) for name in RIGHTS_FIELDS
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def close_sockets_on_credential_change(
    sender: type[AuthUser], instance: _MarkedUser, raw: bool = False, **kwargs: object
) -> None:
    if raw:
        return
    if not getattr(instance, "_parley_sessions_end", False):
        if getattr(instance, "_parley_rights_changed", False):
            instance._parley_rights_changed = False
            changes.emit_on_commit(RightsChanged(instance.pk))
        return
    instance._parley_sessions_end = False
    spared = getattr(instance, "_parley_spared_session_key", None)
    instance._parley_spared_session_key = None
    changes.emit_on_commit(SessionsEnded(instance.pk, except_session_key=spared))


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def close_sockets_on_delete(sender: type[AuthUser], instance: AuthUser, **kwargs: object) -> None:
    changes.emit_on_commit(SessionsEnded(instance.pk))
