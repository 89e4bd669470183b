"""`/staff/invitations/`: staff make, list and revoke invitation links (PARLEY_SIGNUP=invite).

Staff only: anyone else gets a 404, as for a room they may not see (the page's existence is
nobody else's business). A new link is shown once, as an absolute URL, on the page that answers
the POST (never cached); the list shows each invitation's note, maker, dates, uses and who used
it, never the link again. The rules live in parley/accounts/invitations.py.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from parley.accounts.invitations import (
    MAX_USES_LIMIT,
    NOTE_MAX_LENGTH,
    invitation_by_id,
    invitation_create,
    invitation_revoke,
    invitations_list,
)
from parley.core.errors import InvalidInput
from parley.core.types import AuthenticatedHttpRequest
from parley.web.forms import PageForm


class InvitationForm(PageForm):
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text="Who or what it is for, e.g. “the design team” (shown in the list only).",
    )
    max_uses = forms.IntegerField(
        label="Uses",
        min_value=1,
        max_value=MAX_USES_LIMIT,
        initial=1,
        help_text="How many people may sign up with it: 1 for a single-use link.",
    )
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        required=False,
        min_value=1,
        max_value=365,
        initial=7,
        help_text="Leave empty for a link that does not expire.",
    )


def _check_staff(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_staff:
        raise Http404("No such page.")


def invitation_link(request: AuthenticatedHttpRequest, token: str) -> str:
    """The absolute sign-up URL carrying `token`."""
    return request.build_absolute_uri(f"{reverse('signup')}?{urlencode({'invite': token})}")


@never_cache
@require_http_methods(["GET", "POST"])
def invitations_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _check_staff(request)
    form = InvitationForm(request.POST or None)
    new_link = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            days = form.cleaned_data.get("expires_in_days")
            try:
                _, token = invitation_create(
                    by=request.user,
                    note=form.cleaned_data.get("note") or "",
                    max_uses=form.cleaned_data["max_uses"],
                    expires_in=timedelta(days=days) if days else None,
                )
            except InvalidInput as exc:
                form.add_error(None, exc.message)
            else:
                new_link = invitation_link(request, token)
                form = InvitationForm()
        if new_link is None:
            status = 400
    context = {"form": form, "new_link": new_link, "invitations": invitations_list()}
    return render(request, "parley/staff_invitations.html", context, status=status)


@require_POST
def invitation_revoke_view(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    _check_staff(request)
    invitation = invitation_by_id(invitation_id)
    if invitation is None:
        raise Http404("No such invitation.")
    if invitation_revoke(invitation=invitation, by=request.user):
        label = f"“{invitation.note}”" if invitation.note else invitation.prefix
        messages.success(request, f"Invitation {label} revoked: its link no longer works.")
    return redirect("staff_invitations")
