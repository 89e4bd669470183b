"""The account forms: Django's, with Parley's username rule (usernames.py)."""

from typing import Any

from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UserCreationForm

from parley.accounts.usernames import check_username
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
    """The sign-up form: `username`, `password1`, `password2` (the contract's fields)."""


class AdminAddUserForm(UsernameRuleMixin, AdminUserCreationForm):  # type: ignore[misc]
    pass


class AdminChangeUserForm(UsernameRuleMixin, UserChangeForm[AuthUser]):
    pass
