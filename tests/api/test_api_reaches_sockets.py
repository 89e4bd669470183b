"""What the API changes reaches sockets live: the services emit after commit, the realtime app
publishes, and a subscriber receives the same item the API answered with."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async

from tests.api.conftest import ApiClient, token_of
from tests.support.socket import connect

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_message_posted_through_the_api_reaches_a_subscribed_socket(
    ada, bob, general_with_bob
):
    api = ApiClient(await database_sync_to_async(token_of)(bob))
    async with connect(ada) as socket:
        await socket.subscribe("general")

        response = await sync_to_async(api.post)(
            "/rooms/general/messages", {"body": "from a script"}, headers={"Idempotency-Key": "k"}
        )
        item = await socket.item("general")

        assert response.status_code == 201
        assert item == {**response.json()["item"], "type": "message"}
        assert (item["body"], item["author"], item["client_id"]) == (
            "from a script",
            {"username": "bob"},
            "k",
        )


async def test_an_api_edit_and_reaction_reach_a_subscribed_socket(ada, bob, general_with_bob):
    api = ApiClient(await database_sync_to_async(token_of)(bob))
    async with connect(ada) as socket:
        await socket.subscribe("general")
        sent = await sync_to_async(api.post)("/rooms/general/messages", {"body": "v1"})
        seq = sent.json()["item"]["seq"]
        edited = await sync_to_async(api.patch)(f"/rooms/general/messages/{seq}", {"body": "v2"})
        reacted = await sync_to_async(api.post)(
            f"/rooms/general/messages/{seq}/reactions", {"emoji": "🎉"}
        )

        message = await socket.item("general")
        edit = await socket.wait_for(lambda frame: frame["type"] == "edit")
        reaction = await socket.wait_for(lambda frame: frame["type"] == "reaction")

        assert message["seq"] == seq
        assert edit == edited.json()["item"]
        assert reaction == reacted.json()["item"]
