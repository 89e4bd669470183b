from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from parley.accounts.forms import SignupForm
from parley.accounts.signals import spare_session


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Django's UserCreationForm with Parley's username rule; a new user is signed in and sent
    home."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page. The user's other sessions end, with their sockets (signals.py); this
    session stays signed in (Django's update_session_auth_hash) and so do its sockets."""

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        spare_session(form.user, self.request.session.session_key)
        return super().form_valid(form)
