"""Page forms. Their validation calls the services' own checks, so each rule lives once."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget

from parley.core.errors import InvalidInput
from parley.rooms.models import Room
from parley.rooms.services.rooms import (
    ROOM_NAME_MAX,
    ROOM_SLUG_MAX,
    ROOM_TOPIC_MAX,
    ROOM_VISIBILITIES,
    check_room_name,
    check_room_topic,
    check_slug_format,
    check_visibility,
)


def _check(check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except InvalidInput as exc:
        raise forms.ValidationError(exc.message) from None


# What each kind of room means, one line each, beside its choice on the new-room form.
VISIBILITY_HELP = {
    Room.Visibility.PUBLIC: "Anyone on this server can find it, read it and join.",
    Room.Visibility.PRIVATE: "Only the people you add can find it or read it.",
}


class PageForm(forms.Form):
    """A form of Parley's pages: labels stand above their fields, without a colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RoomCreateForm(PageForm):
    # The services' limits, so the browser refuses what the server would (maxlength) and a
    # posted over-long value is a form error; SQLite would not enforce the model's.
    name = forms.CharField(
        max_length=ROOM_NAME_MAX,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    slug = forms.CharField(
        label="Address",
        max_length=ROOM_SLUG_MAX,
        help_text="Lowercase letters, digits and dashes. Filled in from the name; change it if"
        " you like.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    visibility = forms.ChoiceField(
        label="Who can see it",
        choices=[(v.value, v.label) for v in ROOM_VISIBILITIES],
        initial="public",
        widget=forms.RadioSelect,
    )
    topic = forms.CharField(
        max_length=ROOM_TOPIC_MAX,
        required=False,
        help_text="Optional: one line about what the room is for.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_name(self) -> str:
        return _check(check_room_name, self.cleaned_data["name"])

    def clean_slug(self) -> str:
        # The format only: whether the slug is taken is the service's answer, given after the
        # attempt is counted against the room limit (slug probing is throttled).
        return _check(check_slug_format, self.cleaned_data["slug"])

    def clean_visibility(self) -> str:
        return _check(check_visibility, self.cleaned_data["visibility"])

    def clean_topic(self) -> str:
        return _check(check_room_topic, self.cleaned_data["topic"])

    def visibility_choices(self) -> list[tuple[BoundWidget, str]]:
        """Each visibility radio button with its one-line explanation, for the template."""
        field = self["visibility"]
        return [
            (choice, VISIBILITY_HELP.get(Room.Visibility(choice.data["value"]), ""))
            for choice in field
        ]


class RoomTopicForm(PageForm):
    topic = forms.CharField(
        max_length=ROOM_TOPIC_MAX,
        required=False,
        help_text="One line about what the room is for; empty for none.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_topic(self) -> str:
        return _check(check_room_topic, self.cleaned_data["topic"])


class MemberForm(PageForm):
    username = forms.CharField(max_length=150)
