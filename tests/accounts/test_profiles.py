"""Profiles: display name, status and time zone, checked before anything is saved."""

import pytest

from parley.accounts.models import Profile
from parley.accounts.profiles import profile_of, profile_update, shown_name
from parley.core.errors import InvalidInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def update(user, **changes):
    fields = {"display_name": "", "time_zone": "", "status_emoji": "", "status_text": ""}
    fields.update(changes)
    return profile_update(user=user, **fields)


def test_someone_without_a_profile_row_shows_their_username_and_no_row_is_made():
    ada = UserFactory(username="ada")
    assert profile_of(ada).display_name == ""
    assert shown_name(ada) == "ada"
    assert not Profile.objects.filter(user=ada).exists()


def test_saving_a_profile_makes_the_row_with_the_cleaned_fields():
    ada = UserFactory(username="ada")
    update(
        ada,
        display_name="  Ada Lovelace\u202e ",
        time_zone="Europe/London",
        status_emoji="🌴",
        status_text=" On holiday ",
    )
    row = Profile.objects.get(user=ada)
    assert (row.display_name, row.time_zone, row.status_emoji, row.status_text) == (
        "Ada Lovelace",
        "Europe/London",
        "🌴",
        "On holiday",
    )
    assert shown_name(ada) == "Ada Lovelace"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"display_name": "x" * 81}, "at most 80"),
        ({"display_name": "Ada\x07"}, "control"),
        ({"display_name": "Ad\u200ba"}, "control"),
        ({"display_name": "\u3164"}, "show something"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time zone"),
        ({"status_emoji": "🌴🌴"}, "one emoji"),
        ({"status_emoji": "ab"}, "one emoji"),
        ({"status_text": "x" * 101}, "at most 100"),
        ({"status_text": "hi\x00"}, "control"),
    ],
)
def test_a_bad_field_is_refused_and_nothing_is_saved(changes, words):
    ada = UserFactory(username="ada")
    update(ada, display_name="Ada")
    with pytest.raises(InvalidInput, match=words):
        update(ada, **changes)
    assert Profile.objects.get(user=ada).display_name == "Ada"


@pytest.mark.parametrize("name", ["bob", "BOB", "b\u043eb", "\uff22\uff4f\uff42"])
def test_a_display_name_that_reads_as_another_username_is_refused(name):
    UserFactory(username="bob")
    ada = UserFactory(username="ada")
    with pytest.raises(InvalidInput, match="another person"):
        update(ada, display_name=name)


def test_a_display_name_may_be_ones_own_username_in_other_case():
    ada = UserFactory(username="ada")
    assert update(ada, display_name="ADA").display_name == "ADA"


def test_emptying_the_display_name_shows_the_username_again():
    ada = UserFactory(username="ada")
    update(ada, display_name="Ada L.")
    update(ada, display_name="   ")
    assert shown_name(ada) == "ada"
