"""`/settings/profile/`: the signed-in person's display name, status, time zone and picture; and
the pictures themselves, served to signed-in people. The rules live in parley/accounts/profiles.py
and parley/accounts/avatars.py; this maps their errors to form errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from parley.accounts.avatars import avatar_clear, avatar_set, avatar_url
from parley.accounts.models import Profile
from parley.accounts.profiles import (
    DISPLAY_NAME_MAX,
    STATUS_TEXT_MAX,
    check_display_name,
    check_status_emoji,
    check_status_text,
    check_time_zone,
    profile_of,
    profile_update,
    time_zone_names,
)
from parley.core.errors import InvalidInput, ParleyError
from parley.core.types import AuthenticatedHttpRequest, AuthUser
from parley.web.forms import PageForm


def _time_zone_choices() -> list[tuple[str, str]]:
    return [
        ("", "Not shown"),
        *((name, name.replace("_", " ")) for name in sorted(time_zone_names())),
    ]


class ProfileForm(PageForm):
    """Each field is checked by the service's own check (parley/accounts/profiles.py)."""

    display_name = forms.CharField(
        required=False,
        max_length=DISPLAY_NAME_MAX,
        help_text="Shown instead of your username; empty: your username.",
    )
    status_emoji = forms.CharField(required=False, max_length=64, label="Status emoji")
    status_text = forms.CharField(required=False, max_length=STATUS_TEXT_MAX, label="Status")
    time_zone = forms.ChoiceField(
        required=False,
        choices=_time_zone_choices,
        help_text="Others see your local time on your profile card.",
    )

    def __init__(self, *args: Any, user: AuthUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self) -> str:
        return _check(lambda name: check_display_name(name, user=self.user), self, "display_name")

    def clean_status_emoji(self) -> str:
        return _check(check_status_emoji, self, "status_emoji")

    def clean_status_text(self) -> str:
        return _check(check_status_text, self, "status_text")

    def clean_time_zone(self) -> str:
        return _check(check_time_zone, self, "time_zone")


def _check(check: Callable[[str], str], form: forms.Form, field: str) -> str:
    try:
        return check(form.cleaned_data[field])
    except InvalidInput as exc:
        raise forms.ValidationError(exc.message) from None


class AvatarForm(PageForm):
    avatar = forms.FileField(
        label="Picture",
        help_text="PNG, JPEG, GIF or WebP up to 10 MiB: cropped to a square and resized.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def profile_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = profile_of(request.user)
    form = ProfileForm(initial=_initial(profile), user=request.user)
    avatar_form = AvatarForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "profile")
        if action == "avatar":
            avatar_form = AvatarForm(request.POST, request.FILES)
            if avatar_form.is_valid():
                try:
                    avatar_set(user=request.user, upload=avatar_form.cleaned_data["avatar"])
                except ParleyError as exc:
                    avatar_form.add_error("avatar", exc.message)
                else:
                    messages.success(request, "Your picture is changed.")
                    return redirect("settings_profile")
        elif action == "avatar_clear":
            avatar_clear(user=request.user)
            messages.success(request, "Your picture is removed.")
            return redirect("settings_profile")
        else:
            form = ProfileForm(request.POST, user=request.user)
            if form.is_valid():
                try:
                    profile_update(user=request.user, **form.cleaned_data)
                except ParleyError as exc:  # a name taken since the form's check
                    form.add_error(None, exc.message)
                else:
                    messages.success(request, "Your profile is saved.")
                    return redirect("settings_profile")
        status = 400
    context = {
        "form": form,
        "avatar_form": avatar_form,
        "profile": profile,
        "avatar_url": avatar_url(profile),
    }
    return render(request, "parley/settings_profile.html", context, status=status)


def _initial(profile: Profile) -> dict[str, str]:
    return {
        "display_name": profile.display_name,
        "status_emoji": profile.status_emoji,
        "status_text": profile.status_text,
        "time_zone": profile.time_zone,
    }


@require_GET
def avatar_download(request: AuthenticatedHttpRequest, user_id: int, name: str) -> FileResponse:
    """A person's current picture, to signed-in people; 404 for an old or unknown one."""
    profile = Profile.objects.filter(user_id=user_id, user__is_active=True).first()
    if profile is None or not profile.avatar.name or profile.avatar.name.rsplit("/", 1)[-1] != name:
        raise Http404("No such picture.")
    response = FileResponse(profile.avatar.open("rb"), content_type="image/png")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # Each upload has a new name: this URL's bytes never change.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
