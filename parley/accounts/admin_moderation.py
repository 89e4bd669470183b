"""Moderation in the admin, without a shell: deactivating accounts and the audit log.

The user admin (`UserModerationAdmin`, the base of accounts/admin.py's `ParleyUserAdmin`) gains
three actions, each going through the services of accounts/moderation.py:

- "Deactivate selected users" and "Deactivate and delete all their messages" first show a
  confirmation page, like Django's own delete action: who is concerned, how many messages would
  go, a reason to record (POST with the CSRF token; "No, take me back" changes nothing);
- "Reactivate selected users" acts at once (nothing is lost by it).

Ticking "Active" off (or on) on a user's change page is the same deactivation: the form refuses
what the service would refuse, and the save goes through `user_deactivate` (or
`user_reactivate`), so sockets close, sessions end and the audit log has its entry.

`AuditEntryAdmin` lists the audit log (accounts/audit.py): read-only, filtered by action and
date, searched by usernames and room slug. Nothing in it can be added, changed or deleted here.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from parley.accounts.models import AuditEntry
from parley.accounts.moderation import (
    REASON_MAX_LENGTH,
    check_can_moderate_user,
    profile_reset,
    user_deactivate,
    user_reactivate,
)
from parley.core.errors import ParleyError
from parley.core.types import AuthUser
from parley.rooms.models import Item, Room

CONFIRMATION_TEMPLATE = "admin/accounts/user_deactivate_confirmation.html"


class DeactivationForm(forms.Form):
    """The confirmation page's one field: why (kept in the audit log)."""

    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded in the audit log with the deactivation (optional).",
    )


def _actor(request: HttpRequest) -> AuthUser:
    """Whoever uses the admin: signed in and staff (AdminSite.has_permission)."""
    return cast(AuthUser, request.user)


def _messages_to_delete(users: QuerySet[AuthUser]) -> dict[int, int]:
    """Per user id: their undeleted messages outside direct rooms (what would be deleted)."""
    rows = (
        Item.objects.filter(user__in=users, kind=Item.Kind.MESSAGE, deleted=False)
        .exclude(room__visibility=Room.Visibility.DIRECT)
        .values("user")
        .annotate(count=Count("pk"))
        .values_list("user", "count")
    )
    return dict(rows)


def _refusal(actor: AuthUser, user: AuthUser) -> str:
    """Why `actor` may not deactivate `user`, or "" when they may."""
    try:
        check_can_moderate_user(actor=actor, user=user)
    except ParleyError as exc:
        return exc.message
    return ""


class UserModerationAdmin(UserAdmin[AuthUser]):
    actions = [
        "deactivate_users",
        "deactivate_users_and_messages",
        "reactivate_users",
        "reset_profiles",
    ]

    # -- the actions ---------------------------------------------------------------------------

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate_users(
        self, request: HttpRequest, queryset: QuerySet[AuthUser]
    ) -> TemplateResponse | None:
        return self._deactivate(request, queryset, delete_messages=False)

    @admin.action(description="Deactivate and delete all their messages", permissions=["change"])
    def deactivate_users_and_messages(
        self, request: HttpRequest, queryset: QuerySet[AuthUser]
    ) -> TemplateResponse | None:
        return self._deactivate(request, queryset, delete_messages=True)

    @admin.action(description="Reactivate selected users", permissions=["change"])
    def reactivate_users(self, request: HttpRequest, queryset: QuerySet[AuthUser]) -> None:
        actor = _actor(request)
        done = 0
        for user in queryset.order_by("username"):
            try:
                done += user_reactivate(user=user, by=actor)
            except ParleyError as exc:
                messages.error(request, f"{user.get_username()}: {exc.message}")
        messages.success(request, f"{done} user(s) reactivated.")

    @admin.action(
        description="Clear the display name, status and picture of selected users",
        permissions=["change"],
    )
    def reset_profiles(self, request: HttpRequest, queryset: QuerySet[AuthUser]) -> None:
        actor = _actor(request)
        done = 0
        for user in queryset.order_by("username"):
            try:
                done += profile_reset(user=user, by=actor)
            except ParleyError as exc:
                messages.error(request, f"{user.get_username()}: {exc.message}")
        messages.success(request, f"{done} profile(s) cleared.")

    def _deactivate(
        self, request: HttpRequest, queryset: QuerySet[AuthUser], *, delete_messages: bool
    ) -> TemplateResponse | None:
        """The confirmation page, then (its POST with "post") the deactivations."""
        if request.POST.get("post") == "yes":
            form = DeactivationForm(request.POST)
            if form.is_valid():
                self._deactivate_each(
                    request,
                    queryset,
                    delete_messages=delete_messages,
                    reason=form.cleaned_data["reason"],
                )
                return None  # back to the list, with the messages
        else:
            form = DeactivationForm()
        actor = _actor(request)
        users = list(queryset.order_by("username"))
        counts = _messages_to_delete(queryset) if delete_messages else {}
        context = {
            **self.admin_site.each_context(request),
            "title": (
                "Deactivate users and delete their messages"
                if delete_messages
                else "Deactivate users"
            ),
            "opts": self.model._meta,
            "form": form,
            "delete_messages": delete_messages,
            "action_name": (
                "deactivate_users_and_messages" if delete_messages else "deactivate_users"
            ),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "rows": [
                {
                    "user": user,
                    "refusal": _refusal(actor, user),
                    "messages": counts.get(user.pk, 0),
                }
                for user in users
            ],
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, CONFIRMATION_TEMPLATE, context)

    def _deactivate_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[AuthUser],
        *,
        delete_messages: bool,
        reason: str,
    ) -> None:
        actor = _actor(request)
        deactivated = deleted = 0
        for user in queryset.order_by("username"):
            try:
                result = user_deactivate(
                    user=user, by=actor, delete_messages=delete_messages, reason=reason
                )
            except ParleyError as exc:
                messages.error(request, f"{user.get_username()}: {exc.message}")
                continue
            deactivated += result.deactivated
            deleted += result.messages_deleted
            if result.messages_failed:
                messages.warning(
                    request,
                    f"{user.get_username()}: {result.messages_failed} message(s) could not be"
                    " deleted; run the action again to retry them.",
                )
            if result.direct_messages_kept:
                messages.info(
                    request,
                    f"{user.get_username()}: {result.direct_messages_kept} message(s) in direct"
                    " conversations were kept (staff cannot read or delete those).",
                )
        summary = f"{deactivated} user(s) deactivated; their sockets are closed."
        if delete_messages:
            summary += f" {deleted} message(s) deleted; everyone sees it now."
        messages.success(request, summary)

    # -- the change page's "Active" box --------------------------------------------------------

    # UserAdmin.get_form takes `change` as a keyword only (the stubs say positional too).
    def get_form(  # type: ignore[override]
        self, request: HttpRequest, obj: AuthUser | None = None, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, **kwargs)
        if obj is None:
            return form_class
        actor = _actor(request)
        base: Any = form_class

        class ActiveChecked(base):  # type: ignore[misc]
            """Refuses an "Active" change the moderation services would refuse."""

            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                if "is_active" in self.changed_data:
                    # self.instance is still the stored user here (the form fills it later).
                    refusal = _refusal(actor, self.instance)
                    if refusal:
                        self.add_error("is_active", refusal)
                return cleaned

        return ActiveChecked

    def save_model(self, request: HttpRequest, obj: AuthUser, form: Any, change: bool) -> None:
        if not change or "is_active" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        active = obj.is_active
        obj.is_active = not active  # the other fields first, the status through the service
        super().save_model(request, obj, form, change)
        actor = _actor(request)
        if active:
            user_reactivate(user=obj, by=actor, reason="Active ticked on the change page")
        else:
            user_deactivate(user=obj, by=actor, reason="Active unticked on the change page")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """The audit log, read-only: who did what, to whom, when, in which room."""

    list_display = ["created_at", "actor", "action", "target_user", "room", "detail"]
    list_filter = ["action", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor__username", "target_user__username", "room"]
    list_select_related = ["actor", "target_user"]
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "action", "target_user", "room", "detail"]
    readonly_fields = ["created_at", "actor", "action", "target_user", "room", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
