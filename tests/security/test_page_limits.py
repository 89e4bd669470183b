"""Rate limits on the pages: room creation, joining and leaving, an owner managing members.

The same services and limits as on the socket; a page shows the refusal (429) and stores
nothing. Staff creating rooms (the admin included) are not limited.
"""

import pytest
from django.test import Client

from parley.rooms.models import Item, Membership, Room
from tests.factories import UserFactory, make_room
from tests.rooms.test_admin import NO_INLINE_ROWS

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create(client, slug: str, name: str | None = None):
    return client.post(
        "/rooms/new/", {"name": name or slug.title(), "slug": slug, "visibility": "public"}
    )


def test_a_user_creates_five_rooms_in_ten_minutes_and_the_sixth_is_refused(rate_limits):
    ada = UserFactory(username="ada")
    client = signed_in(ada)

    created = [create(client, f"room-{n}") for n in range(5)]
    refused = create(client, "room-5")

    assert [response.status_code for response in created] == [302] * 5
    assert refused.status_code == 429
    assert refused["Retry-After"] == "120"
    assert "Too many requests" in refused.text and 'class="errorlist' in refused.text
    assert not Room.objects.filter(slug="room-5").exists()
    assert Room.objects.filter(owner=ada).count() == 5

    rate_limits.advance(120)  # one room per two minutes, sustained
    assert create(client, "room-5").status_code == 302
    assert create(client, "room-6").status_code == 429


def test_probing_taken_slugs_counts_against_the_room_limit(rate_limits):
    make_room(UserFactory(), slug="hidden", visibility="private")
    client = signed_in(UserFactory(username="eve"))

    probes = [create(client, "hidden") for _ in range(6)]

    assert ["That slug is taken." in p.text for p in probes[:5]] == [True] * 5
    assert probes[5].status_code == 429
    assert "That slug is taken." not in probes[5].text


def test_form_errors_are_not_counted(rate_limits):
    client = signed_in(UserFactory())
    for _ in range(10):
        assert create(client, "Bad Slug!").status_code == 200
    assert create(client, "fine").status_code == 302


def test_staff_are_not_limited_on_the_page_or_in_the_admin(rate_limits):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    ada = UserFactory(username="ada")
    client = signed_in(root)

    for n in range(7):
        assert create(client, f"staff-{n}").status_code == 302
    for n in range(7):
        response = client.post(
            "/admin/rooms/room/add/",
            {
                "name": f"For Ada {n}",
                "slug": f"for-ada-{n}",
                "visibility": "public",
                "owner": ada.pk,
                **NO_INLINE_ROWS,
            },
        )
        assert response.status_code == 302, response.content
    assert Room.objects.filter(owner=ada).count() == 7


def test_join_and_leave_forms_are_limited(rate_limits):
    rate_limits.configure(membership="2,1/m")
    make_room(UserFactory(), slug="general")
    client = signed_in(UserFactory(username="bob"))
    items_before = Item.objects.count()

    joined = client.post("/rooms/general/join/")
    left = client.post("/rooms/general/leave/")
    refused = client.post("/rooms/general/join/")

    assert (joined.status_code, left.status_code) == (302, 302)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 60
    assert "Too many requests" in refused.text
    assert not Membership.objects.filter(room__slug="general", user__username="bob").exists()
    assert Item.objects.count() == items_before + 2


def test_an_owner_adding_members_too_fast_gets_a_form_error(rate_limits):
    rate_limits.configure(membership="1,1/m")
    ada = UserFactory(username="ada")
    UserFactory(username="bob")
    UserFactory(username="cyd")
    make_room(ada, slug="team", visibility="private")
    client = signed_in(ada)

    first = client.post("/rooms/team/settings/", {"username": "bob"})
    second = client.post("/rooms/team/settings/", {"username": "cyd"})

    assert first.status_code == 302
    assert second.status_code == 429
    assert "Too many requests" in second.text
    members = set(
        Membership.objects.filter(room__slug="team").values_list("user__username", flat=True)
    )
    assert members == {"ada", "bob"}
