"""An upload may carry the message's text (optional multipart field `body`): words and a file go
as one message, under the rules of a message's body."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parley.rooms import services
from parley.rooms.models import Attachment, Item, Mention
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(client, slug, content=PNG, name="plan.png", **fields):
    data = {"file": SimpleUploadedFile(name, content, "image/png"), **fields}
    return client.post(f"/rooms/{slug}/files/", data)


def test_text_and_file_are_one_message(ada_client, ada):
    make_room(ada, slug="design")
    response = upload(ada_client, "design", body="The new plan:\n\nsee *this*")
    assert response.status_code == 201
    item = response.json()["item"]
    assert item["body"] == "The new plan:\n\nsee *this*"
    # The server's rendering of it (Markdown: parley/rooms/markdown.py), stored beside it.
    assert "<p>The new plan:</p>" in item["html"]
    assert "<em>this</em>" in item["html"]
    assert item["attachment"]["name"] == "plan.png"
    stored = Item.objects.get(room__slug="design", seq=item["seq"])
    assert stored.has_attachment and stored.body == item["body"]

    # The page renders the row with both.
    page = ada_client.get("/rooms/design/").content.decode()
    assert "The new plan:" in page and "plan.png" in page
    assert '<div class="item__text"><p>The new plan:</p>' in page


def test_without_body_or_with_a_blank_one_the_file_goes_alone(ada_client, ada):
    make_room(ada, slug="design")
    for fields in ({}, {"body": ""}, {"body": "  \n\u200b "}):
        item = upload(ada_client, "design", **fields).json()["item"]
        assert item["body"] == "" and item["html"] == ""
        assert item["attachment"]["name"] == "plan.png"


def test_the_text_mentions_people_as_a_message_does(ada_client, ada):
    room = make_room(ada, slug="design")
    bob = UserFactory(username="bob")
    services.room_join(user=bob, room=room)
    item = upload(ada_client, "design", body="@bob look at this").json()["item"]
    assert item["mentions"] == ["bob"]
    assert Mention.objects.filter(seq=item["seq"], user=bob).exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [("x" * 4001, "A message has at most 4000 characters."),
     ("nul\x00here", "A message cannot contain NUL characters.")],
)  # fmt: skip
def test_a_body_a_message_could_not_have_refuses_the_upload(ada_client, ada, body, error):
    make_room(ada, slug="design")
    response = upload(ada_client, "design", body=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == error
    assert not Attachment.objects.exists()
    assert not Item.objects.filter(kind=Item.Kind.MESSAGE).exists()
