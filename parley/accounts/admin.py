"""The accounts admin: users (Django's pages, with Parley's username rule), bots and tokens.

Staff make bot users here (a username, an owner, an optional outgoing webhook URL) and their
access tokens; every change goes through the same services as elsewhere (parley/accounts/
bots.py, tokens.py):

- a token is made on the token add page (for a bot) or by the bots' "Make a token" action, and
  shown once in the page's message; the list shows its prefix, never the token;
- revoking (the tokens' action) uses `token_revoke`, so the token's open sockets close (4403);
  a deleted token is revoked first for the same reason.

People make their own tokens on /settings/tokens/; staff cannot mint one for a person here
(that would be signing in as them), only for bots.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest

from parley.accounts.admin_moderation import UserModerationAdmin
from parley.accounts.bots import bot_create, check_bot_username, check_outgoing_url
from parley.accounts.firstrun import check_site_name
from parley.accounts.forms import AdminAddUserForm, AdminChangeUserForm
from parley.accounts.models import AccessToken, Bot, Invitation, InvitationUse, SiteSettings
from parley.accounts.tokens import NAME_MAX_LENGTH, token_create, token_revoke
from parley.core.errors import ParleyError
from parley.core.types import AuthUser

User = get_user_model()


def _admin_user(request: HttpRequest) -> AuthUser:
    """Whoever uses the admin: signed in and staff (AdminSite.has_permission)."""
    return cast(AuthUser, request.user)


def _show_token_once(request: HttpRequest, token: AccessToken, raw: str) -> None:
    messages.success(
        request,
        f"Token “{token.name}” for {token.user.username}: {raw} — copy it now, it is shown"
        " only this once.",
    )


class ParleyUserAdmin(UserModerationAdmin):
    """Django's user pages, with deactivation through the moderation services
    (admin_moderation.py, which also registers the audit log's admin)."""

    add_form = AdminAddUserForm
    form = AdminChangeUserForm


admin.site.unregister(User)
admin.site.register(User, ParleyUserAdmin)


class BotChangeForm(forms.ModelForm[Bot]):
    # A plain text field: `check_outgoing_url` is the one rule (a URLField would add its own).
    outgoing_url = forms.CharField(
        required=False,
        max_length=2000,
        help_text="POSTed to when the bot is mentioned or sent a direct message (optional).",
    )

    class Meta:
        model = Bot
        fields = ["owner", "outgoing_url"]

    def clean_outgoing_url(self) -> str:
        try:
            return check_outgoing_url(self.cleaned_data.get("outgoing_url") or "")
        except ParleyError as exc:
            raise forms.ValidationError(exc.message) from None


class BotAddForm(BotChangeForm):
    """A new bot: its username (checked as bot_create checks it) besides the Bot's fields."""

    username = forms.CharField(max_length=150)

    def clean_username(self) -> str:
        try:
            return check_bot_username(self.cleaned_data["username"])
        except ParleyError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(Bot)
class BotAdmin(admin.ModelAdmin[Bot]):
    list_display = ["user", "owner", "outgoing_url", "last_error_at", "created_at"]
    search_fields = ["user__username", "owner__username"]
    list_select_related = ["user", "owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["user", "last_error", "last_error_at", "created_at"]
    actions = ["make_token"]

    def get_form(
        self, request: HttpRequest, obj: Bot | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Bot]]:
        kwargs["form"] = BotAddForm if obj is None else BotChangeForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Bot | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("username", "owner", "outgoing_url")
        return ("user", "owner", "outgoing_url", "last_error", "last_error_at", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Bot | None = None) -> list[str]:
        return [] if obj is None else list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Bot, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        user = bot_create(
            username=form.cleaned_data["username"],
            owner=form.cleaned_data.get("owner"),
            outgoing_url=form.cleaned_data.get("outgoing_url") or "",
        )
        stored = Bot.objects.get(pk=user.pk)
        # The admin goes on with `obj` (its log entry, the redirect): make it the stored row.
        obj.user, obj.created_at = user, stored.created_at
        obj._state.adding, obj._state.db = False, stored._state.db

    @admin.action(description="Make a token for the selected bots")
    def make_token(self, request: HttpRequest, queryset: QuerySet[Bot]) -> None:
        name = f"made in the admin by {_admin_user(request).username}"[:NAME_MAX_LENGTH]
        for bot in queryset.select_related("user"):
            token, raw = token_create(user=bot.user, name=name)
            _show_token_once(request, token, raw)


class AccessTokenAddForm(forms.ModelForm[AccessToken]):
    """A token for a bot (staff make tokens for bots only: see the module's docstring)."""

    class Meta:
        model = AccessToken
        fields = ["user", "name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = cast(forms.ModelChoiceField[AuthUser], self.fields["user"])
        user_field.queryset = User._default_manager.filter(bot__isnull=False).order_by("username")
        user_field.label = "Bot"


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin[AccessToken]):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    actions = ["revoke"]

    def get_form(
        self,
        request: HttpRequest,
        obj: AccessToken | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[AccessToken]]:
        if obj is None:
            kwargs["form"] = AccessTokenAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: AccessToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(
        self, request: HttpRequest, obj: AccessToken | None = None
    ) -> list[str]:
        if obj is None:
            return []
        return ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: AccessToken, form: Any, change: bool) -> None:
        if change:
            return  # every field is read-only once made
        token, raw = token_create(user=form.cleaned_data["user"], name=form.cleaned_data["name"])
        obj.pk, obj.prefix, obj.digest, obj.created_at = (
            token.pk,
            token.prefix,
            token.digest,
            token.created_at,
        )
        obj._state.adding, obj._state.db = False, token._state.db
        _show_token_once(request, token, raw)

    @admin.action(description="Revoke the selected tokens (their sockets close)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, by=_admin_user(request))
            revoked += 1
        messages.success(request, f"{revoked} token(s) revoked.")

    def delete_model(self, request: HttpRequest, obj: AccessToken) -> None:
        token_revoke(token=obj, by=_admin_user(request))  # its sockets close
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessToken]) -> None:
        for token in queryset:
            token_revoke(token=token, by=_admin_user(request))
        super().delete_queryset(request, queryset)


class InvitationUseInline(admin.TabularInline[InvitationUse, Invitation]):
    model = InvitationUse
    fields = ["user", "used_at"]
    readonly_fields = ["user", "used_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    """Invitations, read only: staff make and revoke them on /staff/invitations/ (through
    parley/accounts/invitations.py), where a new link is shown once."""

    list_display = [
        "note",
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "uses",
        "max_uses",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["note", "prefix", "created_by__username", "used_by__user__username"]
    list_select_related = ["created_by"]
    fields = (
        "note",
        "prefix",
        "created_by",
        "created_at",
        "expires_at",
        "uses",
        "max_uses",
        "revoked_at",
    )
    readonly_fields = fields
    inlines = [InvitationUseInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False


class SiteSettingsForm(forms.ModelForm[SiteSettings]):
    class Meta:
        model = SiteSettings
        fields = ["name"]

    def clean_name(self) -> str:
        try:
            return check_site_name(self.cleaned_data.get("name") or "")
        except ParleyError as exc:
            raise forms.ValidationError(exc.message) from None


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin[SiteSettings]):
    """The server's name (set on the set-up page), changeable here; the one row is never added
    or deleted in the admin."""

    form = SiteSettingsForm
    list_display = ["name", "set_up_at"]
    fields = ("name", "set_up_at")
    readonly_fields = ("set_up_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SiteSettings | None = None) -> bool:
        return False
