"""Room roles on the pages (issue 22): the settings page's read-only, rename, owner and archive
forms, what moderators see of it, and archived rooms on the home page and in the sidebar."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parley.rooms import services
from parley.rooms.models import Item, Membership, Room
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

SETTINGS = "/rooms/general/settings/"


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def room(ada, bob, carol):
    """ada's `general`: bob a moderator, carol a plain member."""
    room = make_room(ada, slug="general")
    services.room_join(user=bob, room=room)
    services.room_join(user=carol, room=room)
    services.moderator_set(actor=ada, room=room, username="bob", moderator=True)
    return room


def signed_in(client, user):
    client.force_login(user)
    return client


def fresh(room) -> Room:
    return Room.objects.get(pk=room.pk)


def test_a_moderator_sees_the_settings_link_and_the_parts_of_the_page_that_are_hers(
    client, room, bob
):
    signed_in(client, bob)
    assert 'href="/rooms/general/settings/"' in client.get("/rooms/general/").text

    page = client.get(SETTINGS)
    assert page.status_code == 200
    assert "Make read-only" in page.text
    assert "Rename" not in page.text and "Archive the room" not in page.text
    assert "Add member" not in page.text


def test_a_plain_member_gets_403_and_no_settings_link(client, room, carol):
    signed_in(client, carol)
    assert 'href="/rooms/general/settings/"' not in client.get("/rooms/general/").text
    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, {"action": "read_only", "on": "1"}).status_code == 403
    assert not fresh(room).read_only


def test_a_moderator_makes_the_room_read_only_from_the_page(client, room, bob):
    signed_in(client, bob)
    answer = client.post(SETTINGS, {"action": "read_only", "on": "1"})
    assert answer.status_code == 302
    assert fresh(room).read_only
    assert "Let everyone post" in client.get(SETTINGS).text


def test_a_moderator_removes_a_member_but_not_the_owner(client, room, bob):
    signed_in(client, bob)
    assert client.post(SETTINGS, {"action": "remove", "username": "carol"}).status_code == 302
    assert not Membership.objects.filter(room=room, user__username="carol").exists()
    assert Item.objects.filter(room=room, kind="leave").get().actor == bob

    refused = client.post(SETTINGS, {"action": "remove", "username": "ada"})
    assert 'role="alert"' in refused.text
    assert Membership.objects.filter(room=room, user__username="ada").exists()


def test_a_moderator_posting_the_owners_forms_is_refused_and_nothing_changes(client, room, bob):
    signed_in(client, bob)
    for form in (
        {"action": "rename", "name": "Bob's room"},
        {"action": "transfer", "username": "bob"},
        {"action": "archive", "archived": "1"},
    ):
        assert client.post(SETTINGS, form).status_code == 403
    stored = fresh(room)
    assert (stored.name, stored.owner.username, stored.archived_at) == ("General", "ada", None)


def test_the_owner_renames_the_room_and_the_address_stays(client, room, ada):
    signed_in(client, ada)
    assert client.post(SETTINGS, {"action": "rename", "name": "Town square"}).status_code == 302
    assert fresh(room).name == "Town square"
    assert "Town square" in client.get("/rooms/general/").text

    blank = client.post(SETTINGS, {"action": "rename", "name": "  "})
    assert blank.status_code == 400
    assert 'id="rename-error"' in blank.text
    assert fresh(room).name == "Town square"


def test_the_owner_gives_the_room_away_and_keeps_moderating_it(client, room, ada, carol):
    signed_in(client, ada)
    assert client.post(SETTINGS, {"action": "transfer", "username": "carol"}).status_code == 302
    assert fresh(room).owner == carol
    # She is a moderator now: the page is still hers, without the owner's parts.
    page = client.get(SETTINGS)
    assert page.status_code == 200
    assert "Archive the room" not in page.text


def test_an_archived_room_leaves_your_rooms_and_the_sidebar_and_is_listed_apart(
    client, room, ada, carol
):
    make_room(ada, slug="other")
    signed_in(client, ada)
    assert client.post(SETTINGS, {"action": "archive", "archived": "1"}).status_code == 302

    signed_in(client, carol)
    home = client.get("/").text
    yours = home.split('id="your-rooms-heading"')[1].split("</section>")[0]
    archived = home.split('id="archived-heading"')[1].split("</section>")[0]
    assert "/rooms/general/" not in yours
    assert "/rooms/general/" in archived
    other = client.get("/rooms/other/").text
    sidebar = other.split('id="sidebar"')[1].split("</nav>")[0]
    assert "/rooms/general/" not in sidebar
    # Still readable.
    assert client.get("/rooms/general/").status_code == 200


def test_the_owner_brings_an_archived_room_back(client, room, ada):
    services.room_archive(actor=ada, room=room, archived=True)
    signed_in(client, ada)
    assert "Bring the room back" in client.get(SETTINGS).text
    assert client.post(SETTINGS, {"action": "archive", "archived": "0"}).status_code == 302
    assert fresh(room).archived_at is None


def test_uploads_into_a_read_only_room_are_403_for_members(client, room, ada, carol):
    services.room_read_only_set(actor=ada, room=room, on=True)
    signed_in(client, carol)
    answer = client.post(
        "/rooms/general/files/", {"file": SimpleUploadedFile("notes.txt", b"hello")}
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert not Item.objects.filter(room=room, kind="message").exists()


def test_the_room_page_tells_each_change_in_words_before_any_script_runs(client, room, ada, carol):
    signed_in(client, ada)
    client.post(SETTINGS, {"action": "read_only", "on": "1"})
    client.post(SETTINGS, {"action": "rename", "name": "Town square"})
    client.post(SETTINGS, {"action": "transfer", "username": "carol"})

    lines = [
        " ".join(line.split())
        for line in re.findall(
            r'<span class="item__what">(.*?)</span>', client.get("/rooms/general/").text
        )
    ]
    assert "renamed the room to “Town square”" in lines
    assert "became the owner (given by ada)" in lines
    assert not [line for line in lines if line in {"rename", "owner", "read_only"}]
