"""`GET /api/v1/search` through Django's test client: shapes, statuses, errors as JSON."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parley.rooms import services
from parley.rooms.values import item_value
from parley.wire import frames
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client


def send(user, room, body):
    return services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=uuid.uuid4().hex
    ).item


def history_item(user, room, seq):
    """The message at `seq` as a `history` frame shows it (as the socket builds it)."""
    room, page = services.room_history_read(user=user, slug=room.slug, before=None, limit=200)
    text = frames.history_text(
        room=room.slug,
        items=[item_value(item, room_slug=room.slug) for item in page.items],
        has_more=page.has_more,
        ref=None,
    )
    return next(item for item in json.loads(text)["items"] if item["seq"] == seq)


def error_of(response):
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


def test_results_are_message_items_as_history_shows_them(ada_client, ada, bob, general_with_bob):
    message = send(ada, general_with_bob, "the **search** result")
    services.message_edit(
        user=ada,
        room_slug="general",
        target=message.seq,
        body="the **search** result, edited",
        client_id=uuid.uuid4().hex,
    )
    services.reaction_set(
        user=bob,
        room_slug="general",
        target=message.seq,
        emoji="👍",
        op="add",
        client_id=uuid.uuid4().hex,
    )
    services.message_post(
        user=bob,
        room_slug="general",
        body="a reply",
        client_id=uuid.uuid4().hex,
        thread=message.seq,
    )
    upload = SimpleUploadedFile("plan.txt", b"the plan", "text/plain")
    attached = services.attachment_post(
        user=ada, room_slug="general", upload=upload, body="search with a file"
    ).item

    response = ada_client.get(URL, {"q": "search"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert set(document) == {"results", "next"}
    assert document["next"] is None
    assert document["results"] == [
        history_item(ada, general_with_bob, attached.seq),
        history_item(ada, general_with_bob, message.seq),
    ]
    first, second = document["results"]
    assert first["room"] == second["room"] == "general"
    assert first["attachment"]["name"] == "plan.txt"
    assert second["edited"] and second["replies"] == 1 and second["reactions"]


def test_parameters_room_from_has_limit_and_before(ada_client, ada, bob, general_with_bob):
    make_room(bob, slug="other")
    for n in range(3):
        send(ada, general_with_bob, f"note {n} by ada")
    send(bob, general_with_bob, "note by bob")
    upload = SimpleUploadedFile("a.txt", b"x", "text/plain")
    services.attachment_post(user=bob, room_slug="general", upload=upload, body="note with file")

    by_bob = ada_client.get(URL, {"q": "note", "from": "bob", "room": "general"}).json()
    assert [item["body"] for item in by_bob["results"]] == ["note with file", "note by bob"]
    with_file = ada_client.get(URL, {"q": "note", "has": "file"}).json()
    assert [item["body"] for item in with_file["results"]] == ["note with file"]

    first = ada_client.get(URL, {"q": "note", "from": "ada", "limit": 2}).json()
    assert [item["body"] for item in first["results"]] == ["note 2 by ada", "note 1 by ada"]
    assert isinstance(first["next"], str)
    rest = ada_client.get(URL, {"q": "note", "from": "ada", "limit": 2, "before": first["next"]})
    assert [item["body"] for item in rest.json()["results"]] == ["note 0 by ada"]
    assert rest.json()["next"] is None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "a b"},
        {"q": "x" * 10_000},
        {"q": "abc\x00"},
        {"q": "note", "limit": 0},
        {"q": "note", "limit": 51},
        {"q": "note", "limit": "many"},
        {"q": "note", "before": "not-a-cursor"},
        {"q": "note", "has": "image"},
    ],
)
def test_invalid_requests_are_400_invalid(ada_client, general, params):
    response = ada_client.get(URL, params)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid" and error["message"]


@pytest.mark.parametrize(
    "q", ['"', "*", "NEAR(", "'", "%", "_", "--", "\\", '"NEAR(" abc*', "%_\\"]
)
def test_search_syntax_never_fails_the_request(ada_client, ada, general, q):
    send(ada, general, "text with \" * NEAR( ' % _ -- \\ in it")
    response = ada_client.get(URL, {"q": q})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert error_of(response)["code"] == "invalid"


def test_a_room_one_may_not_read_is_404_like_a_missing_one(client, ada, bob, general):
    make_room(ada, slug="private", visibility="private")
    direct = services.direct_room_open(user=ada, usernames=["bob"]).room
    staff = UserFactory(username="staff", is_staff=True)
    client.force_login(bob)
    hidden = client.get(URL, {"q": "anything", "room": "private"})
    missing = client.get(URL, {"q": "anything", "room": "no-such-room"})
    client.force_login(staff)
    others_direct = client.get(URL, {"q": "anything", "room": direct.slug})
    assert hidden.status_code == missing.status_code == others_direct.status_code == 404
    assert hidden.content == missing.content == others_direct.content
    assert error_of(hidden)["code"] == "room_not_found"


def test_anonymous_requests_get_a_json_401_not_the_login_page(client, general):
    response = client.get(URL, {"q": "anything"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"


def test_other_methods_are_405(ada_client, general):
    for method in (ada_client.post, ada_client.put, ada_client.delete):
        response = method(URL)
        assert response.status_code == 405
        assert "GET" in response["Allow"]


def test_over_the_limit_is_429_with_retry_after(ada_client, general, rate_limits):
    rate_limits.configure(search="1,1/m")
    assert ada_client.get(URL, {"q": "anything"}).status_code == 200
    response = ada_client.get(URL, {"q": "anything"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    error = error_of(response)
    assert error["code"] == "rate_limited" and error["retry_after"] > 0


def test_the_openapi_document_describes_search(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Parley API"
    operation = document["paths"]["/api/v1/search"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "room", "from", "has", "before", "limit"} <= names
