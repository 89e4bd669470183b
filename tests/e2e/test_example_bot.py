"""Bots against the real server process: the example bot (examples/roll_bot.py) answering
`/roll 2d6` over a token socket, and an outgoing webhook answered by a local HTTP server."""

import asyncio
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import uuid

import pytest
from websockets.asyncio.client import connect

from tests.core.http_target import HttpTarget
from tests.e2e.live import ROOT, HttpSession, LiveServer, free_port

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    live = LiveServer(
        tmp_path_factory.mktemp("bots"),
        port=port,
        env={
            # The webhook test's bot listens on 127.0.0.1.
            "PARLEY_ALLOW_PRIVATE_TARGETS": "true",
            "PARLEY_SITE_URL": f"http://127.0.0.1:{port}",
        },
    )
    live.prepare()
    live.start()
    yield live
    live.stop()


def unique(prefix):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def make_bot(server, username, *, room, outgoing_url=""):
    """A bot user (a member of `room`) and a token of it, made in the server's database."""
    code = textwrap.dedent(
        f"""
        from parley.accounts.bots import bot_create
        from parley.accounts.tokens import token_create
        from parley.rooms import services
        from parley.rooms.models import Room
        bot = bot_create(username={username!r}, owner=None, outgoing_url={outgoing_url!r})
        services.room_join(user=bot, room=Room.objects.get(slug={room!r}))
        print(token_create(user=bot, name="test")[1])
        """
    )
    return server.manage("shell", "-c", code).strip().splitlines()[-1]


def person_with_room(server):
    ada = HttpSession(server.base_url)
    ada.signup(unique("ada"))
    slug = unique("dice-")
    status, _body, url = ada.post_form(
        "/rooms/new/", {"name": "Dice", "slug": slug, "visibility": "public"}
    )
    assert url.endswith(f"/rooms/{slug}/"), (status, url)
    return ada, slug


async def next_message_of(ws, username, *, timeout=15):
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "message" and frame["author"]["username"] == username:
                return frame


class BotProcess:
    """examples/roll_bot.py as a subprocess; `wait_for(line)` blocks on its output."""

    def __init__(self, server, token, room):
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.process = subprocess.Popen(
            [sys.executable, "examples/roll_bot.py", "--url", server.base_url, "--room", room],
            cwd=ROOT,
            env={**os.environ, "PARLEY_TOKEN": token, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_for(self, text, timeout=20):
        with self.changed:
            found = self.changed.wait_for(lambda: any(text in line for line in self.lines), timeout)
        assert found, "".join(self.lines)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


async def test_the_example_bot_answers_a_roll_in_range(server):
    ada, slug = person_with_room(server)
    bot_name = unique("roller")
    token = make_bot(server, bot_name, room=slug)
    bot = BotProcess(server, token, slug)
    try:
        await asyncio.to_thread(bot.wait_for, f"listening {slug}")
        async with connect(server.ws_url, additional_headers=ada.ws_headers()) as ws:
            await ws.send(json.dumps({"type": "subscribe", "room": slug}))
            await ws.send(
                json.dumps({"type": "send", "room": slug, "body": "/roll 2d6", "client_id": "r1"})
            )
            answer = await next_message_of(ws, bot_name)
        match = re.fullmatch(r"🎲 2d6: (\d) \+ (\d) = \*\*(\d+)\*\*", answer["body"])
        assert match, answer["body"]
        first, second, total = (int(n) for n in match.groups())
        assert 1 <= first <= 6 and 1 <= second <= 6 and total == first + second
        assert answer["thread"] < answer["seq"]  # in the thread of the command
    finally:
        bot.stop()


async def test_a_mentioned_bot_answers_through_its_outgoing_webhook(server):
    ada, slug = person_with_room(server)
    bot_name = unique("hooked")
    with HttpTarget() as target:
        target.answer("/bot", "Hello from the **webhook**", content_type="text/markdown")
        make_bot(server, bot_name, room=slug, outgoing_url=target.url("/bot"))
        async with connect(server.ws_url, additional_headers=ada.ws_headers()) as ws:
            await ws.send(json.dumps({"type": "subscribe", "room": slug}))
            body = f"@{bot_name} are you there?"
            send = {"type": "send", "room": slug, "body": body, "client_id": "m"}
            await ws.send(json.dumps(send))
            answer = await next_message_of(ws, bot_name)
        [received] = target.received
    payload = received.json()
    assert payload["message"]["body"] == body
    assert payload["reply_url"] == f"{server.base_url}/api/v1/rooms/{slug}/messages"
    assert answer["body"] == "Hello from the **webhook**"
    assert answer["thread"] == payload["message"]["seq"]
