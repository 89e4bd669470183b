"""Usernames that read as someone else's are refused (parley/accounts/usernames.py), on the
sign-up page and in the admin; and a message made only of invisible characters is blank."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass-123"
CYRILLIC_A = "\u0430"
CYRILLIC_COCO = "\u0441\u043e\u0441\u043e"  # "coco" in Cyrillic letters


def sign_up(username: str):
    return Client().post(
        "/accounts/signup/",
        {"username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


def refused(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors["username"]


@pytest.mark.parametrize(
    "lookalike",
    [
        CYRILLIC_A + "lice",  # a Cyrillic a among Latin letters
        "\uff41\uff4c\uff49\uff43\uff45",  # full-width
        "\U0001d41a\U0001d425\U0001d422\U0001d41c\U0001d41e",  # mathematical bold
        "Alice",  # another case
        "a1ice",  # a digit one for an l
        "al\u0131ce",  # a dotless i
    ],
)
def test_a_username_that_looks_like_an_existing_one_is_refused_at_sign_up(lookalike):
    UserFactory(username="alice")

    errors = refused(sign_up(lookalike))

    assert errors
    assert get_user_model().objects.count() == 1


def test_a_whole_script_lookalike_is_refused_in_either_order():
    UserFactory(username="coco")
    assert refused(sign_up(CYRILLIC_COCO))
    get_user_model().objects.all().delete()
    UserFactory(username=CYRILLIC_COCO)
    assert refused(sign_up("coco"))


def test_mixed_scripts_are_refused_even_without_an_existing_lookalike():
    errors = refused(sign_up("b" + CYRILLIC_A + "rt"))
    assert "one alphabet" in errors[0]


@pytest.mark.parametrize(
    "username",
    ["bob", "bob.smith+team@x", "\u0431\u043e\u0440\u0438\u0441", "\u674e\u534e", "\u00e9lise"],
)
def test_ordinary_names_of_any_one_script_are_welcome(username):
    UserFactory(username="alice")
    response = sign_up(username)
    assert response.status_code == 302
    assert get_user_model().objects.filter(username=username).exists()


def test_the_admin_refuses_a_lookalike_when_adding_or_renaming():
    UserFactory(username="alice")
    bob = UserFactory(username="bob")
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    added = admin.post(
        "/admin/auth/user/add/",
        {"username": CYRILLIC_A + "lice", "password1": PASSWORD, "password2": PASSWORD,
         "usable_password": "true"},
    )  # fmt: skip
    renamed = admin.post(
        f"/admin/auth/user/{bob.pk}/change/",
        {"username": "ALICE", "is_active": "on", "date_joined_0": "2026-01-01",
         "date_joined_1": "00:00:00"},
    )  # fmt: skip
    kept = admin.post(
        f"/admin/auth/user/{bob.pk}/change/",
        {"username": "bob", "first_name": "Bob", "is_active": "on",
         "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"},
    )  # fmt: skip

    assert added.status_code == 200 and added.context["adminform"].form.errors["username"]
    assert renamed.status_code == 200 and renamed.context["adminform"].form.errors["username"]
    assert kept.status_code == 302  # a user's own name does not count against them
    bob.refresh_from_db()
    assert (bob.username, bob.first_name) == ("bob", "Bob")
    assert get_user_model().objects.count() == 3
