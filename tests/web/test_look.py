"""The look of issue 18 as the HTML shows it: a favicon on every page (the admin's too), labels
without a trailing colon, and the error pages' branding."""

import re

import pytest

from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

FAVICON = re.compile(
    r'<link rel="icon" href="/static/parley/img/favicon\.svg" type="image/svg\+xml">'
)


def test_every_page_has_the_favicon(client):
    anonymous = ["/accounts/login/", "/accounts/signup/", "/admin/login/", "/rooms/x/nowhere/"]
    for url in anonymous:
        assert FAVICON.search(client.get(url).text), url
    ada = UserFactory(username="ada", is_staff=True, is_superuser=True)
    client.force_login(ada)
    make_room(ada, slug="lobby")
    for url in ["/", "/rooms/lobby/", "/rooms/new/", "/accounts/password_change/", "/admin/"]:
        assert FAVICON.search(client.get(url).text), url


def test_the_admin_is_named_parley(client):
    html = client.get("/admin/login/").text
    assert "Parley administration" in html
    assert "<title>Log in | Parley admin</title>" in html


def test_account_forms_label_their_fields_without_a_colon(client):
    for url in ["/accounts/login/", "/accounts/signup/"]:
        labels = re.findall(r"<label[^>]*>([^<]*)</label>", client.get(url).text)
        assert labels and all(not label.strip().endswith(":") for label in labels), labels
    client.force_login(UserFactory(username="ada"))
    labels = re.findall(
        r"<label[^>]*>([^<]*)</label>", client.get("/accounts/password_change/").text
    )
    assert "Old password" in labels and not [label for label in labels if label.endswith(":")]


def test_the_room_header_holds_its_menu_and_keeps_the_ids_the_client_uses(client):
    ada = UserFactory(username="ada")
    client.force_login(ada)
    make_room(ada, slug="lobby")
    html = client.get("/rooms/lobby/").text
    header = re.search(r'<header class="room__header">.*?</header>', html, re.DOTALL).group(0)
    for needle in [
        'id="sidebar-toggle"',
        'aria-haspopup="menu"',
        'id="notify-options"',
        'id="notify-label"',
        'id="notify-error"',
        'id="leave-form"',
        "data-conn",
        'role="menuitem"',
    ]:
        assert needle in header, needle


def test_the_room_header_shows_the_topic_on_one_line_with_the_whole_text_in_its_title(client):
    ada = UserFactory(username="ada")
    client.force_login(ada)
    room = make_room(ada, slug="lobby")
    room.topic = "Deploys, incidents & the on-call rota"
    room.save()
    html = client.get("/rooms/lobby/").text
    topic = "Deploys, incidents &amp; the on-call rota"
    assert f'<span class="room__topic" title="{topic}">{topic}</span>' in html
