"""`/settings/notifications/`: a person's email address, digest emails, Web Push and do not
disturb; and the two links emails carry, which work without a log-in:

- `verify/<token>`: proves the address the link was mailed to (a GET: opening the link is the
  proof; a token names one account and one address and expires after 3 days);
- `unsubscribe/<token>`: GET shows a button, POST turns digest emails off. Mail clients POST
  there themselves (RFC 8058 one-click), without a CSRF token: the view is exempt, and a signed
  token can do this one thing only.

The rules live in parley/accounts/notification_prefs.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from parley.accounts.notification_prefs import (
    EMAIL_MAX_LENGTH,
    dnd_active,
    dnd_set,
    email_change,
    email_deliverable,
    email_unsubscribe,
    email_unsubscribe_check,
    email_verification_send,
    email_verify,
    next_morning,
    prefs_get,
    prefs_update,
    user_time_zone,
)
from parley.accounts.signed_links import site_url
from parley.core.errors import InvalidInput, RateLimited
from parley.core.types import AuthenticatedHttpRequest
from parley.web.forms import PageForm

DND_CHOICES = [("hour", "For 1 hour"), ("tomorrow", "Until tomorrow 9:00"), ("custom", "Until…")]


class EmailForm(PageForm):
    email = forms.CharField(
        label="Email address",
        max_length=EMAIL_MAX_LENGTH,
        required=False,
        help_text="Never shown to other people. Leave empty to remove it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PrefsForm(PageForm):
    email_notify = forms.BooleanField(
        label="Email me unread mentions and direct messages",
        required=False,
        help_text="One email after a while, listing what you missed; never one per message.",
    )
    push_notify = forms.BooleanField(
        label="Web Push notifications",
        required=False,
        help_text="On the browsers and phones where you allowed them.",
    )


class DndForm(PageForm):
    pause = forms.ChoiceField(choices=DND_CHOICES, widget=forms.RadioSelect, label="Pause")
    until = forms.CharField(
        label="Until (your time)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


def _dnd_until(form: DndForm, *, request: AuthenticatedHttpRequest, now: datetime) -> datetime:
    zone = user_time_zone(request.user)
    choice = form.cleaned_data["pause"]
    if choice == "hour":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        return next_morning(now=now, zone=zone)
    try:
        local = datetime.strptime(form.cleaned_data["until"], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise InvalidInput("Give a date and a time.") from None
    return local.replace(tzinfo=zone)


@never_cache
@require_http_methods(["GET", "POST"])
def notifications_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user, now = request.user, timezone.now()
    email_form = EmailForm(initial={"email": user.email})
    prefs = prefs_get(user=user)
    prefs_form = PrefsForm(
        initial={"email_notify": prefs.email_notify, "push_notify": prefs.push_notify}
    )
    dnd_form = DndForm(initial={"pause": "hour"})
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            if action == "email":
                email_form = EmailForm(request.POST)
                if email_form.is_valid():
                    sent = email_change(
                        user=user, email=email_form.cleaned_data["email"], site=site_url(request)
                    )
                    if sent:
                        messages.success(request, f"We sent a link to {user.email}: open it.")
                    return redirect("settings_notifications")
            elif action == "resend":
                email_verification_send(user=user, site=site_url(request))
                messages.success(request, f"We sent a new link to {user.email}.")
                return redirect("settings_notifications")
            elif action == "prefs":
                prefs_form = PrefsForm(request.POST)
                if prefs_form.is_valid():
                    prefs_update(user=user, **prefs_form.cleaned_data)
                    messages.success(request, "Saved.")
                    return redirect("settings_notifications")
            elif action == "dnd":
                dnd_form = DndForm(request.POST)
                if dnd_form.is_valid():
                    dnd_set(
                        user=user, until=_dnd_until(dnd_form, request=request, now=now), now=now
                    )
                    return redirect("settings_notifications")
            elif action == "resume":
                dnd_set(user=user, until=None, now=now)
                return redirect("settings_notifications")
            else:
                raise InvalidInput("Unknown action.")
        except (InvalidInput, RateLimited) as exc:
            form = {"email": email_form, "dnd": dnd_form}.get(action)
            if form is not None and form.is_bound:
                form.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
        prefs = prefs_get(user=user)
    zone = user_time_zone(user)
    context = {
        "email_form": email_form,
        "prefs_form": prefs_form,
        "dnd_form": dnd_form,
        "prefs": prefs,
        "verified": email_deliverable(user=user, prefs=prefs),
        "dnd_on": dnd_active(prefs, now),
        "dnd_until": timezone.localtime(prefs.dnd_until, zone) if prefs.dnd_until else None,
        "zone": zone.key,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "notify/settings_notifications.html", context, status=status)


def _link_refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "notify/link_refused.html", {"message": message}, status=400)


@login_not_required
@never_cache
@require_http_methods(["GET"])
def email_verify_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = email_verify(token=token)
    except InvalidInput as exc:
        return _link_refused(request, exc.message)
    return render(request, "notify/email_verified.html", {"address": user.email})


@login_not_required
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            user = email_unsubscribe(token=token)
        else:
            user = email_unsubscribe_check(token=token)
    except InvalidInput as exc:
        return _link_refused(request, exc.message)
    context = {"done": request.method == "POST", "username": user.get_username()}
    return render(request, "notify/unsubscribe.html", context)
