"""The room page's sidebar, unread badges, the upload control and attachments, as rendered."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parley.rooms import services
from parley.rooms.models import Membership
from tests.factories import UserFactory, make_room
from tests.web.test_pages import assert_no_inline_code, json_script, post_message, tags_of

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NASTY_NAME = '"><img src=x onerror=alert(1)>.png'


def join(user, room):
    services.room_join_by_slug(user=user, slug=room.slug)


def read_up_to(user, room, seq):
    Membership.objects.filter(user=user, room=room).update(last_read_seq=seq)


def section(html: str, start: str, end: str) -> str:
    """The HTML from the first `start` to the next `end` after it."""
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def sidebar_rows(html: str) -> dict[str, dict]:
    """Sidebar rows by slug: their attributes, link attributes and unread badge."""
    nav = section(html, '<nav id="sidebar"', "</nav>")
    rows: dict[str, dict] = {}
    current = None
    for tag, attrs in tags_of(nav):
        if tag == "li" and attrs.get("data-unread-room"):
            current = rows[attrs["data-unread-room"]] = {"row": attrs}
        elif current is not None and tag == "a" and "link" not in current:
            current["link"] = attrs
        elif current is not None and tag == "span" and "data-unread-badge" in attrs:
            current["badge"] = attrs
    for slug, row in rows.items():
        match = re.search(
            rf'data-unread-room="{slug}".*?<span data-unread-count>(\d+)</span>', nav, re.S
        )
        row["count"] = int(match.group(1))
    return rows


def test_the_sidebar_lists_my_rooms_with_unread_counts_from_the_server(ada_client, ada, bob):
    design = make_room(ada, slug="design", name="Design")
    ops = make_room(bob, slug="ops", name="Ops")
    quiet = make_room(bob, slug="quiet", name="Quiet")
    make_room(bob, slug="elsewhere", name="Elsewhere")  # public, but ada is no member
    make_room(bob, slug="secret", name="Secret", visibility="private")
    join(ada, ops)
    join(ada, quiet)
    join(bob, design)
    for n in range(3):
        post_message(bob, ops, f"ops {n}")
    post_message(bob, design, "design news")
    post_message(bob, quiet, "read already")
    read_up_to(ada, quiet, quiet.items.order_by("-seq").first().seq)

    page = ada_client.get("/rooms/design/")

    assert page.status_code == 200
    html = page.content.decode()
    rows = sidebar_rows(html)
    # Only the rooms ada is a member of, in name order; private rooms of others never show.
    assert list(rows) == ["design", "ops", "quiet"]
    assert {slug: row["count"] for slug, row in rows.items()} == {
        "design": 1,
        "ops": 3,
        "quiet": 0,
    }
    assert "hidden" not in rows["ops"]["badge"]
    assert "hidden" in rows["quiet"]["badge"]
    # The open room is highlighted; each row links to its room.
    assert rows["design"]["link"].get("aria-current") == "page"
    assert "is-current" in rows["design"]["row"]["class"]
    assert all("aria-current" not in rows[slug]["link"] for slug in ("ops", "quiet"))
    assert rows["ops"]["link"]["href"] == "/rooms/ops/"
    assert rows["ops"]["row"]["data-member"] == "true"
    assert rows["ops"]["row"]["data-last-seq"] == str(ops.items.count())
    sidebar = {room.slug: room for room in page.context["sidebar_rooms"]}
    assert sidebar["ops"].unread == 3
    # The page's own data carries the pointer and count the "New messages" marker starts from.
    data = json_script(html, "room-data")
    assert data["lastRead"] == 0 and data["unread"] == 1
    assert data["maxUpload"] == 25 * 1024 * 1024
    assert data["uploadUrl"] == "/rooms/design/files/"


def test_a_public_room_read_without_membership_shows_in_the_sidebar_while_open(
    ada_client, ada, bob
):
    lobby = make_room(bob, slug="lobby", name="Lobby")
    post_message(bob, lobby, "hello")
    make_room(ada, slug="mine", name="Mine")

    html = ada_client.get("/rooms/lobby/").content.decode()

    rows = sidebar_rows(html)
    assert list(rows) == ["lobby", "mine"]
    assert rows["lobby"]["row"]["data-member"] == "false"
    assert rows["lobby"]["count"] == 0  # not a member: no pointer, nothing counted
    assert rows["lobby"]["link"].get("aria-current") == "page"
    data = json_script(html, "room-data")
    assert data["isMember"] is False and data["unread"] == 0 and data["lastRead"] == 0

    other = ada_client.get("/rooms/mine/").content.decode()
    assert list(sidebar_rows(other)) == ["mine"]


def test_the_home_page_shows_unread_badges_per_room(ada_client, ada, bob):
    busy = make_room(bob, slug="busy", name="Busy")
    calm = make_room(bob, slug="calm", name="Calm")
    make_room(bob, slug="outside", name="Outside")
    join(ada, busy)
    join(ada, calm)
    for n in range(4):
        post_message(bob, busy, f"busy {n}")
    post_message(bob, calm, "calm 1")
    post_message(bob, calm, "calm 2")
    read_up_to(ada, calm, calm.items.order_by("-seq").first().seq - 1)

    page = ada_client.get("/")

    html = page.content.decode()
    counts, hidden = {}, {}
    current = None
    for tag, attrs in tags_of(html):
        if tag == "li" and attrs.get("data-room"):
            current = attrs["data-room"]
            assert attrs["data-unread-room"] == current
            assert attrs["data-last-seq"].isdigit()
        elif current and tag == "span" and "data-unread-badge" in attrs:
            hidden[current] = "hidden" in attrs
    for slug in ("busy", "calm", "outside"):
        match = re.search(rf'data-room="{slug}".*?<span data-unread-count>(\d+)</span>', html, re.S)
        counts[slug] = int(match.group(1))
    assert counts == {"busy": 4, "calm": 1, "outside": 0}
    assert hidden == {"busy": False, "calm": False, "outside": True}
    assert '<span class="visually-hidden"> unread</span>' in html
    assert json_script(html, "home-data") == {"username": "ada"}
    assert_no_inline_code(html)


def test_the_room_page_has_a_labelled_file_control_and_stays_free_of_inline_code(ada_client, ada):
    make_room(ada, slug="design", name="Design")

    html = ada_client.get("/rooms/design/").content.decode()

    tags = tags_of(html)
    inputs = [attrs for tag, attrs in tags if tag == "input" and attrs.get("type") == "file"]
    assert len(inputs) == 1
    control = inputs[0]
    assert control["name"] == "file" and control["id"] == "id_file"
    assert "disabled" not in control
    labels = [attrs for tag, attrs in tags if tag == "label" and attrs.get("for") == "id_file"]
    assert len(labels) == 1
    label_html = section(html, '<label for="id_file"', "</label>")
    assert "Attach" in label_html
    # The typing line is announced politely; the sidebar toggle names what it controls.
    typing = next(attrs for tag, attrs in tags if attrs.get("id") == "typing")
    assert typing["aria-live"] == "polite"
    toggle = next(attrs for tag, attrs in tags if attrs.get("id") == "sidebar-toggle")
    assert toggle["aria-controls"] == "sidebar" and toggle["aria-expanded"] == "false"
    # CSP: scripts are files or JSON data, no handlers, and no inline style anywhere.
    assert_no_inline_code(html)
    assert not [(tag, attrs) for tag, attrs in tags if "style" in attrs]
    assert "<style" not in html.lower()


def test_the_file_control_is_disabled_for_readers_who_are_not_members(client, bob):
    make_room(bob, slug="lobby")
    client.force_login(UserFactory(username="carol"))

    html = client.get("/rooms/lobby/").content.decode()

    control = next(a for t, a in tags_of(html) if t == "input" and a.get("type") == "file")
    assert "disabled" in control


def test_history_renders_attachments_as_text_with_an_image_preview(client, ada):
    make_room(ada, slug="design")
    client.force_login(ada)
    image = client.post(
        "/rooms/design/files/",
        {"file": SimpleUploadedFile(NASTY_NAME, PNG, "image/png")},
    ).json()["item"]
    notes = client.post(
        "/rooms/design/files/",
        {"file": SimpleUploadedFile("notes.txt", b"plain notes", "text/plain")},
    ).json()["item"]

    html = client.get("/rooms/design/").content.decode()

    images = [
        attrs
        for tag, attrs in tags_of(html, templates=False)
        if tag == "img" and "attachment__image" in (attrs.get("class") or "")
    ]
    assert len(images) == 1
    assert images[0]["src"] == image["attachment"]["url"]
    assert images[0]["alt"] == NASTY_NAME
    assert images[0]["loading"] == "lazy"
    assert "<img src=x" not in html  # the name is text, in attributes and in the link
    # (The image viewer's Download link has no address until an image is open.)
    downloads = [
        attrs
        for tag, attrs in tags_of(html)
        if tag == "a" and "download" in attrs and "href" in attrs
    ]
    assert [a["href"] for a in downloads] == [notes["attachment"]["url"]]
    assert "text/plain" in html and "image/png" in html
    assert_no_inline_code(html)
