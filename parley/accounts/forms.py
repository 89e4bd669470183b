"""The account forms: Django's, with Parley's username rule (usernames.py)."""

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    UserChangeForm,
    UserCreationForm,
    UsernameField,
)
from django.contrib.auth.models import User

from parley.accounts.notification_prefs import email_verification_send
from parley.accounts.signed_links import site_url
from parley.accounts.usernames import check_username
from parley.accounts.welcome import account_welcome
from parley.core.types import AuthUser


class UsernameRuleMixin:
    """`clean_username` runs Django's checks, then refuses lookalikes of other usernames."""

    # Given by the form it is mixed into.
    cleaned_data: dict[str, Any]
    instance: AuthUser

    def clean_username(self) -> str | None:
        parent = getattr(super(), "clean_username", None)
        # Django's creation forms answer None once they have refused a taken username.
        username = parent() if parent is not None else self.cleaned_data.get("username")
        if username:
            check_username(username, exclude_pk=self.instance.pk)
        return username


# django-stubs has UserCreationForm.clean_username return str; Django's returns None for a taken
# username (hence `str | None` above): the ignores below are for that stub.
class SignupForm(UsernameRuleMixin, UserCreationForm[AuthUser]):  # type: ignore[misc]
    """The sign-up form: `username`, `password1`, `password2` (the contract's fields), and an
    optional `email` (stored on User.email; a verification link is mailed to it once the
    account is saved, and notification mail goes to it only once that link is opened)."""

    email = forms.EmailField(
        required=False,
        max_length=254,
        help_text="Optional. Never shown to other people.",
    )

    class Meta:
        # UserCreationForm.Meta's, with the email.
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, site: str = "", **kwargs: Any) -> None:
        # Where the verification link points: the address the sign-up page was reached at.
        self.site = site or site_url()
        super().__init__(*args, **kwargs)

    def save(self, commit: bool = True) -> AuthUser:
        user: AuthUser = super().save(commit=commit)
        if commit and user.email:
            email_verification_send(user=user, site=self.site)
        return user


class AdminAddUserForm(UsernameRuleMixin, AdminUserCreationForm):  # type: ignore[misc]
    """The admin's add-user form: the new account joins the auto-join rooms (welcome.py) once
    it is saved (the admin saves the user, then calls save_m2m, which lands here)."""

    def _save_m2m(self) -> None:
        super()._save_m2m()  # type: ignore[misc]
        account_welcome(user=self.instance)


class AdminChangeUserForm(UsernameRuleMixin, UserChangeForm[AuthUser]):
    pass
