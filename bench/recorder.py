"""What one load generator worker sees: arrivals, duplicates, latencies, acks and seq order.

`Recorder.on_message` runs once per received frame, so it does as little as it can: it finds
the body marker, splits three integers, and marks the message as seen on that client. Frames
without the marker are Parley's replies (`ack`, `subscribed`, `error`, …), handled apart; a
client with an `OnlineView` (bench/views.py) also keeps who is online from them.
"""

from __future__ import annotations

import json
from array import array

from bench.dialects import MARK
from bench.views import MEMBERS, PRESENCE
from bench.wsclient import WsClient

ACK = b'{"type":"ack"'
MESSAGE = b'{"type":"message"'
SUBSCRIBED = b'{"type":"subscribed"'
ERROR = b'{"type":"error"'
CLIENT_ID = b'"client_id":"'
SEQ = b'"seq":'
ERROR_SAMPLES = 5


class Recorder:
    """Counters of the current phase, plus each client's seq cursor across phases (Parley)."""

    def __init__(self, *, track_seq: bool) -> None:
        self.track_seq = track_seq
        self.phase = -1
        self.total = 0
        self.sent_at: dict[int, int] = {}
        self.seq_dups = 0
        self.seq_gaps = 0
        self.errors = 0
        self.error_samples: list[str] = []
        self.reset()

    def reset(self) -> None:
        """Zero the per-phase counters."""
        self.latencies = array("f")
        self.acks = array("f")
        self.deliveries = 0
        self.dups = 0
        self.stray = 0
        self.last_arrival_us = 0

    def begin(self, phase: int, total: int, clients: list[WsClient]) -> None:
        """Start counting phase `phase`, in which `total` messages will be sent."""
        self.reset()
        self.phase, self.total = phase, total
        self.sent_at = {}
        for client in clients:
            client.seen = bytearray(total)
            client.got = 0

    def on_message(self, client: WsClient, payload: bytes, now_us: int) -> None:
        if self.track_seq and payload.startswith(MESSAGE):
            self._track_seq(client, payload)
        start = payload.find(MARK)
        if start < 0:
            self._on_reply(client, payload, now_us)
            return
        phase, message, sent_us = payload[start + 2 : payload.find(b"~", start + 2)].split(b":")
        if int(phase) != self.phase:
            self.stray += 1
            return
        message = int(message)
        if client.seen[message]:
            self.dups += 1
        else:
            client.seen[message] = 1
            client.got += 1
            self.deliveries += 1
        self.latencies.append((now_us - int(sent_us)) / 1000)
        self.last_arrival_us = now_us

    def _track_seq(self, client: WsClient, payload: bytes) -> None:
        """Each socket must see seq last+1, last+2, …: count repeats and holes."""
        at = payload.find(SEQ) + len(SEQ)
        seq = int(payload[at : payload.find(b",", at)])
        if seq <= client.last_seq:
            self.seq_dups += 1
            return
        if client.last_seq and seq > client.last_seq + 1:
            self.seq_gaps += seq - client.last_seq - 1
        client.last_seq = seq

    def _on_reply(self, client: WsClient, payload: bytes, now_us: int) -> None:
        if payload.startswith(ACK):
            self._on_ack(payload, now_us)
        elif payload.startswith(SUBSCRIBED):
            self._on_subscribed(client, payload, now_us)
        elif client.view is not None and payload.startswith(PRESENCE):
            client.view.on_presence(payload, now_us)
        elif client.view is not None and payload.startswith(MEMBERS):
            client.view.on_members(payload, now_us)
        elif payload.startswith(ERROR):
            self.errors += 1
            if len(self.error_samples) < ERROR_SAMPLES:
                self.error_samples.append(payload.decode()[:300])
            if client.subscribed is not None and not client.subscribed.done():
                client.subscribed.set_exception(RuntimeError(payload.decode()[:300]))

    def _on_subscribed(self, client: WsClient, payload: bytes, now_us: int) -> None:
        """A fresh socket is live from the room's last seq on; a resuming one keeps its own."""
        if not client.last_seq:
            client.last_seq = int(json.loads(payload)["last_seq"])
        if client.view is not None:
            for ask in client.view.on_subscribed(payload, now_us):
                client.send_text(ask)
        if client.subscribed is not None and not client.subscribed.done():
            client.subscribed.set_result(payload)

    def _on_ack(self, payload: bytes, now_us: int) -> None:
        at = payload.find(CLIENT_ID) + len(CLIENT_ID)
        _, phase, message = payload[at : payload.find(b'"', at)].split(b".")
        if int(phase) == self.phase:
            sent_us = self.sent_at.get(int(message))
            if sent_us is not None:
                self.acks.append((now_us - sent_us) / 1000)
