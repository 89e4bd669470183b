"""`GET /api/v1/users/<username>`: a person's profile card, to signed-in users and tokens."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from parley.accounts.avatars import avatar_set
from parley.accounts.bots import bot_create
from parley.accounts.models import NotificationPrefs
from parley.accounts.profiles import profile_update

pytestmark = pytest.mark.django_db


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (50, 80), (0, 128, 0)).save(out, format="PNG")
    return SimpleUploadedFile("me.png", out.getvalue())


def test_a_person_without_a_profile_has_empty_fields(ada_api, bob):
    response = ada_api.get("/users/bob")
    assert response.status_code == 200
    assert response.json() == {
        "username": "bob",
        "display_name": "",
        "avatar": None,
        "bot": False,
        "status": {"emoji": "", "text": ""},
        "time_zone": "",
        "dnd_until": None,
    }


def test_the_profile_shows_name_status_zone_picture_and_do_not_disturb(ada_api, bob):
    profile_update(
        user=bob,
        display_name="Bob B.",
        time_zone="America/New_York",
        status_emoji="🌴",
        status_text="Away",
    )
    avatar_set(user=bob, upload=png())
    until = timezone.now() + timedelta(hours=2)
    NotificationPrefs.objects.create(user=bob, dnd_until=until)
    body = ada_api.get("/users/bob").json()
    assert body["display_name"] == "Bob B."
    assert body["status"] == {"emoji": "🌴", "text": "Away"}
    assert body["time_zone"] == "America/New_York"
    assert body["dnd_until"].startswith(until.strftime("%Y-%m-%dT%H:%M"))
    # The picture's URL works for a signed-in person, with a long cache.
    client = Client()
    client.force_login(bob)
    picture = client.get(body["avatar"])
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert "immutable" in picture["Cache-Control"]


def test_a_do_not_disturb_that_ended_is_not_shown(ada_api, bob):
    NotificationPrefs.objects.create(user=bob, dnd_until=timezone.now() - timedelta(minutes=1))
    assert ada_api.get("/users/bob").json()["dnd_until"] is None


def test_a_bot_is_marked_as_one(ada_api, ada):
    bot_create(username="echo-bot", owner=ada)
    assert ada_api.get("/users/echo-bot").json()["bot"] is True


@pytest.mark.parametrize("username", ["nobody", "bob"])
def test_an_unknown_or_deactivated_user_is_404_alike(ada_api, bob, username):
    bob.is_active = False
    bob.save()
    response = ada_api.get(f"/users/{username}")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "user_not_found", "message": "No such user."}}


def test_anonymous_requests_are_refused(anonymous_api, bob):
    response = anonymous_api.get("/users/bob")
    assert response.status_code == 401


def test_the_browser_session_reads_profiles_too(ada, bob):
    client = Client()
    client.force_login(ada)
    assert client.get("/api/v1/users/bob").json()["username"] == "bob"


def test_a_picture_is_not_served_to_anonymous_people_nor_under_an_old_name(ada, bob):
    avatar_set(user=bob, upload=png())
    old = Client()
    old.force_login(ada)
    first = old.get("/api/v1/users/bob").json()["avatar"]
    assert Client().get(first).status_code == 302  # to the login page
    avatar_set(user=bob, upload=png())
    assert old.get(first).status_code == 404
