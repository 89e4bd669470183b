"""Signing up (in the server's sign-up mode), logging in, changing passwords.

PARLEY_SIGNUP says who may sign up at /accounts/signup/:
- `open`: anyone (the contract's behaviour);
- `invite`: only with a valid invitation link (`?invite=<token>`, parley/accounts/
  invitations.py), kept through the POST in a hidden field; without one, a 403 page says so;
- `closed`: nobody, invitation or not (a 403 page): staff make accounts in the admin.
Sign-up never makes staff; the first staff account is made on the set-up page (/setup/).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from parley.accounts.firstrun import setup_needed
from parley.accounts.forms import SignupForm
from parley.accounts.invitations import InvitationRefused, invitation_check, invitation_use
from parley.accounts.models import Invitation
from parley.accounts.signals import spare_session
from parley.accounts.signed_links import site_url
from parley.accounts.welcome import account_welcome

SIGNUP_OPEN, SIGNUP_INVITE, SIGNUP_CLOSED = "open", "invite", "closed"
SIGNUP_MODES = (SIGNUP_OPEN, SIGNUP_INVITE, SIGNUP_CLOSED)


def signup_mode() -> str:
    """The configured sign-up mode; an unknown value counts as `closed` (fail shut)."""
    mode = getattr(settings, "PARLEY_SIGNUP", SIGNUP_OPEN)
    return mode if mode in SIGNUP_MODES else SIGNUP_CLOSED


def _refused(request: HttpRequest, *, title: str, message: str) -> HttpResponse:
    context = {"title": title, "message": message, "setup_needed": setup_needed()}
    return render(request, "registration/signup_refused.html", context, status=403)


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Django's UserCreationForm with Parley's username rule and an optional email, in the
    server's sign-up mode; a new user joins the auto-join rooms, is signed in and sent home."""
    if request.user.is_authenticated:
        return redirect("home")
    mode = signup_mode()
    if mode == SIGNUP_CLOSED:
        return _refused(
            request,
            title="Sign-up is closed",
            message="This server does not take new sign-ups. Ask its administrators for an"
            " account.",
        )
    invitation: Invitation | None = None
    token = ""
    if mode == SIGNUP_INVITE:
        token = (request.POST.get("invite") or request.GET.get("invite") or "").strip()
        if not token:
            return _refused(
                request,
                title="Sign-up needs an invitation",
                message="You can join this server only through an invitation link. Ask its"
                " administrators for one.",
            )
        try:
            invitation = invitation_check(token)
        except InvitationRefused as exc:
            return _refused(request, title="This invitation cannot be used", message=exc.message)
    form = SignupForm(request.POST or None, site=site_url(request))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
                if invitation is not None:
                    invitation_use(invitation=invitation, user=user)
                account_welcome(user=user)
        except InvitationRefused as exc:
            # Taken, revoked or expired since the page was shown: no account was made.
            return _refused(request, title="This invitation cannot be used", message=exc.message)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    context = {"form": form, "invite": token, "invitation": invitation}
    return render(request, "registration/signup.html", context)


class LoginView(auth_views.LoginView):
    """Django's log-in page; on a server with no account yet it leads to the set-up page."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["setup_needed"] = setup_needed()
        context["signup_mode"] = signup_mode()
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page. The user's other sessions end, with their sockets (signals.py); this
    session stays signed in (Django's update_session_auth_hash) and so do its sockets."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        spare_session(form.user, self.request.session.session_key)
        return super().form_valid(form)
