"""The admin changes rooms and memberships through the services, and never edits the timeline."""

from unittest import mock

import pytest
from django.test import Client

from parley.rooms import services
from parley.rooms.admin import RoomAdmin
from parley.rooms.models import Item, Membership, Room
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

NO_INLINE_ROWS = {
    "memberships-TOTAL_FORMS": "0",
    "memberships-INITIAL_FORMS": "0",
    "memberships-MIN_NUM_FORMS": "0",
    "memberships-MAX_NUM_FORMS": "1000",
}


@pytest.fixture
def root():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


def timeline(room: Room) -> list[tuple[int, str, str]]:
    return list(
        Item.objects.filter(room=room).order_by("seq").values_list("seq", "kind", "user__username")
    )


def add_room(client: Client, **fields):
    data = {"name": "Lobby", "slug": "lobby", "visibility": "public", "owner": ""}
    data.update(fields)
    return client.post("/admin/rooms/room/add/", {**data, **NO_INLINE_ROWS})


# --- every page loads ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/rooms/room/",
        "/admin/rooms/membership/",
        "/admin/rooms/message/",
        "/admin/rooms/event/",
        "/admin/auth/user/",
        "/admin/rooms/room/add/",
        "/admin/rooms/membership/add/",
    ],
)
def test_admin_page_loads(admin_client, general, url):
    services.message_post(user=general.owner, room_slug="general", body="hi", client_id="c")

    assert admin_client.get(url).status_code == 200


def test_room_and_membership_change_pages_load(admin_client, general):
    membership = Membership.objects.get(room=general)

    assert admin_client.get(f"/admin/rooms/room/{general.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/rooms/membership/{membership.pk}/change/").status_code == 200


def test_admin_refuses_a_user_who_is_not_staff(general, ada):
    client = Client()
    client.force_login(ada)

    response = client.get("/admin/rooms/room/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_message_list_shows_messages_only(admin_client, general, ada):
    services.message_post(user=ada, room_slug="general", body="hello from ada", client_id="c")

    response = admin_client.get("/admin/rooms/message/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert "hello from ada" in response.text


def test_event_list_shows_events_only(admin_client, general, ada, bob):
    services.message_post(user=ada, room_slug="general", body="hello from ada", client_id="c")
    services.room_join(user=bob, room=general)
    services.room_leave(user=bob, room=general)

    response = admin_client.get("/admin/rooms/event/")

    assert response.status_code == 200
    kinds = sorted(item.kind for item in response.context["cl"].result_list)
    assert kinds == ["join", "join", "leave"]
    assert "hello from ada" not in response.text


@pytest.mark.parametrize("model", ["message", "event"])
def test_timeline_items_cannot_be_added_changed_or_deleted(admin_client, general, ada, model):
    services.message_post(user=ada, room_slug="general", body="hi", client_id="c")
    item = Item.objects.get(room=general, kind="message" if model == "message" else "join")

    listing = admin_client.get(f"/admin/rooms/{model}/")
    assert f"/admin/rooms/{model}/add/" not in listing.text
    assert "delete_selected" not in listing.text
    assert admin_client.get(f"/admin/rooms/{model}/add/").status_code == 403
    assert admin_client.post(f"/admin/rooms/{model}/add/", {}).status_code == 403
    response = admin_client.post(f"/admin/rooms/{model}/{item.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    # The change page is read-only: a post changes nothing.
    admin_client.post(f"/admin/rooms/{model}/{item.pk}/change/", {"body": "edited", "seq": 99})
    assert Item.objects.filter(room=general).count() == 2
    assert Item.objects.get(pk=item.pk).seq == item.seq
    assert Item.objects.get(pk=item.pk).body == item.body


# --- rooms ---------------------------------------------------------------------------------


def test_room_added_in_the_admin_has_its_owner_as_member(admin_client, ada):
    response = add_room(admin_client, name="Lobby", slug="lobby", owner=ada.pk)

    assert response.status_code == 302
    room = Room.objects.get(slug="lobby")
    assert (room.name, room.owner, room.last_seq) == ("Lobby", ada, 1)
    assert list(Membership.objects.filter(room=room).values_list("user", flat=True)) == [ada.pk]
    assert timeline(room) == [(1, "join", "ada")]


def test_room_added_without_owner_belongs_to_the_admin(admin_client, root):
    add_room(admin_client, owner="")

    room = Room.objects.get(slug="lobby")
    assert room.owner == root
    assert timeline(room) == [(1, "join", "root")]


def test_room_name_added_in_the_admin_is_cleaned(admin_client):
    add_room(admin_client, name="  \u202eLobby\u202c ")

    assert Room.objects.get(slug="lobby").name == "Lobby"


@pytest.mark.parametrize(
    "fields",
    [
        {"slug": "Lobby"},
        {"slug": "under_score"},
        {"slug": "-lobby"},
        {"name": "\u202e \u202c"},
        {"name": "a\tb"},
    ],
    ids=["uppercase-slug", "underscore-slug", "leading-dash", "only-bidi-name", "tab-in-name"],
)
def test_room_refused_by_the_service_rules_is_a_form_error(admin_client, fields):
    response = add_room(admin_client, **fields)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Room.objects.exists()


def test_duplicate_slug_in_the_admin_is_a_form_error(admin_client, general):
    response = add_room(admin_client, slug="general")

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Room.objects.count() == 1


def test_staff_only_room_for_a_non_staff_owner_is_a_form_error(admin_client, ada):
    response = add_room(admin_client, owner=ada.pk, staff_only="on")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Room.objects.exists()


def test_staff_only_room_with_a_staff_owner_is_created(admin_client, root):
    add_room(admin_client, staff_only="on")

    assert Room.objects.get(slug="lobby").staff_only is True


def test_editing_a_room_keeps_its_slug_and_cleans_its_name(admin_client, general, ada):
    response = admin_client.post(
        f"/admin/rooms/room/{general.pk}/change/",
        {
            "name": " \u2066Renamed\u2069 ",
            "slug": "hijacked",
            "visibility": "private",
            "owner": ada.pk,
            **NO_INLINE_ROWS,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": Membership.objects.get(room=general).pk,
            "memberships-0-room": general.pk,
        },
    )

    assert response.status_code == 302
    room = Room.objects.get(pk=general.pk)
    assert (room.name, room.slug, room.visibility) == ("Renamed", "general", "private")
    assert Membership.objects.filter(room=room).count() == 1


def test_editing_a_room_does_not_write_back_an_old_last_seq(admin_client, general, ada):
    real_get_object = RoomAdmin.get_object

    def get_object_then_someone_posts(self, request, object_id, from_field=None):
        room = real_get_object(self, request, object_id, from_field)
        # A message lands after the admin read the room and before it saves it.
        services.message_post(user=ada, room_slug="general", body="meanwhile", client_id="m")
        return room

    with mock.patch.object(RoomAdmin, "get_object", get_object_then_someone_posts):
        response = admin_client.post(
            f"/admin/rooms/room/{general.pk}/change/",
            {
                "name": "Renamed",
                "visibility": "public",
                "owner": ada.pk,
                **NO_INLINE_ROWS,
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": Membership.objects.get(room=general).pk,
                "memberships-0-room": general.pk,
            },
        )

    assert response.status_code == 302
    room = Room.objects.get(pk=general.pk)
    assert room.name == "Renamed"
    assert room.last_seq == 2
    next_post = services.message_post(user=ada, room_slug="general", body="after", client_id="a")
    assert next_post.item.seq == 3


# --- memberships ---------------------------------------------------------------------------


def test_membership_added_in_the_admin_announces_the_join(admin_client, general):
    bob = UserFactory(username="bob")

    response = admin_client.post(
        "/admin/rooms/membership/add/", {"room": general.pk, "user": bob.pk}
    )

    assert response.status_code == 302
    assert Membership.objects.filter(room=general, user=bob).exists()
    assert timeline(general) == [(1, "join", "ada"), (2, "join", "bob")]


def test_duplicate_membership_in_the_admin_is_a_form_error(admin_client, general, ada):
    response = admin_client.post(
        "/admin/rooms/membership/add/", {"room": general.pk, "user": ada.pk}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert timeline(general) == [(1, "join", "ada")]


def test_non_staff_member_of_a_staff_only_room_is_a_form_error(admin_client, root):
    room = make_room(root, slug="staff", staff_only=True)
    bob = UserFactory(username="bob")

    response = admin_client.post("/admin/rooms/membership/add/", {"room": room.pk, "user": bob.pk})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Membership.objects.filter(room=room, user=bob).exists()
    assert timeline(room) == [(1, "join", "root")]


def test_membership_deleted_in_the_admin_announces_the_leave(admin_client, general):
    bob = UserFactory(username="bob")
    services.room_join(user=bob, room=general)
    membership = Membership.objects.get(room=general, user=bob)

    response = admin_client.post(
        f"/admin/rooms/membership/{membership.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert timeline(general)[-1] == (3, "leave", "bob")


def test_remove_selected_announces_each_leave(admin_client, general, ada):
    bob = UserFactory(username="bob")
    carol = UserFactory(username="carol")
    for user in (bob, carol):
        services.room_join(user=user, room=general)
    chosen = Membership.objects.filter(room=general, user__in=[bob, carol])

    response = admin_client.post(
        "/admin/rooms/membership/",
        {"action": "remove_selected", "_selected_action": [m.pk for m in chosen]},
    )

    assert response.status_code == 302
    assert list(Membership.objects.filter(room=general).values_list("user", flat=True)) == [ada.pk]
    leaves = [(kind, name) for _, kind, name in timeline(general)[3:]]
    assert sorted(leaves) == [("leave", "bob"), ("leave", "carol")]
    assert [seq for seq, _, _ in timeline(general)] == [1, 2, 3, 4, 5]


def test_membership_list_offers_no_silent_bulk_delete(admin_client, general):
    response = admin_client.get("/admin/rooms/membership/")

    assert "remove_selected" in response.text
    assert "delete_selected" not in response.text


def test_the_owners_membership_cannot_be_deleted_in_the_admin(admin_client, ada):
    room = make_room(ada, slug="owned")
    membership = Membership.objects.get(room=room, user=ada)

    page = admin_client.get(f"/admin/rooms/membership/{membership.pk}/change/")
    response = admin_client.post(
        f"/admin/rooms/membership/{membership.pk}/delete/", {"post": "yes"}
    )

    assert page.status_code == 200 and "/delete/" not in page.text
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_remove_selected_skips_the_owner_and_says_why(admin_client, ada, bob):
    room = make_room(ada, slug="owned")
    services.room_join(user=bob, room=room)
    chosen = Membership.objects.filter(room=room)

    response = admin_client.post(
        "/admin/rooms/membership/",
        {"action": "remove_selected", "_selected_action": [m.pk for m in chosen]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Ada owns this room, so they cannot be removed from it" in response.text  # capfirst
    assert list(Membership.objects.filter(room=room).values_list("user", flat=True)) == [ada.pk]
