"""The pages as a user sees them: what is listed, what is refused, what is escaped."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from parley.rooms import services
from parley.rooms.models import Item, Membership, Room
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


class _Tags(HTMLParser):
    def __init__(self, *, templates: bool) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.templates = templates
        self.template_depth = 0

    def handle_starttag(self, tag, attrs):
        if self.templates or not self.template_depth:
            self.tags.append((tag, dict(attrs)))
        if tag == "template":
            self.template_depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.templates or not self.template_depth:
            self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth = max(0, self.template_depth - 1)


def tags_of(html: str, *, templates: bool = True) -> list[tuple[str, dict[str, str | None]]]:
    """The page's start tags in order; without `templates`, none inside a <template> (the empty
    rows the client clones, parley/_item_templates.html): only what the page shows."""
    parser = _Tags(templates=templates)
    parser.feed(html)
    return parser.tags


def assert_no_inline_code(html: str) -> None:
    """Every script is a file or JSON data; no element has an inline event handler."""
    tags = tags_of(html)
    scripts = [attrs for tag, attrs in tags if tag == "script"]
    assert len(scripts) == html.lower().count("<script")
    for attrs in scripts:
        assert attrs.get("src") or attrs.get("type") == "application/json", attrs
        if attrs.get("src"):
            assert attrs.get("type") == "module"
            assert attrs["src"].startswith("/static/")
    for tag, attrs in tags:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, (tag, handlers)
        for name in ("href", "src", "action"):
            assert not (attrs.get(name) or "").lower().startswith("javascript:"), (tag, attrs)


def assert_nothing_from_other_hosts(html: str) -> None:
    for tag, attrs in tags_of(html):
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            if tag in {"script", "link", "img"}:
                assert not re.match(r"^(https?:)?//", value), (tag, value)


def json_script(html: str, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def post_message(user, room, body, client_id=None):
    return services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=client_id or f"c-{body[:40]}"
    ).item


# -- home ------------------------------------------------------------------------------------


def test_home_lists_public_rooms_and_own_private_rooms_only(ada_client, ada, bob):
    make_room(bob, slug="bobs-public", name="Bob's public")
    make_room(bob, slug="bobs-secret", name="Bob's secret", visibility="private")
    make_room(ada, slug="adas-secret", name="Ada's secret", visibility="private")
    make_room(UserFactory(is_staff=True), slug="staff-den", name="Staff den", staff_only=True)

    page = ada_client.get("/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "/rooms/bobs-public/" in html
    assert "/rooms/adas-secret/" in html
    assert "bobs-secret" not in html and "Bob&#x27;s secret" not in html
    assert "staff-den" not in html and "Staff den" not in html


def test_staff_see_staff_only_rooms_on_home(client):
    staff = UserFactory(is_staff=True)
    make_room(staff, slug="staff-den", name="Staff den", staff_only=True)
    client.force_login(staff)

    html = client.get("/").content.decode()

    assert "/rooms/staff-den/" in html
    assert "Staff only" in html


def test_home_offers_join_or_leave_by_membership_with_member_counts(ada_client, ada, bob):
    make_room(ada, slug="mine")
    make_room(bob, slug="theirs")

    page = ada_client.get("/")

    cards = {}
    for tag, attrs in tags_of(page.content.decode()):
        if tag == "li" and attrs.get("data-room"):
            current = cards[attrs["data-room"]] = {"card": attrs, "forms": {}}
        elif tag == "form" and attrs.get("data-action"):
            current["forms"][attrs["data-action"]] = attrs
    assert cards["mine"]["card"]["data-member"] == "true"
    assert "hidden" in cards["mine"]["forms"]["join"]
    assert "hidden" not in cards["mine"]["forms"]["leave"]
    assert cards["theirs"]["card"]["data-member"] == "false"
    assert "hidden" not in cards["theirs"]["forms"]["join"]
    assert cards["theirs"]["forms"]["join"]["action"] == "/rooms/theirs/join/"
    assert cards["theirs"]["forms"]["join"]["method"] == "post"
    assert cards["mine"]["forms"]["leave"]["action"] == "/rooms/mine/leave/"
    assert 'href="/rooms/new/"' in page.content.decode()
    assert re.search(r"data-member-count>1</span> <span data-member-word>member<", page.text)


def test_home_with_no_rooms_invites_to_create_one(ada_client):
    page = ada_client.get("/")
    assert "There are no rooms yet." in page.text
    assert 'href="/rooms/new/"' in page.text


def test_join_form_without_javascript_joins_and_opens_the_room(ada_client, ada, bob):
    room = make_room(bob, slug="theirs")

    response = ada_client.post("/rooms/theirs/join/")

    assert response.status_code == 302 and response["Location"] == "/rooms/theirs/"
    assert Membership.objects.filter(room=room, user=ada).exists()
    assert Item.objects.filter(room=room, kind="join", user=ada, seq=2).exists()


def test_leave_form_without_javascript_leaves_and_goes_home(ada_client, ada, bob):
    room = make_room(bob, slug="theirs")
    services.room_join(user=ada, room=room)

    response = ada_client.post("/rooms/theirs/leave/")

    assert response.status_code == 302 and response["Location"] == "/"
    assert not Membership.objects.filter(room=room, user=ada).exists()
    assert Item.objects.filter(room=room, kind="leave", user=ada).exists()


def test_join_form_cannot_reach_a_private_room_of_others(ada_client, bob):
    room = make_room(bob, slug="secret", visibility="private")

    assert ada_client.post("/rooms/secret/join/").status_code == 404
    assert ada_client.get("/rooms/secret/join/").status_code == 405
    assert Membership.objects.filter(room=room).count() == 1


# -- creating rooms --------------------------------------------------------------------------


def test_create_room_form_creates_the_room_and_opens_it(ada_client, ada):
    page = ada_client.get("/rooms/new/")
    assert page.status_code == 200
    for field in ('name="name"', 'name="slug"', 'name="visibility"', "csrfmiddlewaretoken"):
        assert field in page.text

    response = ada_client.post(
        "/rooms/new/", {"name": "Team Room", "slug": "team-room", "visibility": "private"}
    )

    # A private room nobody else can find: its "Add people" page comes first.
    assert response.status_code == 302 and response["Location"] == "/rooms/team-room/people/"
    room = Room.objects.get(slug="team-room")
    assert (room.name, room.visibility, room.owner) == ("Team Room", "private", ada)
    assert Membership.objects.filter(room=room, user=ada).exists()
    assert ada_client.get("/rooms/team-room/").status_code == 200


@pytest.mark.parametrize(
    ("name", "slug", "visibility"),
    [
        pytest.param("Room", "Bad Slug!", "public", id="bad-slug"),
        pytest.param("Room", "-dash-first", "public", id="slug-dash-first"),
        pytest.param("Room", "taken", "public", id="duplicate-slug"),
        pytest.param("Room", "a" * 51, "public", id="overlong-slug"),
        pytest.param("", "empty-name", "public", id="empty-name"),
        pytest.param("   ", "blank-name", "public", id="blank-name"),
        pytest.param("x" * 10_000, "huge-name", "public", id="10k-name"),
        pytest.param("x" * 81, "long-name", "public", id="name-over-80"),
        pytest.param("Room", "bad-visibility", "secret", id="bad-visibility"),
    ],
)
def test_create_room_form_refuses_bad_input_and_stores_nothing(
    ada_client, bob, name, slug, visibility
):
    make_room(bob, slug="taken")
    rooms_before = Room.objects.count()
    items_before = Item.objects.count()

    page = ada_client.post("/rooms/new/", {"name": name, "slug": slug, "visibility": visibility})

    assert page.status_code == 200
    assert 'class="errorlist' in page.text
    assert Room.objects.count() == rooms_before
    assert Item.objects.count() == items_before
    assert_no_inline_code(page.text)


def test_create_room_form_explains_a_taken_slug(ada_client, bob):
    make_room(bob, slug="taken")
    page = ada_client.post("/rooms/new/", {"name": "Mine", "slug": "taken", "visibility": "public"})
    assert "That slug is taken." in page.text


# -- the room page ---------------------------------------------------------------------------


def test_room_page_is_404_for_unknown_and_for_others_private_rooms(ada_client, bob):
    make_room(bob, slug="secret", visibility="private")
    make_room(UserFactory(is_staff=True), slug="staff-den", staff_only=True)

    assert ada_client.get("/rooms/secret/").status_code == 404
    assert ada_client.get("/rooms/no-such-room/").status_code == 404
    assert ada_client.get("/rooms/NOT_A_SLUG/").status_code == 404
    assert ada_client.get("/rooms/staff-den/").status_code == 404


def test_room_page_shows_the_latest_items_and_a_message_box(ada_client, ada):
    room = make_room(ada, slug="busy")
    for n in range(1, 61):
        post_message(ada, room, f"message number {n}")

    page = ada_client.get("/rooms/busy/")

    assert page.status_code == 200
    html = page.text
    seqs = [int(s) for s in re.findall(r'data-seq="(\d+)"', html)]
    assert len(seqs) >= 50
    assert seqs == sorted(seqs) and seqs[-1] == 61
    assert "message number 60" in html
    assert re.search(r"<textarea[^>]*\bname=\"body\"", html)
    assert 'id="composer"' in html
    data = json_script(html, "room-data")
    assert data["slug"] == "busy" and data["lastSeq"] == 61 and data["username"] == "ada"
    items = json_script(html, "initial-items")
    assert [item["seq"] for item in items] == seqs
    assert items[-1]["body"] == "message number 60"
    assert items[-1]["author"] == {"username": "ada"}


def test_room_page_shows_messages_and_membership_events_with_authors_and_times(
    ada_client, ada, bob
):
    room = make_room(ada, slug="talk")
    services.room_join(user=bob, room=room)
    post_message(bob, room, "hello from bob")
    services.room_leave(user=bob, room=room)

    html = ada_client.get("/rooms/talk/").text

    assert re.search(r'data-seq="1".*ada.*joined the room', html, re.S)
    assert re.search(r'data-seq="3".*bob.*hello from bob', html, re.S)
    assert re.search(r'data-seq="4".*bob.*left the room', html, re.S)
    assert html.count("<time") >= 4
    assert re.search(r'<time class="item__time" datetime="\d{4}-\d\d-\d\dT', html)


def test_room_page_escapes_message_markup(ada_client, ada):
    room = make_room(ada, slug="xss")
    post_message(ada, room, "<script>alert(1)</script>", client_id="a")
    post_message(ada, room, "<img src=x onerror=alert(1)>", client_id="b")

    html = ada_client.get("/rooms/xss/").text

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html
    assert_no_inline_code(html)
    # The client gets the same text as data, still text.
    bodies = [item.get("body") for item in json_script(html, "initial-items")]
    assert "<script>alert(1)</script>" in bodies


def test_room_page_escapes_markup_in_room_names(ada_client, ada):
    services.room_create(owner=ada, name="<b>bold</b>", slug="bold", visibility="public")

    html = ada_client.get("/rooms/bold/").text

    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>bold</b>" not in html
    assert json_script(html, "room-data")["name"] == "<b>bold</b>"


def test_room_page_shows_deleted_authors(ada_client, ada, bob):
    room = make_room(ada, slug="ghosts")
    services.room_join(user=bob, room=room)
    post_message(bob, room, "soon gone")
    get_user_model().objects.filter(pk=bob.pk).delete()

    page = ada_client.get("/rooms/ghosts/")

    assert page.status_code == 200
    assert "soon gone" in page.text and "deleted user" in page.text


def test_room_page_offers_join_to_a_reader_who_is_not_a_member(ada_client, bob):
    make_room(bob, slug="open")

    html = ada_client.get("/rooms/open/").text

    form = next(a for t, a in tags_of(html) if t == "form" and a.get("id") == "join-form")
    assert "hidden" not in form and form["action"] == "/rooms/open/join/"
    textarea = next(a for t, a in tags_of(html) if t == "textarea")
    assert "disabled" in textarea
    assert "/rooms/open/settings/" not in html


def test_room_page_links_settings_for_the_owner_only(client, ada, bob):
    room = make_room(ada, slug="owned")
    services.room_join(user=bob, room=room)

    client.force_login(ada)
    assert 'href="/rooms/owned/settings/"' in client.get("/rooms/owned/").text
    client.force_login(bob)
    assert "/rooms/owned/settings/" not in client.get("/rooms/owned/").text


def test_room_page_lists_members_and_shows_connection_state(ada_client, ada, bob):
    room = make_room(ada, slug="crew")
    services.room_join(user=bob, room=room)

    html = ada_client.get("/rooms/crew/").text

    assert 'data-username="ada"' in html and 'data-username="bob"' in html
    assert re.search(r'data-conn data-state="connecting"', html)
    assert 'role="log"' in html


def test_private_room_page_is_open_to_its_members(client, ada, bob):
    room = make_room(ada, slug="inner", visibility="private")
    services.membership_add(actor=ada, room=room, username="bob")
    client.force_login(bob)

    assert client.get("/rooms/inner/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/rooms/new/",
        "/rooms/page-room/",
        "/rooms/page-room/settings/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
    ],
)
def test_pages_have_no_inline_script_and_nothing_from_other_hosts(ada_client, ada, path):
    room = make_room(ada, slug="page-room")
    post_message(ada, room, "hi <b>there</b> https://example.com/x?a=1&b=2")

    page = ada_client.get(path)

    assert page.status_code == 200
    assert_no_inline_code(page.text)
    assert_nothing_from_other_hosts(page.text)
    assert '<meta name="viewport"' in page.text
    assert "/static/parley/css/parley.css" in page.text


# -- room settings ---------------------------------------------------------------------------


def test_owner_adds_and_removes_a_member_in_settings(ada_client, ada, bob):
    room = make_room(ada, slug="club", visibility="private")

    page = ada_client.get("/rooms/club/settings/")
    assert page.status_code == 200
    assert 'name="username"' in page.text

    added = ada_client.post("/rooms/club/settings/", {"username": "bob", "action": "add"})

    assert added.status_code == 302 and added["Location"] == "/rooms/club/settings/"
    assert Membership.objects.filter(room=room, user=bob).exists()
    join = Item.objects.get(room=room, kind="join", user=bob)
    assert join.seq == 2
    listing = ada_client.get("/rooms/club/settings/").text
    assert re.search(r'name="username" value="bob"', listing)

    removed = ada_client.post("/rooms/club/settings/", {"username": "bob", "action": "remove"})

    assert removed.status_code == 302
    assert not Membership.objects.filter(room=room, user=bob).exists()
    leave = Item.objects.get(room=room, kind="leave", user=bob)
    assert leave.seq == 3


def test_adding_an_existing_member_changes_nothing(ada_client, ada, bob):
    room = make_room(ada, slug="club")
    services.room_join(user=bob, room=room)
    items = Item.objects.count()

    ada_client.post("/rooms/club/settings/", {"username": "bob", "action": "add"})

    assert Item.objects.count() == items
    assert Membership.objects.filter(room=room).count() == 2


def test_settings_refuse_an_unknown_username_with_a_form_error(ada_client, ada):
    room = make_room(ada, slug="club")
    items = Item.objects.count()

    page = ada_client.post("/rooms/club/settings/", {"username": "nobody", "action": "add"})

    assert page.status_code == 200
    assert "No user with that username." in page.text
    assert 'class="errorlist' in page.text
    assert Item.objects.count() == items
    assert Membership.objects.filter(room=room).count() == 1


def test_settings_refuse_an_empty_username_with_a_form_error(ada_client, ada):
    make_room(ada, slug="club")
    page = ada_client.post("/rooms/club/settings/", {"username": "", "action": "add"})
    assert page.status_code == 200
    assert "This field is required." in page.text


def test_settings_are_forbidden_to_members_who_do_not_own_the_room(client, ada, bob):
    room = make_room(ada, slug="club")
    services.room_join(user=bob, room=room)
    client.force_login(bob)

    assert client.get("/rooms/club/settings/").status_code == 403
    response = client.post("/rooms/club/settings/", {"username": "ada", "action": "remove"})
    assert response.status_code == 403
    assert Membership.objects.filter(room=room, user=ada).exists()


def test_settings_of_others_private_room_are_not_found(ada_client, bob):
    make_room(bob, slug="secret", visibility="private")
    assert ada_client.get("/rooms/secret/settings/").status_code == 404


# -- plumbing --------------------------------------------------------------------------------


def test_healthz_answers_json_without_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["status"] == "ok"


def test_post_without_csrf_token_is_refused(ada):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)

    response = strict.post("/rooms/new/", {"name": "Sneaky", "slug": "sneaky"})

    assert response.status_code == 403
    assert not Room.objects.filter(slug="sneaky").exists()


def test_settings_post_without_csrf_token_is_refused(ada, bob):
    room = make_room(ada, slug="club")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)

    response = strict.post("/rooms/club/settings/", {"username": "bob", "action": "add"})

    assert response.status_code == 403
    assert not Membership.objects.filter(room=room, user=bob).exists()


def test_static_files_are_served(client):
    for path in (
        "/static/parley/css/parley.css",
        "/static/parley/js/socket.js",
        "/static/parley/js/room.js",
        "/static/parley/js/home.js",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
