"""A room's export through the real server (uvicorn, ASGI): streamed in chunks, not read whole.

Under ASGI Django reads a sync iterator whole into a list before sending a byte (and warns);
parley/web/export.py hands it an async one. This checks the answer is chunked (no
Content-Length) and the server never printed Django's warning.
"""

import http.client
import json
import uuid

import pytest

from tests.e2e.live import HttpSession, LiveServer

pytestmark = pytest.mark.live

MESSAGES = 2500

FILL = """
from django.contrib.auth import get_user_model
from parley.rooms.models import Item, Room
room = Room.objects.get(slug={slug!r})
ada = get_user_model().objects.get(username={username!r})
Item.objects.bulk_create(
    Item(room=room, seq=seq, kind="message", user=ada, body=f"message {{seq}}")
    for seq in range(2, {last} + 1)
)
Room.objects.filter(pk=room.pk).update(last_seq={last})
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("export-live"))
    live.prepare()
    live.start()
    yield live
    live.stop()


def test_the_owner_downloads_a_large_room_streamed_by_the_real_server(server):
    username, slug = f"ada{uuid.uuid4().hex[:8]}", f"big-{uuid.uuid4().hex[:8]}"
    ada = HttpSession(server.base_url)
    ada.signup(username)
    status, _, url = ada.post_form(
        "/rooms/new/", {"name": "Big", "slug": slug, "visibility": "public"}
    )
    assert url.endswith(f"/rooms/{slug}/"), (status, url)
    server.manage("shell", "-c", FILL.format(slug=slug, username=username, last=MESSAGES + 1))

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", f"/rooms/{slug}/export.json", headers={"Cookie": ada.cookie_header})
    response = connection.getresponse()
    body = response.read()
    connection.close()

    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert response.getheader("Content-Disposition").startswith(f'attachment; filename="{slug}-')
    assert response.getheader("Content-Length") is None
    assert response.getheader("Transfer-Encoding") == "chunked"
    document = json.loads(body)
    assert len(document["items"]) == MESSAGES + 1
    assert document["items"][-1]["body"] == f"message {MESSAGES + 1}"
    assert not any("synchronous iterators" in line for line in server.output)
