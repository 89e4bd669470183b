"""What differs between the servers on the wire: URL, handshake headers, the send frame, joining.

Every server gets the same message body, which carries the load generator's marker
(`~B<phase>:<message>:<sent µs>~`), so one parser reads the arrivals of all three:

- Parley: `/ws/`, a session cookie, `subscribe` to the room, `send` frames with a `client_id`;
  the item comes back inside Parley's `message` frame, and the sender also gets an `ack`.
- the Channels tutorial: `/ws/chat/<room>/`, `{"message": body}` both ways.
- the plain websockets server: `/`, the body itself both ways; a `subscribe` like Parley's,
  answered with a bare `subscribed`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

PARLEY = "parley"
TUTORIAL = "tutorial"
PLAIN = "plain"

MARK = b"~B"
BODY_PAD = 48


@dataclass(frozen=True)
class Target:
    """Where the clients go: the server kind, its port(s), and for Parley the session keys."""

    kind: str
    ports: tuple[int, ...]
    room: str = "bench"
    # Parley: the session key of the user behind client index i (see bench/seed_parley.py).
    sessions: tuple[str, ...] = ()

    def port_for(self, index: int) -> int:
        """Clients alternate between the server processes."""
        return self.ports[index % len(self.ports)]

    def path(self) -> str:
        return {PARLEY: "/ws/", TUTORIAL: f"/ws/chat/{self.room}/", PLAIN: "/"}[self.kind]

    def headers(self, index: int) -> dict[str, str]:
        headers = {"Origin": f"http://127.0.0.1:{self.port_for(index)}"}
        if self.kind == PARLEY:
            headers["Cookie"] = f"sessionid={self.sessions[index]}"
        return headers

    def send_frame(self, body: str, client_id: str) -> str:
        if self.kind == PARLEY:
            frame = {"type": "send", "room": self.room, "body": body, "client_id": client_id}
            return json.dumps(frame)
        if self.kind == TUTORIAL:
            return json.dumps({"message": body})
        return body

    def subscribe_frame(self, after: int | None) -> str | None:
        """Parley's subscribe (with `after` when resuming), and the plain server's (answered,
        so its connections cost the same round trip); the tutorial's URL names its room."""
        if self.kind == TUTORIAL:
            return None
        frame: dict = {"type": "subscribe", "room": self.room}
        if after is not None:
            frame["after"] = after
        return json.dumps(frame)


def body(phase: int, message: int, sent_us: int) -> str:
    """A message body with the marker the receivers parse, padded to a chat-like length."""
    head = f"~B{phase}:{message}:{sent_us}~"
    return head + "x" * max(0, BODY_PAD - len(head))


def client_id(nonce: str, phase: int, message: int) -> str:
    """Parley's idempotency key: unique across the whole run, as the protocol requires."""
    return f"{nonce}.{phase}.{message}"
