"""Rate limits across processes: two real servers sharing a database and a private Redis count
one user's sends against one bucket, whichever process the sockets reach.

The send limit is a burst of 20 refilled at one a minute, so nothing refills during the test:
exactly 20 of 30 sends pass, however they are split between the processes.
"""

import asyncio
import json
import sqlite3

import pytest
from websockets.asyncio.client import connect

from tests.e2e.live import HttpSession
from tests.e2e.services import private_redis, running_servers

pytestmark = pytest.mark.live


@pytest.fixture
def two_processes(tmp_path):
    with private_redis() as redis:
        env = {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
            "REDIS_URL": redis.url,
            "SECRET_KEY": "rate-limit-cluster-secret-key-of-sufficient-length-0123456789",
            "PARLEY_RATE_SEND": "20,1/m",
        }
        with running_servers(tmp_path, env) as servers:
            yield servers, tmp_path / "shared.sqlite3"


async def send_all(ws, prefix: str, count: int) -> list[dict]:
    """Send `count` messages and return the answer (ack or error) to each, by ref."""
    for n in range(count):
        frame = {
            "type": "send",
            "room": "town",
            "body": f"{prefix} {n}",
            "client_id": f"{prefix}-{n}",
        }
        await ws.send(json.dumps({**frame, "ref": f"{prefix}-{n}"}))
    answers: dict[str, dict] = {}
    async with asyncio.timeout(20):
        while len(answers) < count:
            frame = json.loads(await ws.recv())
            if frame.get("ref", "").startswith(prefix):
                answers[frame["ref"]] = frame
    return [answers[f"{prefix}-{n}"] for n in range(count)]


async def test_one_users_sends_share_one_bucket_across_two_processes(two_processes):
    servers, database = two_processes
    ada = HttpSession(servers[0].base_url)
    ada.signup("ada")
    ada.post_form("/rooms/new/", {"name": "Town", "slug": "town", "visibility": "public"})

    async with (
        connect(servers[0].ws_url, additional_headers=ada.ws_headers()) as first,
        connect(
            servers[1].ws_url,
            additional_headers={**ada.ws_headers(), "Origin": servers[1].base_url},
        ) as second,
    ):
        answers = []
        for batch in range(3):  # alternate: 5 on one process, 5 on the other, three times
            answers += await send_all(first, f"a{batch}", 5)
            answers += await send_all(second, f"b{batch}", 5)

    acked = [answer for answer in answers if answer["type"] == "ack"]
    refused = [answer for answer in answers if answer["type"] == "error"]
    assert len(acked) == 20
    assert answers[:20] == acked  # the first 20, whichever process took them
    assert {error["code"] for error in refused} == {"rate_limited"}
    assert all(50 < error["retry_after"] <= 60 for error in refused)
    with sqlite3.connect(database) as db:
        (stored,) = db.execute("SELECT count(*) FROM rooms_item WHERE kind = 'message'").fetchone()
    assert stored == 20
