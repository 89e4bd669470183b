"""The account forms: Django's, with Parley's username rule (usernames.py)."""

from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UserCreationForm

from parley.accounts.usernames import check_username


class UsernameRuleMixin:
    """`clean_username` runs Django's checks, then refuses lookalikes of other usernames."""

    def clean_username(self):
        parent = getattr(super(), "clean_username", None)
        # Django's creation forms answer None once they have refused a taken username.
        username = parent() if parent is not None else self.cleaned_data.get("username")
        if username:
            check_username(username, exclude_pk=self.instance.pk)
        return username


class SignupForm(UsernameRuleMixin, UserCreationForm):
    """The sign-up form: `username`, `password1`, `password2` (the contract's fields)."""


class AdminAddUserForm(UsernameRuleMixin, AdminUserCreationForm):
    pass


class AdminChangeUserForm(UsernameRuleMixin, UserChangeForm):
    pass
