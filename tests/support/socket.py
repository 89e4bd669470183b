"""The one socket client of the in-process tests: a WebSocket to the real ASGI application
(`config.asgi.application`, through channels' WebsocketCommunicator), seen as frames.

The server answers a frame and delivers live items concurrently, so a reply and an item may
arrive in either order. `Socket` keeps every frame it receives, in arrival order (`frames`), and
lets a test wait for the frame it expects without losing the others (`wait_for`, `request`,
`items`).

No sleeps, and no "nothing arrives within N seconds" by default. `assert_quiet` and `drain` wait
for two frames that come after everything the server would have sent before them:

- the `pong` to a `ping` sent now: one socket's frames are handled in order and its outbound
  frames go out in the order they were pushed, so the answers to every earlier frame of this
  socket come before it;
- then a marker published now for the socket's user on the path of every live frame (the
  publisher's one ordered queue, the channel layer, the hub: parley/realtime/broadcast.py): it
  reaches the socket after whatever was published before it (items, typing, receipts, `read`
  pointers, closes). The hub hands items on as they come unless a gap makes it wait for a refill;
  refills, the presence grace and other timers of the server are not ordered with it.

Where what must not come is driven by such a timer, a test says so and waits for a time window
(`assert_quiet_for`, `drain_for`).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from parley.realtime import broadcast
from tests.support.sessions import session_cookie_for, session_user_id

TIMEOUT = 5.0
ORIGIN = (b"origin", b"http://127.0.0.1")
# The scope's client, as uvicorn sets it: the address the per-address limits count.
ADDRESS = "192.0.2.10"
ITEM_TYPES = frozenset({"message", "event"})
# Another member's socket opening announces `presence` at a moment no test controls; tests of
# other behaviour do not see these frames (the presence tests ask for them: `ignore=frozenset()`).
UNSOLICITED_TYPES = frozenset({"presence"})
# Not a server frame: the tests' own, sent through the hub (see the module docstring).
MARKER = "test.marker"


class SocketClosed(AssertionError):
    def __init__(self, code: int | None) -> None:
        super().__init__(f"the server closed the socket with code {code}")
        self.code = code


class Socket:
    """One WebSocket to the real application, seen as frames."""

    def __init__(
        self,
        communicator: WebsocketCommunicator,
        *,
        user_id: int | None,
        accepted: bool,
        ignore: frozenset[str] = UNSOLICITED_TYPES,
    ) -> None:
        self.communicator = communicator
        self.user_id = user_id  # whose sockets the hub markers go to
        self.accepted = accepted  # the handshake's answer
        self.ignore = ignore  # frame types dropped on arrival
        self.frames: list[dict] = []  # every frame received, in arrival order
        self.pending: list[dict] = []  # received, not yet taken by a wait
        self._refs = itertools.count(1)
        self._markers: set[str] = set()  # tokens of the hub markers that arrived

    # -- sending -------------------------------------------------------------------------------

    async def send(self, frame: dict) -> None:
        await self.communicator.send_json_to(frame)

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def send_bytes(self, data: bytes) -> None:
        await self.communicator.send_to(bytes_data=data)

    async def send_raw(self, kind: str, payload: str | bytes) -> None:
        """One `text` or `bytes` frame exactly as given, empty ones included."""
        await self.communicator.send_input({"type": "websocket.receive", kind: payload})

    def new_ref(self) -> str:
        return f"r{next(self._refs)}"

    # -- receiving -----------------------------------------------------------------------------

    async def _output(self, timeout: float) -> dict | None:
        """The next thing the application sends, as a frame; None for an ignored type. A hub
        marker is noted, and never recorded in `frames`."""
        output = await self.communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            raise SocketClosed(output.get("code"))
        assert output["type"] == "websocket.send", output
        assert output.get("text") is not None, "the server sent a binary frame"
        frame = json.loads(output["text"])
        # Every server frame is a JSON object with a string `type`.
        assert isinstance(frame, dict) and isinstance(frame.get("type"), str), frame
        if frame["type"] == MARKER:
            self._markers.add(frame["token"])
            return frame
        if frame["type"] in self.ignore:
            return None
        self.frames.append(frame)
        return frame

    async def _arrival(self, timeout: float) -> dict:
        """The next frame the socket is shown (hub markers included)."""
        while True:
            frame = await self._output(timeout)
            if frame is not None:
                return frame

    async def _receive(self, timeout: float) -> dict:
        """The next server frame (markers meant for any socket of the user are passed over)."""
        while True:
            frame = await self._arrival(timeout)
            if frame["type"] != MARKER:
                return frame

    async def wait_for(self, predicate: Callable[[dict], bool], *, timeout=TIMEOUT) -> dict:
        """The first frame (already received or still to come) that matches; others are kept."""
        for index, frame in enumerate(self.pending):
            if predicate(frame):
                return self.pending.pop(index)
        while True:
            frame = await self._receive(timeout)
            if predicate(frame):
                return frame
            self.pending.append(frame)

    async def next(self, *, timeout=TIMEOUT) -> dict:
        """The next frame in arrival order (one kept by an earlier wait first)."""
        return await self.wait_for(lambda frame: True, timeout=timeout)

    async def request(self, frame: dict, *, timeout=TIMEOUT) -> dict:
        """Send `frame` with a fresh `ref` (unless it has one) and return the frame echoing it."""
        frame = {"ref": self.new_ref(), **frame}
        await self.send(frame)
        return await self.wait_for(lambda f: f.get("ref") == frame["ref"], timeout=timeout)

    async def items(self, room: str, count: int, *, timeout=TIMEOUT) -> list[dict]:
        """The next `count` timeline items of `room`, in arrival order."""
        got: list[dict] = []
        while len(got) < count:
            got.append(
                await self.wait_for(
                    lambda f: f["type"] in ITEM_TYPES and f.get("room") == room, timeout=timeout
                )
            )
        return got

    async def item(self, room: str, *, timeout=TIMEOUT) -> dict:
        return (await self.items(room, 1, timeout=timeout))[0]

    def frames_before(self, frame: dict) -> list[dict]:
        return self.frames[: self.position(frame)]

    def frames_after(self, frame: dict) -> list[dict]:
        return self.frames[self.position(frame) + 1 :]

    def position(self, frame: dict) -> int:
        for index, received in enumerate(self.frames):
            if received is frame:
                return index
        raise AssertionError(f"never received {frame}")

    # -- "nothing else": awaited, not timed ----------------------------------------------------

    async def drain(self) -> list[dict]:
        """Every frame waiting, or arriving before the answer to a ping sent now and then a hub
        marker published after it (the module docstring says what that covers)."""
        taken, self.pending = self.pending, []
        ref = self.new_ref()
        await self.send({"type": "ping", "ref": ref})
        while (frame := await self._receive(TIMEOUT)) != {"type": "pong", "ref": ref}:
            taken.append(frame)
        token = await self._publish_marker()
        while token not in self._markers:
            frame = await self._arrival(TIMEOUT)
            if frame["type"] != MARKER:
                taken.append(frame)
        return taken

    async def assert_quiet(self) -> None:
        """Nothing is waiting, and nothing comes before a ping's answer and a hub marker."""
        assert self.pending == [], f"unexpected frames: {self.pending}"
        unexpected = await self.drain()
        assert unexpected == [], f"unexpected frames: {unexpected}"

    async def _publish_marker(self) -> str:
        assert self.user_id is not None, "a hub marker goes to a signed-in user's sockets"
        token = f"{id(self):x}-{self.new_ref()}"
        frame = json.dumps({"type": MARKER, "token": token})
        await broadcast.publish(
            broadcast.CONTROL_GROUP,
            broadcast.user_frame_message(self.user_id, 0, frame, except_socket_id=None),
        )
        return token

    # -- "nothing else" for a while: only where no event can be awaited -------------------------

    async def drain_for(self, seconds: float) -> list[dict]:
        """Take every frame waiting or arriving until `seconds` pass with nothing new."""
        taken, self.pending = self.pending, []
        while not await self.communicator.receive_nothing(timeout=seconds):
            frame = await self._output(TIMEOUT)
            if frame is not None and frame["type"] != MARKER:
                taken.append(frame)
        return taken

    async def assert_quiet_for(self, seconds: float) -> None:
        """Nothing is waiting and nothing arrives for `seconds` seconds."""
        assert self.pending == [], f"unexpected frames: {self.pending}"
        unexpected = await self.drain_for(seconds)
        assert unexpected == [], f"unexpected frames: {unexpected}"

    # -- the end of the socket -----------------------------------------------------------------

    async def wait_closed(self, *, timeout=TIMEOUT) -> tuple[int | None, list[dict]]:
        """The close code the server sends next, and the data frames that came before it
        (those kept by earlier waits first)."""
        before, self.pending = self.pending, []
        while True:
            try:
                before.append(await self._receive(timeout))
            except SocketClosed as closed:
                return closed.code, before

    async def close_code(self, *, within: float = TIMEOUT) -> int | None:
        """The code of the close the server sends within `within` seconds (frames before it are
        passed over)."""
        code, _ = await self.wait_closed(timeout=within)
        return code

    async def end(self) -> list[dict]:
        """Disconnect and wait for the application to return: then it has sent all it ever
        will. The frames it sent that no wait took (ignored types too)."""
        await self.communicator.disconnect(timeout=TIMEOUT)
        left = []
        while not self.communicator.output_queue.empty():
            left.append(self.communicator.output_queue.get_nowait())
        return left

    # -- shortcuts -----------------------------------------------------------------------------

    async def subscribe(self, room: str, **fields) -> dict:
        reply = await self.request({"type": "subscribe", "room": room, **fields})
        assert reply["type"] == "subscribed", reply
        return reply

    async def ping_works(self) -> None:
        """The socket is open and usable: a ping gets its pong with the same ref."""
        ref = self.new_ref()
        assert await self.request({"type": "ping", "ref": ref}) == {"type": "pong", "ref": ref}


@asynccontextmanager
async def connect(
    user=None,
    *,
    cookie: bytes | None = None,
    origin: tuple[bytes, bytes] | None = ORIGIN,
    headers: list[tuple[bytes, bytes]] = (),
    scheme: str | None = None,
    address: str | None = ADDRESS,
    ignore: frozenset[str] = UNSOLICITED_TYPES,
    accepted: bool | None = True,
) -> AsyncIterator[Socket]:
    """A socket on config.asgi.application, disconnected on exit.

    Signed in as `user` (a fresh session), or with exactly this Cookie header (e.g. a browser's
    session), or anonymous; with this Origin header (None: none), more `headers`, the scope's
    `scheme`, and the client `address`. The handshake must be `accepted` (True), refused
    (False), or either (None): `socket.accepted` says which.
    """
    from config.asgi import application

    all_headers = [origin] if origin else []
    user_id = None
    if cookie is None and user is not None:
        cookie = await database_sync_to_async(session_cookie_for)(user)
        user_id = user.pk
    elif cookie is not None:
        user_id = await database_sync_to_async(session_user_id)(cookie)
    if cookie is not None:
        all_headers.append((b"cookie", cookie))
    all_headers.extend(headers)
    communicator = WebsocketCommunicator(application, "/ws/", headers=all_headers)
    if address is not None:
        communicator.scope["client"] = (address, 50_000)
    if scheme is not None:
        communicator.scope["scheme"] = scheme
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    try:
        if accepted is not None:
            assert connected is accepted, (
                f"the handshake was {'refused' if accepted else 'accepted'}"
            )
        yield Socket(communicator, user_id=user_id, accepted=connected, ignore=ignore)
    finally:
        # Wait for the consumer's disconnect() (which frees the socket's place in the caps)
        # longer than the communicator's default second, which a busy machine can exceed.
        await communicator.disconnect(timeout=TIMEOUT)


def error_code(frame: dict) -> str:
    assert frame["type"] == "error", frame
    return frame["code"]


def seqs(frames: list[dict]) -> list[int]:
    return [frame["seq"] for frame in frames]
