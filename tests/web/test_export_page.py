"""`GET /rooms/<slug>/export.json` and the settings page's link to it (parley/web/export.py)."""

import itertools
import json
import re
import warnings

import pytest
from django.http import StreamingHttpResponse
from django.test import AsyncClient
from django.utils import timezone

from parley.rooms import services
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

_ids = itertools.count(1)


def post(user, body, *, room="general"):
    services.message_post(user=user, room_slug=room, body=body, client_id=f"page-{next(_ids)}")


def test_the_owner_finds_the_export_link_on_the_settings_page(ada_client, general):
    page = ada_client.get("/rooms/general/settings/")
    link = re.search(r'<a href="([^"]+)"[^>]*>Export history \(JSON\)</a>', page.text)
    assert link and link.group(1) == "/rooms/general/export.json"


def test_the_owner_downloads_the_history_as_a_streamed_json_file(ada_client, ada, general):
    post(ada, 'a "quoted"\nline ✓')
    response = ada_client.get("/rooms/general/export.json")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json"
    today = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="general-{today}.json"'
    assert "no-store" in response["Cache-Control"]
    document = json.loads(b"".join(response.streaming_content))
    assert document["room"]["slug"] == "general" and document["exported_by"] == "ada"
    assert [item["kind"] for item in document["items"]] == ["join", "message"]
    assert document["items"][1]["body"] == 'a "quoted"\nline ✓'


def test_staff_may_export_a_room_they_do_not_own(client, general):
    client.force_login(UserFactory(username="root", is_staff=True))
    response = client.get("/rooms/general/export.json")
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content))["exported_by"] == "root"


def test_a_member_who_is_not_the_owner_is_refused_with_a_page(client, general_with_bob, bob):
    client.force_login(bob)
    response = client.get("/rooms/general/export.json")
    assert response.status_code == 403
    assert not isinstance(response, StreamingHttpResponse)
    assert "text/html" in response["Content-Type"]


def test_a_private_room_someone_cannot_see_is_not_found(client, ada, bob):
    make_room(ada, slug="secret", visibility="private")
    client.force_login(bob)
    assert client.get("/rooms/secret/export.json").status_code == 404


def test_a_member_of_a_private_room_who_is_not_its_owner_is_refused(client, ada, bob):
    room = make_room(ada, slug="club", visibility="private")
    services.room_join(user=bob, room=room)
    client.force_login(bob)
    assert client.get("/rooms/club/export.json").status_code == 403


def test_a_direct_conversation_is_not_exported_from_the_web(ada_client, ada, bob):
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room
    assert ada_client.get(f"/rooms/{direct.slug}/export.json").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, general):
    response = client.get("/rooms/general/export.json")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_only_get_is_allowed(ada_client, general):
    assert ada_client.post("/rooms/general/export.json").status_code == 405


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_export_streams_batch_by_batch_without_reading_it_whole(
    monkeypatch,
):
    """Under ASGI the response's iterator is async (a sync one would be read whole into a list
    first, with Django's warning), and it yields one chunk per batch of items."""
    from asgiref.sync import sync_to_async

    from parley.rooms import export

    @sync_to_async
    def setup():
        ada = UserFactory(username="ada")
        make_room(ada, slug="general")
        for n in range(5):
            post(ada, f"message {n}")
        return ada

    ada = await setup()
    client = AsyncClient()
    await client.aforce_login(ada)
    monkeypatch.setattr(export, "EXPORT_BATCH", 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django's "must consume synchronous iterators"
        response = await client.get("/rooms/general/export.json")
        assert response.status_code == 200 and response.is_async
        chunks = [chunk async for chunk in response.streaming_content]
    assert len(chunks) == 1 + 3 + 1  # the head, 6 items in batches of 2, the members
    document = json.loads(b"".join(chunks))
    assert [item["body"] for item in document["items"][1:]] == [f"message {n}" for n in range(5)]
