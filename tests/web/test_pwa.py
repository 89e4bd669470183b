"""Parley as an installable web app: the service worker at the site's root and the manifest."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from parley.accounts.firstrun import DEFAULT_SITE_NAME
from tests.web.test_pages import tags_of

pytestmark = pytest.mark.django_db


def static_file(url: str) -> str:
    """The file behind a /static/ URL the pages name (hashed names are not used in tests)."""
    path = finders.find(url.removeprefix("/static/"))
    assert path, f"{url} is not a static file"
    return str(path)


def test_the_service_worker_is_served_from_the_root_as_fresh_javascript():
    response = Client().get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    source = response.content.decode()
    for handler in ("push", "notificationclick", "pushsubscriptionchange"):
        assert f'addEventListener("{handler}"' in source


def test_the_icon_the_service_worker_shows_exists():
    source = Client().get("/sw.js").content.decode()

    icon = re.search(r'const ICON = "([^"]+)"', source)

    assert icon
    assert Image.open(static_file(icon.group(1))).size == (192, 192)


def test_the_manifest_names_the_site_and_opens_standalone_at_the_root():
    response = Client().get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == DEFAULT_SITE_NAME
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])


def test_the_manifest_icons_exist_at_the_sizes_it_says():
    manifest = Client().get("/manifest.webmanifest").json()

    purposes = set()
    for icon in manifest["icons"]:
        width, height = (int(n) for n in icon["sizes"].split("x"))
        with Image.open(static_file(icon["src"])) as image:
            assert image.format == "PNG"
            assert image.size == (width, height)
        purposes.add((icon["sizes"], icon["purpose"]))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


def test_the_manifest_follows_the_site_name_set_up():
    from parley.accounts.models import SiteSettings

    SiteSettings.objects.update_or_create(pk=1, defaults={"name": "Acme Chat"})

    assert Client().get("/manifest.webmanifest").json()["name"] == "Acme Chat"


def test_writing_to_the_worker_or_the_manifest_is_refused():
    client = Client()

    assert client.post("/sw.js").status_code == 405
    assert client.post("/manifest.webmanifest").status_code == 405
    # Reading them is GET or HEAD (a cache or a link checker asks HEAD first).
    assert client.head("/sw.js").status_code == 200
    assert client.head("/manifest.webmanifest").status_code == 200


def test_every_page_links_the_manifest_and_the_touch_icon(ada_client):
    html = ada_client.get("/").text

    links = {attrs.get("rel"): attrs for tag, attrs in tags_of(html) if tag == "link"}
    assert links["manifest"]["href"] == "/manifest.webmanifest"
    Image.open(static_file(links["apple-touch-icon"]["href"] or "")).verify()
    badge = re.search(r'data-badge-icon="([^"]+)"', html)
    assert badge
    assert finders.find(badge.group(1).removeprefix("/static/")), "no favicon with the badge"


def test_the_user_menu_offers_notifications_without_asking_on_load(ada_client):
    html = ada_client.get("/").text

    assert "Enable desktop notifications" in html
    scripts = [attrs["src"] for tag, attrs in tags_of(html) if tag == "script" and "src" in attrs]
    assert "/static/parley/js/notify_setup.js" in scripts
