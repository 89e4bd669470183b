"""Timelines over the API: items as the socket shows them, send with Idempotency-Key, edit,
delete, reactions and uploads, each through the real app and the socket's services."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from parley.rooms import services
from parley.rooms.models import Item
from parley.rooms.values import item_value
from parley.wire import frames
from tests.api.conftest import API, error_of
from tests.factories import make_room

pytestmark = pytest.mark.django_db


def send(user, room, body, **extra):
    return services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=uuid.uuid4().hex, **extra
    ).item


def history(user, room, **extra):
    """The items of a `history` frame, as the socket builds them."""
    room, page = services.room_history_read(
        user=user, slug=room.slug, before=None, limit=200, **extra
    )
    text = frames.history_text(
        room=room.slug,
        items=[item_value(item, room_slug=room.slug) for item in page.items],
        has_more=page.has_more,
        ref=None,
    )
    return json.loads(text)["items"]


def message_of(items, seq):
    return next(item for item in items if item["seq"] == seq)


# -- reading -------------------------------------------------------------------------------------


def test_items_are_the_socket_history_items(ada_api, ada, bob, general_with_bob):
    root = send(ada, general_with_bob, "the **plan**")
    send(bob, general_with_bob, "a reply", thread=root.seq)
    services.reaction_set(
        user=bob, room_slug="general", target=root.seq, emoji="👍", op="add", client_id="r1"
    )

    response = ada_api.get("/rooms/general/items")

    assert response.status_code == 200
    assert response.json() == {"items": history(ada, general_with_bob), "has_more": False}
    message = response.json()["items"][2]
    assert message["html"] == "<p>the <strong>plan</strong></p>"
    assert message["reactions"] == [{"emoji": "👍", "users": ["bob"]}]


def test_items_page_back_with_before_and_forward_with_after(ada_api, ada, general):
    for n in range(5):  # seqs 2..6 after ada's join at 1
        send(ada, general, f"m{n}")

    newest = ada_api.get("/rooms/general/items", {"limit": 2}).json()
    older = ada_api.get("/rooms/general/items", {"limit": 2, "before": 5}).json()
    oldest = ada_api.get("/rooms/general/items", {"limit": 2, "before": 3}).json()
    after = ada_api.get("/rooms/general/items", {"limit": 2, "after": 3}).json()
    last = ada_api.get("/rooms/general/items", {"limit": 2, "after": 5}).json()

    assert ([i["seq"] for i in newest["items"]], newest["has_more"]) == ([5, 6], True)
    assert ([i["seq"] for i in older["items"]], older["has_more"]) == ([3, 4], True)
    assert ([i["seq"] for i in oldest["items"]], oldest["has_more"]) == ([1, 2], False)
    assert ([i["seq"] for i in after["items"]], after["has_more"]) == ([4, 5], True)
    assert ([i["seq"] for i in last["items"]], last["has_more"]) == ([6], False)


def test_items_around_a_seq_and_of_a_thread(ada_api, ada, general):
    root = send(ada, general, "root")  # 2
    for n in range(3):
        send(ada, general, f"reply {n}", thread=root.seq)  # 3, 4, 5
    send(ada, general, "after")  # 6

    around = ada_api.get("/rooms/general/items", {"around": 4, "limit": 2}).json()
    thread = ada_api.get("/rooms/general/items", {"thread": root.seq}).json()

    assert [i["seq"] for i in around["items"]] == [3, 4]
    assert (around["has_more"], around["has_newer"]) == (True, True)
    assert [i["seq"] for i in thread["items"]] == [2, 3, 4, 5]
    assert (thread["thread"], thread["has_more"]) == (2, False)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"before": -1},
        {"after": -1},
        {"after": 1, "before": 3},
        {"around": 2, "before": 3},
        {"thread": 99},
        {"limit": "x"},
    ],
)
def test_items_refuse_bad_paging_with_400_invalid(ada_api, general, params):
    response = ada_api.get("/rooms/general/items", params)

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


@pytest.mark.parametrize("cursor", ["after", "before", "around", "thread"])
def test_cursors_beyond_any_seq_find_nothing_rather_than_fail(ada_api, general, cursor):
    response = ada_api.get("/rooms/general/items", {cursor: 2**70})

    assert response.status_code == (400 if cursor == "thread" else 200)
    if cursor == "thread":
        assert error_of(response)["code"] == "invalid"
    elif cursor == "after":
        assert response.json() == {"items": [], "has_more": False}
    else:
        assert [item["seq"] for item in response.json()["items"]] == [1]


def test_items_of_a_room_one_may_not_see_are_404_like_no_room(ada_api, bob):
    make_room(bob, slug="hidden", visibility="private")

    hidden = ada_api.get("/rooms/hidden/items")
    missing = ada_api.get("/rooms/nowhere/items")

    assert hidden.status_code == missing.status_code == 404
    assert error_of(hidden) == error_of(missing)
    assert error_of(hidden)["code"] == "room_not_found"


# -- sending -------------------------------------------------------------------------------------


def test_send_answers_201_with_the_message_item(ada_api, general):
    response = ada_api.post(
        "/rooms/general/messages", {"body": "hi @ada"}, headers={"Idempotency-Key": "k-1"}
    )

    assert response.status_code == 201
    item = response.json()["item"]
    assert {k: item[k] for k in ("type", "room", "seq", "body", "client_id", "author")} == {
        "type": "message",
        "room": "general",
        "seq": 2,
        "body": "hi @ada",
        "client_id": "k-1",
        "author": {"username": "ada"},
    }
    assert item["mentions"] == ["ada"]
    assert Item.objects.get(room=general, seq=2).body == "hi @ada"


def test_the_same_idempotency_key_answers_200_with_the_first_item_whatever_the_body(
    ada_api, general
):
    first = ada_api.post(
        "/rooms/general/messages", {"body": "once"}, headers={"Idempotency-Key": "k"}
    )
    again = ada_api.post(
        "/rooms/general/messages", {"body": "once"}, headers={"Idempotency-Key": "k"}
    )
    other = ada_api.post(
        "/rooms/general/messages", {"body": "changed"}, headers={"Idempotency-Key": "k"}
    )

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 200)
    assert again.json() == other.json() == first.json()
    assert other.json()["item"]["body"] == "once"
    assert Item.objects.filter(room=general, kind="message").count() == 1


def test_without_a_key_every_send_is_a_new_message_with_a_server_made_client_id(ada_api, general):
    first = ada_api.post("/rooms/general/messages", {"body": "same"})
    second = ada_api.post("/rooms/general/messages", {"body": "same"})

    assert (first.status_code, second.status_code) == (201, 201)
    ids = [r.json()["item"]["client_id"] for r in (first, second)]
    assert ids[0] != ids[1]
    assert all(len(uuid.UUID(client_id).hex) == 32 for client_id in ids)
    assert [r.json()["item"]["seq"] for r in (first, second)] == [2, 3]


def test_a_reply_goes_into_its_thread(ada_api, ada, general):
    root = send(ada, general, "root")

    response = ada_api.post("/rooms/general/messages", {"body": "reply", "thread": root.seq})

    assert response.status_code == 201
    assert response.json()["item"]["thread"] == root.seq
    assert Item.objects.get(pk=root.pk).reply_count == 1


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ({"body": ""}, None),
        ({"body": "   "}, None),
        ({"body": "x" * 4001}, None),
        ({"body": "nul \u0000 inside"}, None),
        ({"body": "fine"}, "k" * 65),
        ({"body": "fine", "thread": 99}, None),
        ({"body": 123}, None),
        ({"body": "fine", "thread": "3"}, None),
        ({}, None),
        ([], None),
    ],
)
def test_send_refuses_what_the_socket_refuses_with_400_invalid(ada_api, general, payload, key):
    headers = {"Idempotency-Key": key} if key else {}

    response = ada_api.post("/rooms/general/messages", payload, headers=headers)

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"
    assert not Item.objects.filter(room=general, kind="message").exists()


def test_send_to_a_room_one_is_not_a_member_of_is_403(bob_api, general):
    response = bob_api.post("/rooms/general/messages", {"body": "hi"})

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


# -- edits, deletions, reactions -----------------------------------------------------------------


def test_edit_answers_the_edit_item_and_history_shows_the_new_body(ada_api, ada, general):
    message = send(ada, general, "draft")

    response = ada_api.patch(f"/rooms/general/messages/{message.seq}", {"body": "final"})

    assert response.status_code == 200
    item = response.json()["item"]
    assert (item["type"], item["target"], item["body"]) == ("edit", message.seq, "final")
    assert history(ada, general)[1]["body"] == "final"


def test_editing_someone_elses_message_is_403(bob_api, ada, general_with_bob):
    message = send(ada, general_with_bob, "mine")

    response = bob_api.patch(f"/rooms/general/messages/{message.seq}", {"body": "theirs"})

    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_delete_answers_the_delete_item_and_the_message_is_gone(ada_api, ada, general):
    message = send(ada, general, "oops")

    response = ada_api.delete(f"/rooms/general/messages/{message.seq}")
    again = ada_api.delete(f"/rooms/general/messages/{message.seq}")

    assert response.status_code == 200
    assert response.json()["item"]["type"] == "delete"
    assert response.json()["item"]["target"] == message.seq
    assert history(ada, general)[1]["deleted"] is True
    assert again.status_code == 400
    assert error_of(again)["code"] == "invalid"


def test_a_retried_delete_with_its_key_gets_the_same_item(ada_api, ada, general):
    message = send(ada, general, "oops")
    headers = {"Idempotency-Key": "del-1"}

    first = ada_api.delete(f"/rooms/general/messages/{message.seq}", headers=headers)
    retry = ada_api.delete(f"/rooms/general/messages/{message.seq}", headers=headers)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.json() == first.json()


def test_reactions_are_added_and_removed_by_emoji(ada_api, bob_api, ada, general_with_bob):
    message = send(ada, general_with_bob, "vote")
    path = f"/rooms/general/messages/{message.seq}/reactions"

    added = bob_api.post(path, {"emoji": "👍"})
    shown = message_of(history(ada, general_with_bob), message.seq)["reactions"]
    removed = bob_api.delete(f"{path}/%F0%9F%91%8D")

    assert added.status_code == removed.status_code == 200
    assert {k: added.json()["item"][k] for k in ("type", "target", "emoji", "op")} == {
        "type": "reaction",
        "target": message.seq,
        "emoji": "👍",
        "op": "add",
    }
    assert shown == [{"emoji": "👍", "users": ["bob"]}]
    assert removed.json()["item"]["op"] == "remove"
    assert "reactions" not in message_of(history(ada, general_with_bob), message.seq)


@pytest.mark.parametrize("emoji", ["", "not one", "👍👍", "\u0000"])
def test_a_reaction_must_be_exactly_one_emoji(ada_api, ada, general, emoji):
    message = send(ada, general, "vote")

    response = ada_api.post(f"/rooms/general/messages/{message.seq}/reactions", {"emoji": emoji})

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_a_change_to_a_seq_that_is_no_message_is_400(ada_api, general):
    for response in (
        ada_api.patch("/rooms/general/messages/99", {"body": "x"}),
        ada_api.delete("/rooms/general/messages/99"),
        ada_api.post("/rooms/general/messages/99/reactions", {"emoji": "👍"}),
        ada_api.patch(f"/rooms/general/messages/{2**70}", {"body": "x"}),
    ):
        assert response.status_code == 400
        assert error_of(response)["code"] == "invalid"


# -- uploads -------------------------------------------------------------------------------------


def test_a_file_upload_answers_201_with_its_message_and_attachment(ada_api, general):
    upload = SimpleUploadedFile("plan.txt", b"the plan", "text/plain")

    response = ada_api.client.post(
        f"{API}/rooms/general/files",
        {"file": upload, "body": "the plan"},
        headers=ada_api.headers,
    )

    assert response.status_code == 201, response.content
    item = response.json()["item"]
    assert item["body"] == "the plan"
    assert {k: item["attachment"][k] for k in ("name", "size", "content_type")} == {
        "name": "plan.txt",
        "size": 8,
        "content_type": "text/plain",
    }
    download = ada_api.client.get(item["attachment"]["url"], headers=ada_api.headers)
    assert download.status_code in (200, 302)


def test_an_upload_over_the_limit_is_413_and_without_a_file_400(ada_api, general, settings):
    settings.PARLEY = {**settings.PARLEY, "MAX_UPLOAD_BYTES": 4}
    upload = SimpleUploadedFile("big.txt", b"12345", "text/plain")

    big = ada_api.client.post(
        f"{API}/rooms/general/files", {"file": upload}, headers=ada_api.headers
    )
    none = ada_api.client.post(
        f"{API}/rooms/general/files", {"body": "no file"}, headers=ada_api.headers
    )

    assert big.status_code == 413
    assert error_of(big)["code"] == "too_large"
    assert none.status_code == 400
    assert error_of(none)["code"] == "invalid"
