"""The practical limit: a minimal `websockets` broadcast server.

It keeps the set of open connections and sends every message it receives, as it came, to all
of them with `websockets.broadcast` (which encodes the frame once). No JSON, no auth, no
storage: what any chat server must at least do to fan a message out, in Python.

    python -m bench.plain_server --port 8765
"""

from __future__ import annotations

import argparse
import asyncio

from websockets.asyncio.server import ServerConnection, broadcast, serve

CONNECTIONS: set[ServerConnection] = set()
# Like uvicorn's, so a burst of connections is not refused by the listen queue.
BACKLOG = 2048


async def relay(websocket: ServerConnection) -> None:
    """Everything one client sends goes to every open connection, itself included."""
    CONNECTIONS.add(websocket)
    try:
        async for message in websocket:
            broadcast(CONNECTIONS, message)
    finally:
        CONNECTIONS.discard(websocket)


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
