"""Sequential clients that time one request at a time, as a user's browser sees it.

- `search_latency`: `GET /api/v1/search?q=…` over one kept-alive HTTP connection with a session
  cookie, one query after the other.
- `history_latency`: `history` frames over one WebSocket, each sent when the last reply came.
- `subscribe_all`: a `subscribe` for each of a user's rooms, back to back on a new socket, as the
  web client sends them when it opens: the time until the last `subscribed`.

No concurrency on purpose: these figures are the server's latency for one request, not its
throughput, and the machine has two cores for the server and the client together.
"""

from __future__ import annotations

import http.client
import itertools
import json
import time
import urllib.parse
from collections import defaultdict

from bench.loadgen import percentile

TIMEOUT_S = 60.0
# A word none of the generated text contains (no trigram of it occurs): what a search request
# costs besides finding matches (session, rooms the user may read, the framework).
NO_MATCH = "qxqxq"
FLOOR_REQUESTS = 50


def summary(samples_ms: list[float]) -> dict:
    samples_ms = sorted(samples_ms)
    return {
        "count": len(samples_ms),
        "p50_ms": _round(percentile(samples_ms, 0.5)),
        "p95_ms": _round(percentile(samples_ms, 0.95)),
        "max_ms": _round(samples_ms[-1]) if samples_ms else None,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def search_latency(port: int, session: str, queries: list[dict], *, warmup: int) -> dict:
    """p50/p95 over `queries` ({"q", "kind"}), after `warmup` unmeasured ones; per kind too;
    and the floor: the same for a query that matches nothing."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    headers = {"Cookie": f"sessionid={session}"}

    def ask(q: str) -> tuple[float, int, int]:
        path = "/api/v1/search?" + urllib.parse.urlencode({"q": q})
        began = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - began) * 1000
        found = len(json.loads(body)["results"]) if response.status == 200 else 0
        return elapsed, response.status, found

    try:
        for query in itertools.islice(itertools.cycle(queries), warmup):
            ask(query["q"])
        floor = [ask(NO_MATCH)[0] for _ in range(FLOOR_REQUESTS)]
        samples, by_kind = [], defaultdict(list)
        failures: list[str] = []
        empty = 0
        for query in queries:
            elapsed, status, found = ask(query["q"])
            if status != 200:
                failures.append(f"{query['q']!r}: HTTP {status}")
                continue
            samples.append(elapsed)
            by_kind[query["kind"]].append(elapsed)
            empty += found == 0
    finally:
        connection.close()
    return {
        **summary(samples),
        "failed": len(failures),
        "failures": failures[:5],
        "empty_results": empty,
        "by_kind": {kind: summary(values) for kind, values in sorted(by_kind.items())},
        "floor": summary(floor),
    }


def history_latency(
    port: int, session: str, room: str, positions: dict[str, int | None], *, repeats: int
) -> dict:
    """p50/p95 of a page of 50 at each position (`before`, None for the newest), the positions
    taken in turn `repeats` times (so that the machine's drift falls on all of them alike)."""
    from websockets.sync.client import connect

    origin = f"http://127.0.0.1:{port}"
    samples: dict[str, list[float]] = {name: [] for name in positions}
    sizes: dict[str, int] = {}
    with connect(
        f"ws://127.0.0.1:{port}/ws/",
        origin=origin,
        additional_headers={"Cookie": f"sessionid={session}"},
        compression=None,
        max_size=None,
        open_timeout=TIMEOUT_S,
    ) as socket:
        for n in range(repeats + 1):
            for name, before in positions.items():
                ref = f"h{n}-{name}"
                frame: dict = {"type": "history", "room": room, "limit": 50, "ref": ref}
                if before is not None:
                    frame["before"] = before
                began = time.perf_counter()
                socket.send(json.dumps(frame))
                while True:
                    reply = json.loads(socket.recv(timeout=TIMEOUT_S))
                    if reply.get("ref") == ref:
                        break
                elapsed = (time.perf_counter() - began) * 1000
                if reply.get("type") != "history":
                    raise RuntimeError(f"history {frame}: {reply}")
                sizes[name] = len(reply["items"])
                if n:  # the first round warms up
                    samples[name].append(elapsed)
    return {
        name: {**summary(values), "before": positions[name], "items": sizes[name]}
        for name, values in samples.items()
    }


def subscribe_all(port: int, session: str, rooms: list[str], *, repeats: int, unread: int) -> dict:
    """Ms from the first `subscribe` sent until every room's `subscribed` came: once on the
    server as it started (`first_ms`), then `repeats` times (p50/p95/max), each on a new socket.
    Any error fails it; `wrong_unread` counts the rooms (of the last time) whose `unread` is
    not `unread`, the messages seeded in each."""
    samples: list[float] = []
    last: dict[str, dict] = {}
    for _ in range(repeats + 1):
        elapsed, last = _subscribe_all_once(port, session, rooms)
        samples.append(elapsed)
    return {
        "first_ms": _round(samples[0]),
        **summary(samples[1:]),
        "wrong_unread": sum(1 for frame in last.values() if frame.get("unread") != unread),
    }


def _subscribe_all_once(port: int, session: str, rooms: list[str]) -> tuple[float, dict[str, dict]]:
    from websockets.sync.client import connect

    frames = [json.dumps({"type": "subscribe", "room": room, "ref": room}) for room in rooms]
    subscribed: dict[str, dict] = {}
    with connect(
        f"ws://127.0.0.1:{port}/ws/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": f"sessionid={session}"},
        compression=None,
        max_size=None,
        open_timeout=TIMEOUT_S,
    ) as socket:
        began = time.perf_counter()
        for frame in frames:
            socket.send(frame)
        while len(subscribed) < len(rooms):
            reply = json.loads(socket.recv(timeout=TIMEOUT_S))
            if reply.get("type") == "error":
                raise RuntimeError(f"subscribe {reply.get('ref')}: {reply}")
            if reply.get("type") == "subscribed":
                subscribed[reply["room"]] = reply
        elapsed = (time.perf_counter() - began) * 1000
    return elapsed, subscribed
