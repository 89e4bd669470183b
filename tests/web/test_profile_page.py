"""`/settings/profile/`: display name, status, time zone and picture, with form errors for bad
input (nothing changes), and a link from the account menu."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from parley.accounts.avatars import avatar_set
from parley.accounts.models import NotificationPrefs, Profile
from parley.accounts.profiles import profile_update
from parley.rooms import services

pytestmark = pytest.mark.django_db

URL = "/settings/profile/"


def fields(**changes):
    data = {
        "action": "profile",
        "display_name": "",
        "status_emoji": "",
        "status_text": "",
        "time_zone": "",
    }
    data.update(changes)
    return data


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 20, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_the_account_menu_links_to_the_profile_page(ada_client):
    page = ada_client.get(URL)
    assert page.status_code == 200
    assert f'href="{URL}" aria-current="page"' in page.content.decode()


def test_saving_the_profile_shows_it_on_the_page(ada_client, ada):
    response = ada_client.post(
        URL,
        fields(
            display_name="Ada Lovelace",
            status_emoji="🧮",
            status_text="Computing",
            time_zone="Europe/London",
        ),
        follow=True,
    )
    body = response.content.decode()
    assert "Your profile is saved." in body
    assert 'value="Ada Lovelace"' in body
    assert '<option value="Europe/London" selected>' in body
    assert Profile.objects.get(user=ada).status_text == "Computing"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"display_name": "bob"}, "another person"),
        ({"status_emoji": "not one"}, "one emoji"),
        ({"time_zone": "Nowhere/Land"}, "Select a valid choice"),
        ({"display_name": "x" * 81}, "at most 80"),
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(ada_client, ada, bob, changes, words):
    response = ada_client.post(URL, fields(**changes))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Profile.objects.filter(user=ada).exists()


def test_uploading_and_removing_a_picture(ada_client, ada):
    upload = SimpleUploadedFile("me.jpg", jpeg(), content_type="image/jpeg")
    page = ada_client.post(URL, {"action": "avatar", "avatar": upload}, follow=True)
    assert "Your picture is changed." in page.content.decode()
    name = Profile.objects.get(user=ada).avatar.name
    assert name.endswith(".png")
    picture_url = f"/avatars/{ada.pk}/{name.rsplit('/', 1)[-1]}"
    assert picture_url in page.content.decode()
    assert ada_client.get(picture_url).status_code == 200

    page = ada_client.post(URL, {"action": "avatar_clear"}, follow=True)
    assert "Your picture is removed." in page.content.decode()
    assert Profile.objects.get(user=ada).avatar.name == ""
    assert ada_client.get(picture_url).status_code == 404


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"hello, I am text", "not a picture"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "not a picture"),
    ],
)
def test_a_bad_upload_is_a_form_error(ada_client, ada, data, words):
    upload = SimpleUploadedFile("me.png", data, content_type="image/png")
    response = ada_client.post(URL, {"action": "avatar", "avatar": upload})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Profile.objects.filter(user=ada).exclude(avatar="").exists()


def test_the_room_page_names_people_by_their_display_name_with_status_and_dnd(
    ada_client, ada, bob, general_with_bob
):
    profile_update(
        user=bob, display_name="Bob Builder", time_zone="", status_emoji="🌴", status_text="Away"
    )
    avatar_set(user=bob, upload=SimpleUploadedFile("b.jpg", jpeg()))
    NotificationPrefs.objects.create(user=bob, dnd_until=timezone.now() + timedelta(hours=1))
    services.message_post(user=bob, room_slug="general", body="hello", client_id="c1")

    body = ada_client.get("/rooms/general/").content.decode()
    # The message: the display name, the username as its title, the picture for the initial.
    assert '<span class="item__author" title="bob">Bob Builder</span>' in body
    assert f'<img src="/avatars/{bob.pk}/' in body
    # The members list: the display name, the status, do not disturb.
    assert '<span class="members__name" title="@bob">Bob Builder</span>' in body
    assert "🌴" in body
    assert "Do not disturb until" in body
    # ada has no profile: her username, no status.
    assert '<span class="members__name">ada</span>' in body


@pytest.mark.django_db(transaction=True)
async def test_a_50_mb_picture_upload_is_refused_before_any_of_it_is_read():
    from tests.security.test_request_bodies import TOO_FAR, exchange

    answer = await exchange("POST", URL, body=b"x" * (2 * TOO_FAR), declared=50 * 1000 * 1000)
    assert answer.status == 413
    assert answer.bytes_read == 0
