"""Uploads and downloads: limits, authorisation, names and content types (PROTOCOL.md Uploads)."""

import asyncio

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parley.rooms.models import Attachment, Item
from parley.web.asgi_limits import RequestBodyLimit
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(client, slug, name, content, content_type="application/octet-stream"):
    return client.post(
        f"/rooms/{slug}/files/", {"file": SimpleUploadedFile(name, content, content_type)}
    )


def test_a_member_uploads_an_image_and_it_becomes_a_message_item(ada_client, ada):
    room = make_room(ada, slug="design")
    response = upload(ada_client, "design", "mock-up.png", PNG, "image/png")
    assert response.status_code == 201
    item = response.json()["item"]
    assert item["type"] == "message" and item["seq"] == 2 and item["author"] == {"username": "ada"}
    attachment = item["attachment"]
    assert attachment["name"] == "mock-up.png" and attachment["size"] == len(PNG)
    assert attachment["content_type"] == "image/png"
    stored = Attachment.objects.get(item__room=room)
    assert stored.item.seq == 2 and stored.inline
    download = ada_client.get(attachment["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("inline")
    assert b"".join(download.streaming_content) == PNG


def test_history_carries_the_attachment(ada_client, ada):
    make_room(ada, slug="design")
    upload(ada_client, "design", "a.png", PNG)
    page = ada_client.get("/rooms/design/")
    assert page.context["initial_items"][-1]["attachment"]["name"] == "a.png"


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("evil.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "image/svg+xml"),
        ("page.html", b"<!doctype html><h1>hi</h1>", "text/html"),
    ],
)  # fmt: skip
def test_content_type_comes_from_the_content_and_markup_is_never_inline(
    ada_client, ada, name, content, declared
):
    make_room(ada, slug="design")
    response = upload(ada_client, "design", name, content, declared)
    attachment = response.json()["item"]["attachment"]
    assert attachment["content_type"] == "text/plain"
    download = ada_client.get(attachment["url"])
    assert download["Content-Type"].startswith("text/plain")
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("a\x00b\u202egnp.exe", "abgnp.exe"),
        ("x" * 1000 + ".txt", "x" * 196 + ".txt"),
    ],
)
def test_names_are_sanitised_and_files_stored_under_generated_names(ada_client, ada, sent, shown):
    make_room(ada, slug="design")
    response = upload(ada_client, "design", sent, b"hello")
    assert response.json()["item"]["attachment"]["name"] == shown
    stored = Attachment.objects.get()
    assert stored.file.name.startswith(f"attachments/{stored.item.room_id}/")
    assert ".." not in stored.file.name and shown not in stored.file.name


def test_the_size_limit_is_inclusive_and_over_it_is_413_with_nothing_stored(
    ada_client, ada, settings
):
    settings.PARLEY = {**settings.PARLEY, "MAX_UPLOAD_BYTES": 1000}
    room = make_room(ada, slug="design")
    assert upload(ada_client, "design", "exact.bin", b"x" * 1000).status_code == 201
    response = upload(ada_client, "design", "over.bin", b"x" * 1001)
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert Attachment.objects.count() == 1
    room.refresh_from_db()
    assert room.last_seq == 2


def test_an_oversized_body_is_refused_from_its_headers_before_it_is_read(settings):
    settings.PARLEY = {**settings.PARLEY, "MAX_UPLOAD_BYTES": 1000}
    sent = []

    async def app(scope, receive, send):
        raise AssertionError("the application must not be reached")

    async def receive():
        raise AssertionError("the body must not be read")

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "path": "/rooms/design/files/",
        "headers": [(b"content-length", str(10 * 1024 * 1024).encode())],
    }
    asyncio.run(RequestBodyLimit(app)(scope, receive, send))
    assert sent[0]["status"] == 413


def test_non_members_get_403_in_public_rooms_and_404_in_private_ones(ada_client, ada):
    owner = UserFactory(username="owner")
    make_room(owner, slug="open")
    make_room(owner, slug="secret", visibility="private")
    assert upload(ada_client, "open", "a.txt", b"hi").status_code == 403
    assert upload(ada_client, "secret", "a.txt", b"hi").status_code == 404
    assert upload(ada_client, "nope", "a.txt", b"hi").status_code == 404
    assert not Item.objects.filter(has_attachment=True).exists()


def test_only_readers_of_the_room_may_download(ada_client, ada):
    make_room(ada, slug="secret", visibility="private")
    url = upload(ada_client, "secret", "plan.txt", b"plan").json()["item"]["attachment"]["url"]
    mallory = Client()
    mallory.force_login(UserFactory(username="mallory"))
    assert mallory.get(url).status_code == 404
    response = Client().get(url)  # signed out
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_empty_or_missing_file_is_refused(ada_client, ada):
    make_room(ada, slug="design")
    assert upload(ada_client, "design", "empty.txt", b"").status_code == 400
    assert ada_client.post("/rooms/design/files/", {}).status_code == 400
