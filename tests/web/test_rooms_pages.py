"""Issue 18, rooms: the new-room form, "Add people" and the home page's two lists, through the
real app (Django's test client), as a user meets them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from parley.rooms import selectors, services
from parley.rooms.models import Item, Membership, Room
from parley.rooms.services.rooms import ROOM_NAME_MAX, ROOM_TOPIC_MAX
from tests.factories import UserFactory, make_room
from tests.web.test_pages import assert_no_inline_code, tags_of

pytestmark = pytest.mark.django_db


def attrs_of(html: str, tag: str, **match: str) -> dict[str, str | None]:
    """The attributes of the one `tag` whose attributes include `match`."""
    found = [
        attrs
        for name, attrs in tags_of(html)
        if name == tag and all(attrs.get(k) == v for k, v in match.items())
    ]
    assert len(found) == 1, (tag, match, found)
    return found[0]


def create(client, **fields):
    return client.post("/rooms/new/", {"visibility": "public", **fields})


# -- the new-room form -----------------------------------------------------------------------


def test_new_room_form_limits_the_name_in_the_browser_to_the_servers_limit(ada_client):
    html = ada_client.get("/rooms/new/").text

    assert attrs_of(html, "input", name="name")["maxlength"] == str(ROOM_NAME_MAX) == "80"
    assert attrs_of(html, "input", name="slug")["maxlength"] == "50"
    assert attrs_of(html, "input", name="topic")["maxlength"] == str(ROOM_TOPIC_MAX)
    # The address is filled from the name by the page's script, not inline code.
    assert "/static/parley/js/room_new.js" in html
    assert_no_inline_code(html)


def test_new_room_form_refuses_a_posted_name_over_the_limit_with_a_form_error(ada_client):
    page = create(ada_client, name="n" * (ROOM_NAME_MAX + 1), slug="long")

    assert page.status_code == 200
    assert re.search(r'class="errorlist[^"]*".*at most 80 characters', page.text, re.S)
    assert attrs_of(page.text, "input", name="name").get("aria-invalid") == "true"
    assert not Room.objects.filter(slug="long").exists()


def test_new_room_form_takes_a_name_of_exactly_the_limit(ada_client):
    response = create(ada_client, name="n" * ROOM_NAME_MAX, slug="just-fits")
    assert response.status_code == 302
    assert Room.objects.get(slug="just-fits").name == "n" * ROOM_NAME_MAX


def test_new_room_form_explains_public_and_private_in_one_line_each(ada_client):
    html = ada_client.get("/rooms/new/").text

    radios = [
        attrs for tag, attrs in tags_of(html) if tag == "input" and attrs.get("type") == "radio"
    ]
    assert [r["value"] for r in radios] == ["public", "private"]
    assert ["checked" in r for r in radios] == [True, False]  # public unless chosen
    helps = re.findall(r'<span class="choice-list__help">([^<]+)</span>', html)
    assert helps == [
        "Anyone on this server can find it, read it and join.",
        "Only the people you add can find it or read it.",
    ]
    assert "<legend>Who can see it</legend>" in html


def test_new_room_keeps_its_topic_and_shows_it_on_home(ada_client, ada, bob):
    create(ada_client, name="Design", slug="design", topic="  Mockups and critiques  ")

    assert Room.objects.get(slug="design").topic == "Mockups and critiques"
    bob_client = ada_client.__class__()
    bob_client.force_login(bob)
    home = bob_client.get("/").text
    assert '<p class="room-card__topic">Mockups and critiques</p>' in home


@pytest.mark.parametrize(
    "topic",
    [
        pytest.param("t" * (ROOM_TOPIC_MAX + 1), id="over-250"),
        pytest.param("two\nlines", id="newline"),
    ],
)
def test_new_room_form_refuses_a_bad_topic(ada_client, topic):
    page = create(ada_client, name="Room", slug="room", topic=topic)

    assert page.status_code == 200
    assert 'class="errorlist' in page.text
    assert not Room.objects.filter(slug="room").exists()


def test_a_taken_address_is_an_error_of_the_address_field(ada_client, bob):
    make_room(bob, slug="taken")
    page = create(ada_client, name="Mine", slug="taken")
    assert "That slug is taken." in page.text
    assert attrs_of(page.text, "input", name="slug").get("aria-invalid") == "true"


def test_a_public_room_opens_at_once(ada_client):
    response = create(ada_client, name="Open", slug="open")
    assert response["Location"] == "/rooms/open/"


def test_a_private_room_goes_to_add_people_with_a_skip_link(ada_client):
    response = create(ada_client, name="Hush", slug="hush", visibility="private")

    assert response.status_code == 302 and response["Location"] == "/rooms/hush/people/"
    page = ada_client.get(response["Location"])
    assert page.status_code == 200
    assert "<h1>Add people to Hush</h1>" in page.text
    assert re.search(r'<a href="/rooms/hush/">Skip</a>', page.text)
    assert_no_inline_code(page.text)


# -- Add people ------------------------------------------------------------------------------


@pytest.fixture
def hush(ada):
    return make_room(ada, slug="hush", name="Hush", visibility="private")


def test_add_people_searches_by_name_and_marks_members(ada_client, hush, bob):
    UserFactory(username="bobby")
    UserFactory(username="carol")
    UserFactory(username="rob")
    services.members_add(actor=hush.owner, room=hush, usernames=["rob"])

    html = ada_client.get("/rooms/hush/people/?q=ob").text

    listed = re.findall(r'data-person="([^"]+)"', html)
    assert listed == ["bob", "bobby", "rob"]  # names starting with the search first
    boxes = {a["value"] for t, a in tags_of(html) if t == "input" and a.get("name") == "users"}
    assert boxes == {"bob", "bobby"}  # rob is in already: no box to post
    assert 'rob</span> <span class="muted">already a member</span>' in html
    assert "carol" not in html


def test_add_people_adds_several_at_once_and_opens_the_room(ada_client, ada, hush, bob):
    carol = UserFactory(username="carol")

    response = ada_client.post("/rooms/hush/people/", {"users": ["bob", "carol"]})

    assert response.status_code == 302 and response["Location"] == "/rooms/hush/"
    assert set(Membership.objects.filter(room=hush).values_list("user__username", flat=True)) == {
        "ada",
        "bob",
        "carol",
    }
    # Each is a join event of the timeline, in order, after the owner's (seq 1).
    joins = Item.objects.filter(room=hush, kind="join").order_by("seq")
    assert [(i.seq, i.user) for i in joins] == [(1, ada), (2, bob), (3, carol)]
    room_page = ada_client.get(response["Location"])
    assert "Added bob, carol to Hush." in room_page.text
    # Bob can open the private room now.
    bob_client = ada_client.__class__()
    bob_client.force_login(bob)
    assert bob_client.get("/rooms/hush/").status_code == 200


def test_add_people_refuses_all_when_one_is_unknown(ada_client, hush, bob):
    page = ada_client.post("/rooms/hush/people/", {"users": ["bob", "nobody-here"]})

    assert page.status_code == 200
    assert "No user named nobody-here." in page.text
    assert Membership.objects.filter(room=hush).count() == 1
    # What was ticked stays ticked.
    assert "checked" in attrs_of(page.text, "input", value="bob")


def test_add_people_with_no_one_ticked_says_so(ada_client, hush):
    page = ada_client.post("/rooms/hush/people/", {})
    assert "Choose at least one person." in page.text
    assert Item.objects.filter(room=hush).count() == 1


def test_adding_someone_already_in_the_room_changes_nothing(ada_client, ada, hush, bob):
    services.members_add(actor=ada, room=hush, usernames=["bob"])
    before = Item.objects.filter(room=hush).count()

    response = ada_client.post("/rooms/hush/people/", {"users": ["bob"]})

    assert response.status_code == 302
    assert Item.objects.filter(room=hush).count() == before


def test_add_people_is_the_owners_page(client, ada, bob, hush):
    services.members_add(actor=ada, room=hush, usernames=["bob"])
    client.force_login(bob)

    assert client.get("/rooms/hush/people/").status_code == 403
    assert client.post("/rooms/hush/people/", {"users": ["bob"]}).status_code == 403
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get("/rooms/hush/people/").status_code == 404  # a private room it cannot see
    assert client.post("/rooms/hush/people/", {"users": [outsider.username]}).status_code == 404
    assert not Membership.objects.filter(room=hush, user=outsider).exists()


def test_add_people_counts_each_person_against_the_membership_limit(ada_client, hush, rate_limits):
    rate_limits.configure(membership="2,1/m")
    for name in ("bob", "carol", "dave"):
        UserFactory(username=name)

    page = ada_client.post("/rooms/hush/people/", {"users": ["bob", "carol", "dave"]})

    assert page.status_code == 429
    assert Membership.objects.filter(room=hush).count() == 1  # no one half-added


def test_direct_rooms_have_no_add_people_page(ada_client, ada, bob):
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room
    assert ada_client.get(f"/rooms/{direct.slug}/people/").status_code == 403


# -- the topic in settings -------------------------------------------------------------------


def test_owner_sets_and_clears_the_topic_in_settings(ada_client, hush):
    response = ada_client.post(
        "/rooms/hush/settings/", {"action": "topic", "topic": "Launch planning"}
    )
    assert response.status_code == 302
    hush.refresh_from_db()
    assert hush.topic == "Launch planning"
    assert 'value="Launch planning"' in ada_client.get("/rooms/hush/settings/").text

    ada_client.post("/rooms/hush/settings/", {"action": "topic", "topic": ""})
    hush.refresh_from_db()
    assert hush.topic == ""


def test_settings_refuse_an_overlong_topic(ada_client, hush):
    page = ada_client.post(
        "/rooms/hush/settings/", {"action": "topic", "topic": "t" * (ROOM_TOPIC_MAX + 1)}
    )
    assert page.status_code == 200 and 'class="errorlist' in page.text
    hush.refresh_from_db()
    assert hush.topic == ""


def test_only_the_owner_sets_the_topic(client, ada, bob, hush):
    room = make_room(ada, slug="open-room")
    services.room_join(user=bob, room=room)
    client.force_login(bob)
    assert (
        client.post("/rooms/open-room/settings/", {"action": "topic", "topic": "x"}).status_code
        == 403
    )
    room.refresh_from_db()
    assert room.topic == ""


# -- the home page ---------------------------------------------------------------------------


def section_rooms(html: str, section_id: str) -> list[str]:
    match = re.search(rf'<ul class="room-list" id="{section_id}">(.*?)</ul>', html, re.S)
    return re.findall(r'<li class="room-card" data-room="([^"]+)"', match.group(1)) if match else []


def test_home_splits_your_rooms_from_rooms_to_browse(ada_client, ada, bob):
    make_room(ada, slug="mine")
    joined = make_room(bob, slug="joined")
    services.room_join(user=ada, room=joined)
    make_room(bob, slug="other", name="Other")
    make_room(bob, slug="secret", visibility="private")

    html = ada_client.get("/").text

    assert '<h2 id="your-rooms-heading">Your rooms</h2>' in html
    assert '<h2 id="browse-heading">Browse rooms</h2>' in html
    assert set(section_rooms(html, "your-rooms")) == {"mine", "joined"}
    assert section_rooms(html, "browse-rooms") == ["other"]
    assert "secret" not in html


def test_your_rooms_puts_unread_first_then_the_latest_activity(ada_client, ada, bob):
    now = timezone.now()
    rooms = {slug: make_room(ada, slug=slug) for slug in ("quiet", "busy", "unread-old")}
    for room in rooms.values():
        services.room_join(user=bob, room=room)
    services.message_post(user=bob, room_slug="busy", body="hi", client_id="c1")
    rooms["busy"].refresh_from_db()
    services.read_pointer_move(user=ada, room=rooms["busy"], seq=rooms["busy"].last_seq)
    services.message_post(user=bob, room_slug="unread-old", body="hey", client_id="c2")
    # Ages: busy was active a minute ago, unread-old an hour ago, quiet a day ago.
    for slug, age in (("busy", 1), ("unread-old", 60), ("quiet", 24 * 60)):
        Item.objects.filter(room__slug=slug).update(created_at=now - timedelta(minutes=age))

    html = ada_client.get("/").text

    assert section_rooms(html, "your-rooms") == ["unread-old", "busy", "quiet"]
    busy = Item.objects.filter(room__slug="busy").latest("seq").created_at
    assert f'<time datetime="{timezone.localtime(busy).isoformat()}" data-activity>' in html


def test_browse_rooms_show_topic_and_member_count_and_a_join_button(ada_client, bob):
    room = services.room_create(
        owner=bob, name="Gardening", slug="garden", visibility="public", topic="Seeds & soil"
    )
    services.room_join(user=UserFactory(), room=room)

    html = ada_client.get("/").text

    card = html[html.index('data-room="garden"') :]
    card = card[: card.index("</li>")]
    assert "Seeds &amp; soil" in card
    assert re.search(r"data-member-count>2</span> <span data-member-word>members<", card)
    assert re.search(r'<form method="post" action="/rooms/garden/join/" data-action="join">', card)
    assert "data-activity" not in card  # activity times are for your rooms


def test_an_empty_server_says_what_to_do_first_with_one_primary_button(ada_client):
    html = ada_client.get("/").text

    assert "There are no rooms yet." in html
    assert "Your rooms" not in html and "Browse rooms" not in html
    primary = [
        a for t, a in tags_of(html) if t == "a" and (a.get("class") or "").split() == ["button"]
    ]
    assert [(a["href"]) for a in primary] == ["/rooms/new/"]
    assert re.search(r'<a class="button" href="/rooms/new/">Create a room</a>', html)


def test_home_with_rooms_to_browse_but_none_joined_says_so(ada_client, bob):
    make_room(bob, slug="theirs")
    html = ada_client.get("/").text
    assert "You are not in any room yet." in html
    assert section_rooms(html, "browse-rooms") == ["theirs"]


def test_home_lists_rooms_in_a_fixed_number_of_queries(ada, bob, django_assert_num_queries):
    def count_queries(n: int) -> int:
        for i in range(n):
            room = make_room(bob, slug=f"r{n}-{i}")
            services.room_join(user=ada, room=room)
            services.message_post(user=bob, room_slug=room.slug, body="x", client_id=f"{n}-{i}")
        with django_assert_num_queries(1) as captured:
            split = selectors.home_rooms(selectors.home_room_list(ada))
        assert all(room.last_activity for room in split.yours)
        return len(captured.captured_queries)

    assert count_queries(2) == count_queries(6) == 1


def test_home_page_queries_do_not_grow_with_rooms(
    ada_client, ada, bob, django_assert_max_num_queries
):
    for i in range(8):
        room = make_room(bob, slug=f"many-{i}", name=f"Many {i}")
        if i % 2:
            services.room_join(user=ada, room=room)
    with django_assert_max_num_queries(6):
        assert ada_client.get("/").status_code == 200


# -- big rooms -------------------------------------------------------------------------------


def test_a_big_rooms_page_lists_the_first_members_and_counts_them_all(ada_client, ada, settings):
    settings.PARLEY = {**settings.PARLEY, "BIG_ROOM_MEMBERS": 3, "MEMBERS_PAGE": 2}
    room = make_room(ada, slug="town")
    for name in ("bob", "carol", "dan"):
        services.room_join(user=UserFactory(username=name), room=room)
    html = ada_client.get("/rooms/town/").text
    listed = re.findall(r'<li[^>]*data-username="([^"]+)"', html)
    assert listed == ["ada", "bob"]
    assert '<span id="member-count">4</span>' in html


def test_a_room_not_big_lists_every_member(ada_client, ada, settings):
    settings.PARLEY = {**settings.PARLEY, "BIG_ROOM_MEMBERS": 3}
    room = make_room(ada, slug="town")
    for name in ("bob", "carol"):
        services.room_join(user=UserFactory(username=name), room=room)
    html = ada_client.get("/rooms/town/").text
    assert re.findall(r'<li[^>]*data-username="([^"]+)"', html) == ["ada", "bob", "carol"]
    assert '<span id="member-count">3</span>' in html
