"""Error pages look like Parley and offer a way back (issue 15, item 13).

403, 404 and 500 are templates of their own extending the site's look: the stylesheet, the
header, a link home, and nothing inline (the CSP forbids inline scripts and styles).
"""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.templatetags.static import static
from django.test import RequestFactory, override_settings
from django.urls import include, path
from django.views.defaults import server_error

from tests.factories import make_room

pytestmark = pytest.mark.django_db

STYLESHEET = '<link rel="stylesheet" href="/static/parley/css/parley.css">'


def _boom(request):
    raise RuntimeError("a bug in a view")


def _refused(request):
    raise PermissionDenied


# This module is a URLconf too (the 500 test's): the site's URLs plus a view that fails.
urlpatterns = [
    path("boom/", _boom),
    path("refused/", _refused),
    path("", include("config.urls")),
]


def main(html: str) -> str:
    return re.search(r"<main.*</main>", html, re.DOTALL).group(0)


def assert_styled(html: str) -> None:
    """The Parley look and a way home, with no inline script or style."""
    assert STYLESHEET in html
    assert '<header class="site-header">' in html
    assert re.search(r'<a class="button" href="/">[^<]+</a>', html), "no link home"
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script"
    assert "<style" not in html and " style=" not in html


def test_unknown_room_is_a_styled_404_for_a_signed_in_user(ada_client, ada):
    response = ada_client.get("/rooms/no-such-room/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.text
    assert_styled(html)
    assert "<h1>Page not found</h1>" in html
    assert '<span class="account__user">ada</span>' in html  # the header knows who is here


def test_others_private_room_is_the_same_404_as_no_room(ada_client, bob):
    make_room(bob, slug="secret", visibility="private")

    hidden = ada_client.get("/rooms/secret/")
    missing = ada_client.get("/rooms/nothing-here/")

    assert hidden.status_code == missing.status_code == 404
    assert main(hidden.text) == main(missing.text)


def test_unknown_address_is_the_styled_404(ada_client):
    response = ada_client.get("/no/such/page/")

    assert response.status_code == 404
    assert_styled(response.text)


def test_room_settings_of_a_room_she_does_not_own_is_a_styled_403(client, ada, bob):
    make_room(bob, slug="club")
    client.force_login(ada)

    for response in (
        client.get("/rooms/club/settings/"),
        client.post("/rooms/club/settings/", {"username": "bob", "action": "remove"}),
    ):
        assert response.status_code == 403
        assert "403.html" in [t.name for t in response.templates]
        assert_styled(response.text)
        assert "<h1>Not allowed</h1>" in response.text
        assert "Only the room&#x27;s owner and moderators can manage its members." in response.text


@override_settings(ROOT_URLCONF=__name__)
def test_a_permission_denied_without_a_message_gets_the_general_explanation(ada_client):
    response = ada_client.get("/refused/")

    assert response.status_code == 403
    assert_styled(response.text)
    assert "You do not have permission to see this page." in response.text


def test_500_page_renders_without_a_request_context():
    # Django's server_error renders 500.html with an empty context: no user, no request.
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert_styled(html)
    assert "<h1>Something went wrong</h1>" in html
    # It names static files without the static tag: the paths must still be STATIC_URL's.
    assert f'<link rel="stylesheet" href="{static("parley/css/parley.css")}">' in html
    assert f'href="{static("parley/img/favicon.svg")}"' in html


@override_settings(ROOT_URLCONF=__name__)
def test_a_failing_view_answers_the_styled_500(client, ada):
    client.raise_request_exception = False
    client.force_login(ada)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert_styled(response.text)
    assert "a bug in a view" not in response.text


def test_a_post_without_its_csrf_token_gets_the_styled_403(ada):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    response = client.post("/rooms/new/", {"name": "Town", "slug": "town", "visibility": "public"})

    assert response.status_code == 403
    assert_styled(response.text)
    assert "<h1>This form has expired</h1>" in response.text
    assert "Nothing was changed" in response.text
