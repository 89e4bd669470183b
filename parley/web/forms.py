"""Page forms. Their validation calls the services' own checks, so each rule lives once."""

from collections.abc import Callable

from django import forms

from parley.core.errors import InvalidInput
from parley.rooms.services.rooms import (
    ROOM_VISIBILITIES,
    check_room_name,
    check_slug_format,
    check_visibility,
)


def _check(check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except InvalidInput as exc:
        raise forms.ValidationError(exc.message) from None


class RoomCreateForm(forms.Form):
    # max_length here too: SQLite does not enforce the model's.
    name = forms.CharField(max_length=200, strip=True)
    slug = forms.CharField(
        max_length=50,
        help_text="Lowercase letters, digits and dashes; the room's address.",
    )
    visibility = forms.ChoiceField(
        choices=[(v.value, v.label) for v in ROOM_VISIBILITIES], initial="public"
    )

    def clean_name(self) -> str:
        return _check(check_room_name, self.cleaned_data["name"])

    def clean_slug(self) -> str:
        # The format only: whether the slug is taken is the service's answer, given after the
        # attempt is counted against the room limit (slug probing is throttled).
        return _check(check_slug_format, self.cleaned_data["slug"])

    def clean_visibility(self) -> str:
        return _check(check_visibility, self.cleaned_data["visibility"])


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
