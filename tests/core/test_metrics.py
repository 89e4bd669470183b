import pytest
from channels.db import database_sync_to_async

from tests.factories import UserFactory
from tests.support.data import make_room, make_user
from tests.support.socket import connect


def metric_value(text: str, name: str) -> float:
    """A sample's value; a labelled sample never seen yet counts as 0."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    if "{" in name:
        return 0.0
    raise AssertionError(f"{name} not in the metrics")


@pytest.mark.django_db
def test_metrics_are_not_public(client):
    assert client.get("/metrics").status_code == 404
    client.force_login(UserFactory())
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_staff_and_the_bearer_token_may_read_metrics(client, settings):
    settings.PARLEY_METRICS_TOKEN = "scrape-me"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me")
    assert response.status_code == 200
    assert "parley_open_connections" in response.content.decode()
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/metrics").status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_metrics_count_stored_messages_deliveries_and_sockets(client):
    staff = await make_user("ops", is_staff=True)
    await make_room(staff, "ops")
    await database_sync_to_async(client.force_login)(staff)

    async def scrape() -> str:
        response = await database_sync_to_async(client.get)("/metrics")
        return response.content.decode()

    before = await scrape()
    async with connect(staff) as ws:
        await ws.send({"type": "subscribe", "room": "ops"})
        await ws.next()
        during = await scrape()
        await ws.send({"type": "send", "room": "ops", "body": "hi", "client_id": "m1"})
        await ws.wait_for(lambda f: f["type"] == "message")
        await ws.send({"type": "history", "room": "ops", "limit": 0})
        await ws.wait_for(lambda f: f["type"] == "error")
        after = await scrape()
    assert metric_value(during, "parley_open_connections") == (
        metric_value(before, "parley_open_connections") + 1
    )
    for name in (
        "parley_messages_stored_total",
        "parley_deliveries_total",
        'parley_errors_total{code="invalid"}',
        'parley_connections_total{outcome="accepted"}',
    ):
        assert metric_value(after, name) == metric_value(before, name) + 1
