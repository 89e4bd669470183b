#!/usr/bin/env python3
"""A dice bot for Parley: answers `/roll 2d6` (or `/roll`, one six-sided die) with the dice.

It speaks only the documented API (docs/protocol.md, docs/api.md) with the `websockets` package:

- connects to `/ws/` with `Authorization: Bearer <token>` (a bot's or a person's access token:
  no cookie, no Origin needed);
- subscribes to the rooms named with `--room` (joining them first: a bot must be a member to
  send), or, without `--room`, to every room `GET /api/v1/rooms` says it is a member of; and
  to each direct room someone opens with it (the server's `dm` frame);
- answers each `/roll NdM` message with a message in the same thread, `client_id`
  `roll-<room>-<seq>`: sending it twice (after a reconnect) stores it once;
- reconnects with exponential backoff, resubscribing with `after` so that nothing said
  meanwhile is missed; stops on 4401/4403 (the token is wrong or revoked).

    pip install websockets
    PARLEY_TOKEN=parley_… python examples/roll_bot.py --url https://chat.example.com --room general

It prints one line per room it listens to ("listening <room>") and per answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import urllib.request
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

COMMAND = re.compile(r"^/roll(\s|$)", re.IGNORECASE)
ROLL = re.compile(r"^/roll(?:\s+(\d{0,3})d(\d{1,4}))?\s*$", re.IGNORECASE)
MAX_DICE = 100
MAX_SIDES = 1000
# Close codes after which reconnecting cannot help (docs/protocol.md, "Close codes").
FATAL_CLOSES = {4401, 4403}
USAGE = "Usage: `/roll NdM`, e.g. `/roll 2d6` (at most 100 dice of 2 to 1000 sides)."


def roll_answer(body: str, *, rng: random.Random | None = None) -> str | None:
    """The answer to a message body: None when it is not a `/roll` command."""
    text = body.strip()
    if not COMMAND.match(text):
        return None
    match = ROLL.match(text)
    if match is None:
        return USAGE
    count = int(match.group(1) or 1)
    sides = int(match.group(2) or 6)
    if not 1 <= count <= MAX_DICE or not 2 <= sides <= MAX_SIDES:
        return USAGE
    dice = [(rng or random).randint(1, sides) for _ in range(count)]
    shown = " + ".join(str(d) for d in dice) if count <= 20 else f"{count} dice"
    return f"🎲 {count}d{sides}: {shown} = **{sum(dice)}**"


def member_rooms(base_url: str, token: str) -> list[str]:
    """The slugs of the rooms the token's user is a member of (REST: GET /api/v1/rooms)."""
    # main() took only an http(s) base URL.
    url = f"{base_url}/api/v1/rooms"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        rooms = json.load(response)["rooms"]
    return [room["slug"] for room in rooms if room.get("member")]


class RollBot:
    def __init__(self, *, base_url: str, token: str, rooms: list[str]) -> None:
        self.base_url = base_url.rstrip("/")
        self.ws_url = "ws" + self.base_url.removeprefix("http") + "/ws/"
        self.token = token
        self.rooms = list(rooms)
        # The last seq seen per room: resubscribing with `after` replays what was missed.
        self.seen: dict[str, int] = {}

    async def run(self) -> int:
        if not self.rooms:
            self.rooms = await asyncio.to_thread(member_rooms, self.base_url, self.token)
        backoff = 1.0
        while True:
            try:
                async with connect(
                    self.ws_url, additional_headers={"Authorization": f"Bearer {self.token}"}
                ) as ws:
                    backoff = 1.0
                    await self.serve(ws)
            except InvalidStatus as exc:
                if exc.response.status_code in (401, 403):
                    print(f"refused: HTTP {exc.response.status_code}", file=sys.stderr)
                    return 1
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd else None
                if code in FATAL_CLOSES:
                    print(f"closed with {code}: check the token", file=sys.stderr)
                    return 1
            except OSError as exc:
                print(f"cannot connect: {exc}", file=sys.stderr)
            await asyncio.sleep(backoff + random.random())
            backoff = min(backoff * 2, 60.0)

    async def serve(self, ws: ClientConnection) -> None:
        for room in self.rooms:
            await self.listen_to(ws, room)
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            if kind == "subscribed":
                print(f"listening {frame['room']}", flush=True)
            elif kind == "dm" and frame["room"] not in self.rooms:
                self.rooms.append(frame["room"])
                await self.listen_to(ws, frame["room"])
            elif kind == "message":
                await self.on_message(ws, frame)
            elif kind == "error":
                print(f"error {frame.get('code')}: {frame.get('message')}", file=sys.stderr)

    async def listen_to(self, ws: ClientConnection, room: str) -> None:
        # Joining a room one is in already answers again and changes nothing; a direct room
        # cannot be joined (its participants are its members) and answers `forbidden`.
        if not room.startswith("dm-"):
            await ws.send(json.dumps({"type": "join", "room": room}))
        subscribe: dict[str, Any] = {"type": "subscribe", "room": room}
        if room in self.seen:
            subscribe["after"] = self.seen[room]
        await ws.send(json.dumps(subscribe))

    async def on_message(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        room, seq = frame["room"], frame["seq"]
        self.seen[room] = max(self.seen.get(room, 0), seq)
        answer = roll_answer(frame.get("body") or "")
        if answer is None:
            return
        send = {
            "type": "send",
            "room": room,
            "body": answer,
            "client_id": f"roll-{room}-{seq}"[:64],
            "thread": frame.get("thread") or seq,
        }
        await ws.send(json.dumps(send))
        print(f"answered {room}#{seq}: {answer}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default=os.environ.get("PARLEY_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--room", action="append", default=[], help="a room slug (repeat)")
    args = parser.parse_args(argv)
    if not args.url.startswith(("http://", "https://")):
        parser.error("--url is the server's http:// or https:// address")
    token = os.environ.get("PARLEY_TOKEN", "")
    if not token:
        parser.error("set PARLEY_TOKEN to the bot's access token")
    bot = RollBot(base_url=args.url, token=token, rooms=args.room)
    try:
        return asyncio.run(bot.run())
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
