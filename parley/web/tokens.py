"""`/settings/tokens/`: the signed-in person's access tokens (PROTOCOL.md, "Tokens").

Make one (a form with a `name` field: the page that answers the POST shows the token, once,
and is never cached), see them (name, created, last used; never the token again), revoke one
(a POST; another person's token, or none, is a 404 alike). The bots the person answers for
are listed with their outgoing webhook's last failure. The rules live in
parley/accounts/tokens.py.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from parley.accounts.bots import bots_with_webhooks_of
from parley.accounts.tokens import (
    NAME_MAX_LENGTH,
    token_create,
    token_of,
    token_revoke,
    tokens_of,
)
from parley.core.errors import InvalidInput
from parley.core.types import AuthenticatedHttpRequest
from parley.web.forms import PageForm


class TokenForm(PageForm):
    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        help_text="What the token is for, e.g. “CI deploys” or “the echo bot”.",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def tokens_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _, new_token = token_create(user=request.user, name=form.cleaned_data["name"])
            except InvalidInput as exc:
                form.add_error("name", exc.message)
            else:
                form = TokenForm()  # made: an empty form for the next one
        if new_token is None:
            status = 400
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": tokens_of(user=request.user),
        "bots": bots_with_webhooks_of(owner=request.user),
    }
    return render(request, "parley/settings_tokens.html", context, status=status)


@require_POST
def token_revoke_view(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = token_of(user=request.user, token_id=token_id)
    if token is None:
        raise Http404("No such token.")
    if token.active:
        token_revoke(token=token, by=request.user)
        messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("settings_tokens")
