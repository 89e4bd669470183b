"""The practical limit: a minimal `websockets` broadcast server.

It keeps the set of open connections and sends every message it receives, as it came, to all
of them with `websockets.broadcast` (which encodes the frame once). No auth, no storage: what
any chat server must at least do to fan a message out, in Python. The one thing it answers is a
`subscribe` (a JSON object with "type": "subscribe"), with a `subscribed` to that socket alone,
so that "connect and subscribe" costs it a round trip as it costs Parley one; it subscribes
nothing (every socket gets every message). Messages are never JSON objects (bench/dialects.py).

    python -m bench.plain_server --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json

from websockets.asyncio.server import ServerConnection, broadcast, serve

CONNECTIONS: set[ServerConnection] = set()
# Like uvicorn's, so a burst of connections is not refused by the listen queue.
BACKLOG = 2048


async def relay(websocket: ServerConnection) -> None:
    """Everything one client sends goes to every open connection, itself included; a
    `subscribe` is answered to its sender instead."""
    CONNECTIONS.add(websocket)
    try:
        async for message in websocket:
            if isinstance(message, str) and message.startswith("{"):
                await websocket.send(subscribed(message))
            else:
                broadcast(CONNECTIONS, message)
    finally:
        CONNECTIONS.discard(websocket)


def subscribed(message: str) -> str:
    frame = json.loads(message)
    reply = {"type": "subscribed", "room": frame.get("room"), "last_seq": 0}
    return json.dumps(reply, separators=(",", ":"))


async def main(port: int) -> None:
    async with serve(relay, "127.0.0.1", port, backlog=BACKLOG, compression=None):
        print(f"plain websockets server running on port {port}", flush=True)
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    try:
        import uvloop
    except ImportError:
        asyncio.run(main(port))
    else:
        # The same event loop as uvicorn runs Parley and the tutorial on.
        uvloop.run(main(port))
