"""The API through the real server (uvicorn, `config.asgi`, its body limits in front of Django):
every method the contract uses gets through with its body, uploads get the upload limit, and
the refusals made before Django (413) are the API's JSON."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.live import LiveServer

pytestmark = pytest.mark.live

SETUP = """
from django.contrib.auth import get_user_model
from parley.accounts.tokens import token_create
from parley.rooms import services
ada = get_user_model().objects.create_user("ada", password="correct-horse-battery-9")
services.room_create(owner=ada, name="General", slug="general", visibility="public")
print(token_create(user=ada, name="live")[1])
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("api"))
    live.prepare()
    token = live.manage("shell", "-c", SETUP).strip().splitlines()[-1]
    live.start()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{live.base_url}/api/v1", headers=headers, timeout=10) as client:
        yield client
    live.stop()


def test_post_patch_put_and_delete_carry_their_bodies_through_the_server(api):
    sent = api.post(
        "/rooms/general/messages", json={"body": "v1"}, headers={"Idempotency-Key": "a"}
    )
    seq = sent.json()["item"]["seq"]
    edited = api.patch(f"/rooms/general/messages/{seq}", json={"body": "v2"})
    read = api.put("/rooms/general/read", json={"seq": seq})
    reacted = api.post(f"/rooms/general/messages/{seq}/reactions", json={"emoji": "👍"})
    unreacted = api.delete(f"/rooms/general/messages/{seq}/reactions/👍")
    deleted = api.delete(f"/rooms/general/messages/{seq}")

    assert sent.status_code == 201, sent.text
    assert (edited.status_code, edited.json()["item"]["body"]) == (200, "v2"), edited.text
    assert read.status_code == 200, read.text
    assert read.json()["room"] == "general"
    assert [r.status_code for r in (reacted, unreacted, deleted)] == [200, 200, 200]
    assert deleted.json()["item"]["type"] == "delete"


def test_an_upload_larger_than_a_json_body_gets_through(api):
    content = b"x" * (200 * 1024)  # over the 64 KiB of a JSON body, under the upload limit

    response = api.post("/rooms/general/files", files={"file": ("big.txt", content)})

    assert response.status_code == 201, response.text
    assert response.json()["item"]["attachment"]["size"] == len(content)


def test_a_json_body_over_the_limit_is_a_json_413_and_unknown_paths_json_404(api):
    big = api.post(
        "/rooms/general/messages",
        content=b'{"body": "' + b"x" * (100 * 1024) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    unknown = api.get("/nope")

    assert big.status_code == 413
    assert big.json()["error"]["code"] == "too_large"
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
