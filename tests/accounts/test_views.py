"""Signing up, in and out, and changing passwords, as a user sees it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import UserFactory
from tests.web.test_pages import assert_no_inline_code

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass-123"
NEW_PASSWORD = "a-n3w-passphrase-456"


def signed_in_username(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    if user_id is None:
        return None
    return get_user_model().objects.get(pk=user_id).username


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_anonymous_room_page_redirects_to_login(client):
    response = client.get("/rooms/general/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/rooms/general/")


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_login_and_signup_pages_are_public(client, path):
    page = client.get(path)

    assert page.status_code == 200
    assert "csrfmiddlewaretoken" in page.text
    assert_no_inline_code(page.text)


def test_signup_creates_the_user_signs_in_and_redirects(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert get_user_model().objects.filter(username="newcomer").exists()
    assert signed_in_username(client) == "newcomer"
    home = client.get("/")
    assert home.status_code == 200
    assert "newcomer" in home.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"username": "newcomer", "password1": PASSWORD, "password2": "different-1234"},
            "didn\u2019t match",
            id="mismatched",
        ),
        pytest.param(
            {"username": "newcomer", "password1": "123", "password2": "123"},
            "too short",
            id="too-short",
        ),
        pytest.param(
            {"username": "", "password1": PASSWORD, "password2": PASSWORD},
            "This field is required.",
            id="no-username",
        ),
    ],
)
def test_refused_signup_shows_the_form_again_with_errors(client, data, message):
    page = client.post("/accounts/signup/", data)

    assert page.status_code == 200
    assert 'class="errorlist' in page.text
    assert message in page.text
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert signed_in_username(client) is None


def test_signup_refuses_a_taken_username(client):
    UserFactory(username="ada")

    page = client.post(
        "/accounts/signup/", {"username": "ada", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert page.status_code == 200
    assert "already exists" in page.text
    assert get_user_model().objects.filter(username="ada").count() == 1


def test_signed_in_user_is_sent_home_from_signup(client):
    client.force_login(UserFactory())
    response = client.get("/accounts/signup/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_login_signs_in_and_follows_next(client):
    UserFactory(username="ada")

    response = client.post(
        "/accounts/login/?next=/rooms/new/",
        {"username": "ada", "password": PASSWORD, "next": "/rooms/new/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/rooms/new/"
    assert signed_in_username(client) == "ada"


def test_login_without_next_goes_home(client):
    UserFactory(username="ada")
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_login_with_a_wrong_password_shows_an_error(client):
    UserFactory(username="ada")

    page = client.post("/accounts/login/", {"username": "ada", "password": "wrong-password"})

    assert page.status_code == 200
    assert "Please enter a correct username and password" in page.text
    assert signed_in_username(client) is None


def test_login_refuses_an_offsite_next(client):
    UserFactory(username="ada")
    response = client.post(
        "/accounts/login/",
        {"username": "ada", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_header_shows_the_user_and_a_logout_form(client):
    client.force_login(UserFactory(username="ada"))

    html = client.get("/").text

    assert "ada" in html
    assert 'href="/accounts/password_change/"' in html
    assert '<form method="post" action="/accounts/logout/"' in html
    assert "Log out" in html
    assert 'href="/rooms/new/"' in html


def test_logout_by_post_signs_out(client):
    client.force_login(UserFactory(username="ada"))

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signed_in_username(client) is None
    assert client.get("/").status_code == 302


def test_logout_by_get_is_refused(client):
    client.force_login(UserFactory(username="ada"))

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert signed_in_username(client) == "ada"


def test_logout_without_csrf_token_is_refused():
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory(username="ada"))

    assert strict.post("/accounts/logout/").status_code == 403
    assert signed_in_username(strict) == "ada"


def test_login_without_csrf_token_is_refused():
    UserFactory(username="ada")
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/accounts/login/", {"username": "ada", "password": PASSWORD})

    assert response.status_code == 403
    assert signed_in_username(strict) is None


def test_password_change_changes_the_password_and_keeps_the_user_signed_in(client):
    user = UserFactory(username="ada")
    client.force_login(user)
    page = client.get("/accounts/password_change/")
    assert page.status_code == 200
    assert 'name="old_password"' in page.text

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/done/"
    assert client.get("/accounts/password_change/done/").status_code == 200
    assert signed_in_username(client) == "ada"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    fresh = Client()
    assert fresh.login(username="ada", password=NEW_PASSWORD)


def test_password_change_refuses_a_wrong_old_password(client):
    user = UserFactory(username="ada")
    client.force_login(user)

    page = client.post(
        "/accounts/password_change/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert page.status_code == 200
    assert "Your old password was entered incorrectly" in page.text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_login(client):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_change_pages_use_the_parley_layout(client):
    client.force_login(UserFactory(username="ada"))

    form = client.get("/accounts/password_change/")
    done = client.get("/accounts/password_change/done/")

    for page in (form, done):
        assert "/static/parley/css/parley.css" in page.text
        assert '<form method="post" action="/accounts/logout/"' in page.text
