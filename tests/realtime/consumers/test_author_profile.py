"""A message's `author` carries the author's profile: `display_name` and `avatar` (a URL), on the
live item and in history, and a name changed since shows on the next message of the same socket.
A webhook's own name wins over its bot user's profile; `username` is always there."""

import io

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parley.accounts.avatars import avatar_set
from parley.accounts.profiles import profile_update
from tests.support.socket import connect

pytestmark = pytest.mark.django_db(transaction=True)


def send(body: str, client_id: str) -> dict:
    return {"type": "send", "room": "general", "body": body, "client_id": client_id}


def name(user, display_name: str) -> None:
    profile_update(
        user=user, display_name=display_name, time_zone="", status_emoji="", status_text=""
    )


def picture(user) -> None:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (1, 2, 3)).save(out, format="PNG")
    avatar_set(user=user, upload=SimpleUploadedFile("p.png", out.getvalue()))


async def test_the_author_shows_their_display_name_and_picture_live_and_in_history(
    ada, bob, general_with_bob
):
    await sync_to_async(name)(bob, "Bob Builder")
    await sync_to_async(picture)(bob)
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        await writer.subscribe("general")
        await writer.request(send("hi", "c1"))
        author = (await reader.item("general"))["author"]
        assert author["username"] == "bob"
        assert author["display_name"] == "Bob Builder"
        assert author["avatar"].startswith(f"/avatars/{bob.pk}/")

        # Renamed while the socket is open: the next message shows the new name.
        await sync_to_async(name)(bob, "Robert")
        await writer.request(send("again", "c2"))
        assert (await reader.item("general"))["author"]["display_name"] == "Robert"

        history = await reader.request({"type": "history", "room": "general", "before": 100})
        authors = [i["author"] for i in history["items"] if i.get("type") == "message"]
        assert [a["display_name"] for a in authors] == ["Robert", "Robert"]


async def test_an_author_without_a_profile_has_neither_key(ada, bob, general_with_bob):
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        await writer.request(send("hi", "c1"))
        assert (await reader.item("general"))["author"] == {"username": "bob"}
