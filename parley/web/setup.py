"""`/setup/`: the first-run page, open only while the server has no account (404 afterwards).

It makes the first account (the sign-up form's rules: username, two passwords, optional email),
which becomes staff and superuser and is signed in; it names the server and makes the #general
room every new account joins. The rules and the guard against two racing submissions live in
parley/accounts/firstrun.py.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from parley.accounts.firstrun import (
    DEFAULT_SITE_NAME,
    SITE_NAME_MAX,
    AlreadySetUp,
    check_site_name,
    setup_needed,
    site_set_up,
)
from parley.accounts.forms import SignupForm
from parley.accounts.notification_prefs import email_verification_send
from parley.accounts.signed_links import site_url
from parley.core.errors import InvalidInput


class SetupForm(SignupForm):
    """The sign-up form's fields and rules, and the server's name."""

    site_name = forms.CharField(
        label="Server name",
        max_length=SITE_NAME_MAX,
        initial=DEFAULT_SITE_NAME,
        help_text="Shown in every page's title and header, e.g. your team's name.",
    )

    field_order = ["site_name", "username", "email", "password1", "password2"]

    def clean_site_name(self) -> str:
        try:
            return check_site_name(self.cleaned_data.get("site_name") or "")
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def setup_page(request: HttpRequest) -> HttpResponse:
    if not setup_needed():
        raise Http404("This server is set up already.")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = site_set_up(
                username=data["username"],
                password=data["password1"],
                email=data.get("email") or "",
                name=data["site_name"],
            )
        except AlreadySetUp:
            # Someone else's submission made the first account a moment ago.
            raise Http404("This server is set up already.") from None
        if user.email:
            # As at sign-up: mail goes to the address only once its link is opened.
            email_verification_send(user=user, site=site_url(request))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "parley/setup.html", {"form": form})
