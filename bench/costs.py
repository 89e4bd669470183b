"""What Parley's fan-out design saves per delivery, measured piece by piece in one process.

Each line times one step the tutorial pattern pays per recipient and Parley pays once per
message (or not at all), with the same libraries the servers run:

- encoding the frame: `json.dumps` per recipient (tutorial) vs Parley's `orjson` once;
- the channel layer: one in-memory layer message per member (group_send to a group of N
  consumer channels, then each consumer's receive) vs one message per process;
- the dispatch hop: Channels 4.2+ awaits `aclose_old_connections()` (a hop to the database
  thread) before every handler, so once per recipient; Parley's consumer skips it;
- and what Parley pays per recipient instead: its outbound queue (put, then the writer wakes),
  and the `parley_deliveries_total` counter.

    python -m bench.costs    # prints JSON: microseconds per delivery for each step
"""

from __future__ import annotations

import asyncio
import json
import os
import time

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.tutorial_settings"

import django

django.setup()

from datetime import UTC, datetime  # noqa: E402

from channels.db import aclose_old_connections  # noqa: E402
from channels.layers import InMemoryChannelLayer  # noqa: E402
from prometheus_client import CollectorRegistry, Counter  # noqa: E402

from parley.wire import frames  # noqa: E402
from parley.wire.values import ItemValue  # noqa: E402

MEMBERS = 1000
ROUNDS = 20


def frame_payload() -> dict:
    """A message item as Parley sends it, with a chat-sized body."""
    return frames.item(
        ItemValue(
            room="bench",
            seq=123456,
            id=9876543,
            kind="message",
            username="u00042",
            body="~B1:1234:123456789012~" + "x" * 26,
            created_at=datetime(2026, 11, 21, 8, 0, 0, 123000, tzinfo=UTC),
            client_id="0123456789.1.1234",
        )
    )


def per_call_us(function, count: int) -> float:
    began = time.perf_counter()
    for _ in range(count):
        function()
    return (time.perf_counter() - began) / count * 1e6


def encoding() -> dict[str, float]:
    payload = frame_payload()
    count = MEMBERS * ROUNDS
    return {
        "json.dumps per recipient (tutorial)": per_call_us(lambda: json.dumps(payload), count),
        "orjson encode, once per message (Parley)": per_call_us(
            lambda: frames.encode(payload), count
        ),
    }


async def layer_per_member(members: int) -> float:
    """In-memory layer: group_send to `members` channels, then every channel's receive.

    Every receive also sweeps every channel and group for expired messages, so the cost per
    member grows with the room.
    """
    layer = InMemoryChannelLayer(capacity=ROUNDS + 1)
    channels = [await layer.new_channel() for _ in range(members)]
    for channel in channels:
        await layer.group_add("room", channel)
    message = {"type": "chat.message", "message": frame_payload()["body"]}
    began = time.perf_counter()
    for _ in range(ROUNDS):
        await layer.group_send("room", message)
        for channel in channels:
            await layer.receive(channel)
    return (time.perf_counter() - began) / (ROUNDS * members) * 1e6


async def dispatch_hop() -> float:
    """One `aclose_old_connections()`: what Channels awaits before every consumer handler."""
    count = MEMBERS * 2
    began = time.perf_counter()
    for _ in range(count):
        await aclose_old_connections()
    return (time.perf_counter() - began) / count * 1e6


async def queue_per_delivery() -> float:
    """A per-socket outbound queue (Parley until 2026-11-21): put_nowait, then a writer task
    per socket takes it."""
    queues = [asyncio.Queue() for _ in range(MEMBERS)]
    round_done = asyncio.Event()
    remaining = 0

    async def writer(queue: asyncio.Queue) -> None:
        nonlocal remaining
        while True:
            await queue.get()
            remaining -= 1
            if not remaining:
                round_done.set()

    tasks = [asyncio.create_task(writer(queue)) for queue in queues]
    await asyncio.sleep(0)
    began = time.perf_counter()
    for _ in range(ROUNDS):
        round_done.clear()
        remaining = MEMBERS
        for queue in queues:
            queue.put_nowait("frame")
        await round_done.wait()
    elapsed = time.perf_counter() - began
    for task in tasks:
        task.cancel()
    return elapsed / (ROUNDS * MEMBERS) * 1e6


async def direct_write_per_delivery() -> float:
    """Parley's Connection.deliver to sockets that keep up: the send (here one that finishes at
    once, like uvicorn's while the transport accepts data) is stepped by hand, no task switch."""
    from parley.realtime.connection import Connection, Subscription

    written = 0

    async def send(frame: str) -> None:
        nonlocal written
        written += 1

    async def close(code: int) -> None:
        pass

    sockets = []
    for n in range(MEMBERS):
        conn = Connection(
            user_id=n, username=f"u{n}", is_staff=False, session_key=None,
            send=send, close=close, max_queued=1000,
        )  # fmt: skip
        conn.subscriptions[1] = Subscription(room_id=1, slug="bench", buffer=None)
        sockets.append(conn)
    began = time.perf_counter()
    for seq in range(1, ROUNDS + 1):
        for conn in sockets:
            conn.deliver(1, seq, "frame")
    elapsed = time.perf_counter() - began
    assert written == ROUNDS * MEMBERS
    return elapsed / (ROUNDS * MEMBERS) * 1e6


def counter_per_delivery() -> float:
    counter = Counter("bench_deliveries", "deliveries", registry=CollectorRegistry())
    return per_call_us(counter.inc, MEMBERS * ROUNDS)


async def measure() -> dict[str, float]:
    results = encoding()
    for members in (100, MEMBERS):
        step = f"in-memory layer message per member, room of {members} (tutorial)"
        results[step] = await layer_per_member(members)
    hop = "dispatch hop to the database thread per event (Channels ≥ 4.2 default)"
    results[hop] = await dispatch_hop()
    queue = "outbound queue put + writer task wake-up per delivery (Parley before b9655f6)"
    results[queue] = await queue_per_delivery()
    direct = "Connection.deliver, written at once, per delivery (Parley)"
    results[direct] = await direct_write_per_delivery()
    counter = "prometheus Counter.inc per delivery (Parley before b9655f6; now once per item)"
    results[counter] = counter_per_delivery()
    return {name: round(value, 2) for name, value in results.items()}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(measure())))
