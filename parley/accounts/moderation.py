"""Moderation across the server: staff deactivate an account (and may delete all it wrote).

Deactivating is one rule kept in one place, whoever asks (the admin's actions, its change
form's "Active" box):

- `is_active` becomes False. The user signals (accounts/signals.py) close every socket of the
  user with 4403 once that commits, sockets opened with an access token included; an access
  token of an inactive user authenticates no one (`tokens.token_user`), and Django's backend
  signs no inactive user in, so nothing else needs revoking.
- Their sessions end: the rows of Parley's database sessions that are signed in as them are
  deleted, so a browser of theirs is sent to the login page (Django would refuse an inactive
  user's session anyway; deleting it leaves nothing to come back to).
- Optionally every message of theirs is deleted through `message_delete`, the service every
  deletion goes through: each one is erased and announced live to every subscriber, with the
  staff member as the deletion's actor. Each uses the client_id `mod-del-<item id>`, so running
  it again (after a timeout, say) stores nothing twice; messages already deleted are skipped.
  Direct rooms are left as they are: what a direct conversation says is for its two people only
  (docs/security.md), staff included, and the delete service refuses staff there. The entry in
  the audit log counts the direct messages kept.

Who may deactivate whom: staff only (Forbidden otherwise); nobody deactivates themselves (the
last admin cannot lock everyone out by mistake); an account that is staff or superuser only a
superuser deactivates or reactivates (one staff member cannot lock out another). Each change is
an `AuditEntry` (accounts/audit.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import transaction
from django.utils import timezone

from parley.accounts.audit import AuditAction, audit_record
from parley.accounts.avatars import avatar_clear
from parley.accounts.models import Profile
from parley.accounts.profiles import profile_update
from parley.core.errors import Forbidden, ParleyError
from parley.core.types import AuthUser
from parley.rooms.models import Item, Room
from parley.rooms.services import message_delete

# Messages read per query while deleting all of a user's messages (each is deleted in its own
# transaction, so subscribers see them go one by one and a failure stops nothing).
DELETE_BATCH = 200
# Session rows decoded per query while looking for a user's sessions.
SESSION_BATCH = 2000
REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class DeactivationResult:
    """What `user_deactivate` did."""

    deactivated: bool  # False when the account was inactive already
    sessions_ended: int
    messages_deleted: int = 0
    messages_failed: int = 0  # refused by the delete service (reported, not fatal)
    direct_messages_kept: int = 0


def check_can_moderate_user(*, actor: AuthUser, user: AuthUser) -> None:
    """Forbidden unless `actor` may deactivate or reactivate `user` (the module's rules)."""
    if not (actor.is_active and actor.is_staff):
        raise Forbidden("Only staff can deactivate or reactivate accounts.")
    if actor.pk == user.pk:
        raise Forbidden("You cannot deactivate or reactivate your own account.")
    if (user.is_staff or user.is_superuser) and not actor.is_superuser:
        raise Forbidden("Only a superuser can deactivate or reactivate a staff account.")


def sessions_end(*, user: AuthUser) -> int:
    """Delete every stored session signed in as `user`; how many there were.

    A database session says whose it is only in its signed data, so the unexpired rows are read
    and decoded in batches (an operator's action, not a request path). An engine without rows
    (cache sessions) has nothing to delete: Django refuses an inactive user's session anyway.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    get_model_class = getattr(store_class, "get_model_class", None)
    if get_model_class is None:
        return 0
    manager = get_model_class()._default_manager
    store = store_class()
    wanted = str(user.pk)
    keys: list[str] = []
    rows = manager.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data")
    for key, data in rows.iterator(chunk_size=SESSION_BATCH):
        if str(store.decode(data).get(SESSION_KEY)) == wanted:
            keys.append(key)
    for start in range(0, len(keys), SESSION_BATCH):
        manager.filter(session_key__in=keys[start : start + SESSION_BATCH]).delete()
    return len(keys)


def _delete_messages(*, user: AuthUser, by: AuthUser) -> tuple[int, int]:
    """Delete each undeleted message of `user` outside direct rooms, as `by`, through the
    delete service: (deleted, refused)."""
    deleted = failed = 0
    last_pk = 0
    messages = (
        Item.objects.filter(user=user, kind=Item.Kind.MESSAGE, deleted=False)
        .exclude(room__visibility=Room.Visibility.DIRECT)
        .order_by("pk")
    )
    while True:
        batch = list(
            messages.filter(pk__gt=last_pk).values_list("pk", "room__slug", "seq")[:DELETE_BATCH]
        )
        if not batch:
            return deleted, failed
        for pk, slug, seq in batch:
            try:
                result = message_delete(
                    user=by,
                    room_slug=slug,
                    target=seq,
                    client_id=f"mod-del-{pk}",
                    counted=False,
                )
            except ParleyError:
                failed += 1
            else:
                deleted += result.created
        last_pk = batch[-1][0]


def _direct_messages_left(user: AuthUser) -> int:
    return Item.objects.filter(
        user=user,
        kind=Item.Kind.MESSAGE,
        deleted=False,
        room__visibility=Room.Visibility.DIRECT,
    ).count()


def user_deactivate(
    *, user: AuthUser, by: AuthUser, delete_messages: bool = False, reason: str = ""
) -> DeactivationResult:
    """`by` (staff) deactivates `user`: sockets close (4403), sessions end, tokens stop working,
    and, with `delete_messages`, every message of theirs outside direct rooms is deleted for
    everyone. Forbidden per `check_can_moderate_user`. An inactive account is left as it is
    (deactivated=False, no entry), its messages still deleted when asked: a retry finishes what
    a failed run began.
    """
    check_can_moderate_user(actor=by, user=user)
    reason = reason.strip()[:REASON_MAX_LENGTH]
    User = get_user_model()
    with transaction.atomic():
        stored = User._default_manager.select_for_update().get(pk=user.pk)
        deactivated = stored.is_active
        if deactivated:
            stored.is_active = False
            stored.save(update_fields=["is_active"])  # the signals close the sockets on commit
        sessions = sessions_end(user=stored)
        if deactivated:
            audit_record(
                actor=by,
                action=AuditAction.USER_DEACTIVATE,
                target_user=stored,
                detail={
                    "reason": reason,
                    "sessions_ended": sessions,
                    "delete_messages": delete_messages,
                },
            )
    user.is_active = False
    if not delete_messages:
        return DeactivationResult(deactivated=deactivated, sessions_ended=sessions)
    deleted, failed = _delete_messages(user=stored, by=by)
    kept = _direct_messages_left(stored)
    audit_record(
        actor=by,
        action=AuditAction.MESSAGES_DELETE_ALL,
        target_user=stored,
        detail={
            "reason": reason,
            "deleted": deleted,
            "failed": failed,
            "direct_messages_kept": kept,
        },
    )
    return DeactivationResult(
        deactivated=deactivated,
        sessions_ended=sessions,
        messages_deleted=deleted,
        messages_failed=failed,
        direct_messages_kept=kept,
    )


def user_reactivate(*, user: AuthUser, by: AuthUser, reason: str = "") -> bool:
    """`by` (staff) lets `user` sign in again; whether anything changed. Deleted messages stay
    deleted and ended sessions ended: they sign in anew. Forbidden per
    `check_can_moderate_user`."""
    check_can_moderate_user(actor=by, user=user)
    User = get_user_model()
    with transaction.atomic():
        stored = User._default_manager.select_for_update().get(pk=user.pk)
        if stored.is_active:
            return False
        stored.is_active = True
        stored.save(update_fields=["is_active"])
        audit_record(
            actor=by,
            action=AuditAction.USER_REACTIVATE,
            target_user=stored,
            detail={"reason": reason.strip()[:REASON_MAX_LENGTH]},
        )
    user.is_active = True
    return True


def profile_reset(*, user: AuthUser, by: AuthUser) -> bool:
    """Staff clear a person's display name, status and picture (an offensive name or picture),
    through the profile services, so everyone sees the username and initials again; the time
    zone stays. Forbidden for anyone but staff, for one's own profile (the settings page is for
    that) and, but for a superuser, for a staff account. Recorded in the audit log. Whether
    anything was cleared."""
    if not by.is_staff:
        raise Forbidden("Only staff can clear someone's profile.")
    if by.pk == user.pk:
        raise Forbidden("Change your own profile on your profile page.")
    if (user.is_staff or user.is_superuser) and not by.is_superuser:
        raise Forbidden("Only a superuser can clear a staff account's profile.")
    profile = Profile.objects.filter(user=user).first()
    if profile is None or not (
        profile.display_name or profile.status_emoji or profile.status_text or profile.avatar
    ):
        return False
    cleared = {
        "display_name": profile.display_name,
        "status": f"{profile.status_emoji} {profile.status_text}".strip(),
        "avatar": bool(profile.avatar),
    }
    with transaction.atomic():
        profile_update(
            user=user,
            display_name="",
            time_zone=profile.time_zone,
            status_emoji="",
            status_text="",
        )
        if profile.avatar:
            avatar_clear(user=user)
        audit_record(actor=by, action=AuditAction.PROFILE_RESET, target_user=user, detail=cleared)
    return True
