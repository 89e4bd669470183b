"""The pages of conversations: direct rooms in the sidebar and on the home page, the new
message page, the Mentions page, moderators on the settings page, the emoji list, and direct
rooms in the admin (listed, never read)."""

import re

import orjson
import pytest
from django.urls import reverse

from parley.rooms import services
from parley.rooms.models import Item, Membership, Room
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db


def post(user, room, body, client_id, **kwargs):
    return services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=client_id, **kwargs
    ).item


@pytest.fixture
def cy(db):
    return UserFactory(username="cy")


@pytest.fixture
def dm(ada, bob):
    return services.direct_room_open(user=ada, usernames=["bob"]).room


def test_new_message_page_starts_a_direct_room_and_reopens_it(client, ada, bob, cy):
    client.force_login(ada)
    page = client.get(reverse("direct_new"), {"q": "bo"})
    assert page.status_code == 200
    assert 'value="bob"' in page.content.decode()
    assert 'value="cy"' not in page.content.decode()

    first = client.post(reverse("direct_new"), {"users": ["bob", "cy"]})
    room = Room.objects.get(visibility=Room.Visibility.DIRECT)
    assert first.status_code == 302
    assert first["Location"] == reverse("room", args=[room.slug])
    again = client.post(reverse("direct_new"), {"users": ["cy", "bob", "ada"]})
    assert again["Location"] == first["Location"]
    assert Room.objects.filter(visibility=Room.Visibility.DIRECT).count() == 1


def test_new_message_page_explains_a_refusal(client, ada):
    client.force_login(ada)
    page = client.post(reverse("direct_new"), {"users": ["nobody-here"]})
    assert page.status_code == 200
    assert 'id="direct-error"' in page.content.decode()
    nobody = client.post(reverse("direct_new"), {})
    assert "Choose at least one person." in nobody.content.decode()
    assert not Room.objects.filter(visibility=Room.Visibility.DIRECT).exists()


def test_direct_room_page_is_named_after_the_other_people(client, ada, bob, dm):
    client.force_login(ada)
    html = client.get(reverse("room", args=[dm.slug])).content.decode()
    assert re.search(r"<h1>.*bob</h1>", html)
    nav = html[html.index('id="sidebar-direct-heading"') :]
    assert f'data-unread-room="{dm.slug}"' in nav
    assert '<span class="sidebar__name" data-direct-name>bob</span>' in nav


def test_direct_rooms_are_hidden_from_everyone_else_staff_included(client, dm, cy):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    for outsider in (cy, staff):
        client.force_login(outsider)
        assert client.get(reverse("room", args=[dm.slug])).status_code == 404
        home = client.get(reverse("home")).content.decode()
        assert dm.slug not in home


def test_home_lists_my_direct_rooms_apart(client, ada, dm):
    client.force_login(ada)
    home = client.get(reverse("home")).content.decode()
    direct = home[home.index('id="direct-heading"') :]
    assert f'href="/rooms/{dm.slug}/"' in direct
    rooms = home[: home.index('id="direct-heading"')]
    assert dm.slug not in rooms


def test_sidebar_counts_mentions_apart_and_mutes_rooms_at_level_none(client, ada, bob):
    room = make_room(ada, slug="ops")
    services.room_join(user=bob, room=room)
    post(ada, room, "hello @bob", "m1")
    post(ada, room, "no mention", "m2")
    client.force_login(bob)
    html = client.get(reverse("room", args=[room.slug])).content.decode()
    row = html[html.index('data-unread-room="ops"') :]
    row = row[: row.index("</li>")]
    assert 'data-unread="2"' in row
    assert "<span data-mention-count>1</span>" in row

    services.notify_level_set(user=bob, slug="ops", level="none")
    html = client.get(reverse("room", args=[room.slug])).content.decode()
    row = html[html.rindex("<li", 0, html.index('data-unread-room="ops"')) :]
    row = row[: row.index("</li>")]
    assert "is-muted" in row
    assert "data-unread-dot" in row
    assert re.search(r"data-unread-badge hidden", row)


def test_mentions_page_lists_messages_that_mention_me_with_links(client, ada, bob, cy):
    room = make_room(ada, slug="ops")
    services.room_join(user=bob, room=room)
    private = make_room(ada, slug="secret", visibility="private")
    mention = post(ada, room, "ping @bob", "m1")
    everyone = post(ada, room, "all hands @room", "m2")
    post(ada, private, "@bob is not in here", "m3")
    post(bob, room, "I mention myself @bob", "m4")

    client.force_login(bob)
    html = client.get(reverse("mentions")).content.decode()
    assert f'href="/rooms/ops/?seq={mention.seq}"' in html
    assert f'href="/rooms/ops/?seq={everyone.seq}"' in html
    assert "secret" not in html
    assert "I mention myself" not in html

    services.message_delete(user=ada, room_slug="ops", target=mention.seq, client_id="d1")
    html = client.get(reverse("mentions")).content.decode()
    assert f"?seq={mention.seq}" not in html


def test_owner_names_moderators_who_may_then_delete_others_messages(client, ada, bob, cy):
    room = make_room(ada, slug="ops")
    services.room_join(user=bob, room=room)
    services.room_join(user=cy, room=room)
    message = post(cy, room, "spam", "s1")
    client.force_login(ada)

    page = client.post(
        reverse("room_settings", args=["ops"]), {"action": "moderator", "username": "bob"}
    )
    assert page.status_code == 302
    membership = Membership.objects.get(room=room, user=bob)
    assert membership.role == Membership.Role.MODERATOR
    html = client.get(reverse("room_settings", args=["ops"])).content.decode()
    assert "Moderator" in html and "Remove moderator" in html

    services.message_delete(user=bob, room_slug="ops", target=message.seq, client_id="d1")
    assert Item.objects.get(pk=message.pk).deleted

    client.post(reverse("room_settings", args=["ops"]), {"action": "member", "username": "bob"})
    assert Membership.objects.get(room=room, user=bob).role == Membership.Role.MEMBER


def test_only_the_owner_names_moderators(client, ada, bob):
    room = make_room(ada, slug="ops")
    services.room_join(user=bob, room=room)
    client.force_login(bob)
    page = client.post(
        reverse("room_settings", args=["ops"]), {"action": "moderator", "username": "bob"}
    )
    assert page.status_code == 403
    assert Membership.objects.get(room=room, user=bob).role == Membership.Role.MEMBER


def test_naming_a_non_member_moderator_is_explained(client, ada, cy):
    make_room(ada, slug="ops")
    client.force_login(ada)
    page = client.post(
        reverse("room_settings", args=["ops"]), {"action": "moderator", "username": "cy"}
    )
    assert page.status_code == 200
    assert "cy is not a member of this room." in page.content.decode()


def test_emoji_list_holds_fully_qualified_emoji_with_names(client, ada):
    client.force_login(ada)
    answer = client.get(reverse("emoji_list"))
    assert answer.status_code == 200
    entries = dict(orjson.loads(answer.content)["emoji"])
    assert entries["👍"] == "thumbs up"
    assert "❤️" in entries
    assert "❤" not in entries  # unqualified: not a reaction
    assert "👨‍👩‍👧" in entries
    packed = client.get(reverse("emoji_list"), headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) < len(answer.content) / 3


def test_admin_lists_direct_rooms_but_never_their_messages(client, ada, bob, dm):
    post(ada, dm, "between us", "p1")
    general = make_room(ada, slug="general")
    post(ada, general, "for everyone", "p2")
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)
    rooms = client.get(reverse("admin:rooms_room_changelist")).content.decode()
    assert dm.slug in rooms
    messages = client.get(reverse("admin:rooms_message_changelist")).content.decode()
    assert "for everyone" in messages
    assert "between us" not in messages


def test_admin_deletes_messages_through_the_service(client, ada, bob):
    room = make_room(ada, slug="general")
    message = post(ada, room, "abusive", "p1")
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.post(
        reverse("admin:rooms_message_changelist"),
        {"action": "delete_messages", "_selected_action": [message.pk]},
    )
    row = Item.objects.get(pk=message.pk)
    assert row.deleted and row.body == ""
    delete = Item.objects.get(room=room, kind=Item.Kind.DELETE)
    assert delete.target_seq == message.seq and delete.user == staff


def test_admin_cannot_change_a_direct_room_or_its_people(client, ada, bob, cy, dm):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)
    change = reverse("admin:rooms_room_change", args=[dm.pk])
    client.post(change, {"name": "open now", "visibility": "public"})
    dm.refresh_from_db()
    assert dm.visibility == Room.Visibility.DIRECT
    form = client.get(reverse("admin:rooms_room_add")).content.decode()
    assert 'value="direct"' not in form

    page = client.post(reverse("admin:rooms_membership_add"), {"room": dm.pk, "user": cy.pk})
    assert page.status_code == 200  # the form again, with the refusal
    assert not Membership.objects.filter(room=dm, user=cy).exists()
    membership = Membership.objects.get(room=dm, user=bob)
    client.post(reverse("admin:rooms_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert Membership.objects.filter(pk=membership.pk).exists()
