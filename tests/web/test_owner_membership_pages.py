"""The pages' side of "a room keeps its owner as a member" (issue 15, item 12).

The owner who presses Remove on herself in the room's settings, or Leave on the home page
without JavaScript, is told why on the page she is on, and stays a member: no bare 404.
"""

import re

import pytest

from parley.rooms import services
from parley.rooms.models import Item, Membership
from tests.factories import make_room

pytestmark = pytest.mark.django_db

EXPLANATION = "You own this room, so you cannot leave it"


def is_member(room, user) -> bool:
    return Membership.objects.filter(room=room, user=user).exists()


def test_owner_removing_herself_in_settings_is_told_why_and_stays(ada_client, ada, bob):
    room = make_room(ada, slug="club", visibility="private")
    services.room_join(user=bob, room=room)

    page = ada_client.post("/rooms/club/settings/", {"username": "ada", "action": "remove"})

    assert page.status_code == 200
    alert = re.search(
        r'<p class="member-error" id="member-error" role="alert">([^<]*)</p>', page.text
    )
    assert alert and EXPLANATION in alert.group(1)
    # The add form is not filled in with her name: the answer belongs to the members list.
    assert 'value="ada" maxlength' not in page.text
    assert is_member(room, ada)
    assert not Item.objects.filter(room=room, kind="leave").exists()


def test_settings_page_still_removes_other_members_without_an_error(ada_client, ada, bob):
    room = make_room(ada, slug="club", visibility="private")
    services.room_join(user=bob, room=room)

    removed = ada_client.post("/rooms/club/settings/", {"username": "bob", "action": "remove"})

    assert removed.status_code == 302 and removed["Location"] == "/rooms/club/settings/"
    assert not is_member(room, bob)
    assert 'id="member-error"' not in ada_client.get("/rooms/club/settings/").text


def test_owner_leave_form_without_javascript_explains_on_the_home_page(ada_client, ada):
    room = make_room(ada, slug="mine", visibility="private")

    response = ada_client.post("/rooms/mine/leave/", follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert response.status_code == 200
    flash = re.search(r'<li class="flash__item flash__item--error">([^<]*)</li>', response.text)
    assert flash and EXPLANATION in flash.group(1)
    assert is_member(room, ada)
