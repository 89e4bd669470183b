"""Helpers for the WebSocket contract tests: an inbox over a socket, and data made in sync code.

The server answers a frame and delivers live items concurrently, so a reply and an item may
arrive in either order. `Client` keeps every frame it receives, in arrival order (`frames`), and
lets a test wait for the frame it expects without losing the others (`wait_for`, `request`,
`items`). No sleeps: every wait is for a frame, and "nothing arrives" is a bounded
`receive_nothing`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from parley.rooms import services
from parley.rooms.models import Item, Room
from tests.conftest import ORIGIN, ws_client
from tests.factories import UserFactory
from tests.factories import make_room as make_room_sync

TIMEOUT = 5.0
QUIET = 0.2
ITEM_TYPES = {"message", "event"}
# Another member's socket opening announces `presence` at a moment no test controls; tests of
# other behaviour do not see these frames (tests/realtime/test_presence.py asks for them).
UNSOLICITED_TYPES = frozenset({"presence"})


class SocketClosed(AssertionError):
    def __init__(self, code: int | None) -> None:
        super().__init__(f"the server closed the socket with code {code}")
        self.code = code


class Client:
    """One WebSocket to the real application, seen as frames."""

    def __init__(self, communicator, *, ignore: frozenset[str] = UNSOLICITED_TYPES) -> None:
        self.communicator = communicator
        self.ignore = ignore  # frame types dropped on arrival
        self.frames: list[dict] = []  # every frame received, in arrival order
        self.pending: list[dict] = []  # received, not yet taken by a wait
        self._refs = itertools.count(1)

    # -- sending -------------------------------------------------------------------------------

    async def send(self, frame: dict) -> None:
        await self.communicator.send_json_to(frame)

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def send_bytes(self, data: bytes) -> None:
        await self.communicator.send_to(bytes_data=data)

    def new_ref(self) -> str:
        return f"r{next(self._refs)}"

    # -- receiving -----------------------------------------------------------------------------

    async def _receive(self, timeout: float) -> dict:
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                raise SocketClosed(output.get("code"))
            assert output["type"] == "websocket.send", output
            assert output.get("text") is not None, "the server sent a binary frame"
            frame = json.loads(output["text"])
            # Every server frame is a JSON object with a string `type`.
            assert isinstance(frame, dict) and isinstance(frame.get("type"), str), frame
            if frame["type"] not in self.ignore:
                self.frames.append(frame)
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

    async def assert_quiet(self, *, timeout=QUIET) -> None:
        """Nothing is waiting and nothing arrives for `timeout` seconds."""
        assert self.pending == [], f"unexpected frames: {self.pending}"
        while not await self.communicator.receive_nothing(timeout=timeout):
            frame = await self._receive_any()
            if frame["type"] not in self.ignore:
                raise AssertionError(f"unexpected frame: {frame}")

    async def drain(self, *, timeout=QUIET) -> list[dict]:
        """Take every frame waiting or arriving until `timeout` passes with nothing new."""
        while not await self.communicator.receive_nothing(timeout=timeout):
            frame = await self._receive_any()
            if frame["type"] not in self.ignore:
                self.pending.append(frame)
        taken, self.pending = self.pending, []
        return taken

    async def _receive_any(self) -> dict:
        """The next frame, ignored types included (they are still not recorded)."""
        ignore, self.ignore = self.ignore, frozenset()
        try:
            frame = await self._receive(TIMEOUT)
        finally:
            self.ignore = ignore
        if frame["type"] in ignore:
            self.frames.pop()
        return frame

    def frames_before(self, frame: dict) -> list[dict]:
        return self.frames[: self.position(frame)]

    def frames_after(self, frame: dict) -> list[dict]:
        return self.frames[self.position(frame) + 1 :]

    def position(self, frame: dict) -> int:
        for index, received in enumerate(self.frames):
            if received is frame:
                return index
        raise AssertionError(f"never received {frame}")

    async def wait_closed(self, *, timeout=TIMEOUT) -> tuple[int | None, list[dict]]:
        """The close code the server sends next, and the data frames that came before it."""
        before: list[dict] = []
        while True:
            try:
                before.append(await self._receive(timeout))
            except SocketClosed as closed:
                return closed.code, before

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
async def connect(user, *, ignore: frozenset[str] = UNSOLICITED_TYPES) -> AsyncIterator[Client]:
    """A Client on the real ASGI application, signed in as `user` with a session cookie."""
    async with ws_client(user) as communicator:
        assert communicator.accepted, "the handshake was refused"
        yield Client(communicator, ignore=ignore)


@asynccontextmanager
async def connect_with_cookie(cookie: bytes) -> AsyncIterator[Client]:
    """A Client whose handshake carries exactly this Cookie header (e.g. a browser's session)."""
    from config.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    try:
        assert connected, "the handshake was refused"
        yield Client(communicator)
    finally:
        await communicator.disconnect()


def error_code(frame: dict) -> str | None:
    assert frame["type"] == "error", frame
    return frame["code"]


def seqs(frames: list[dict]) -> list[int]:
    return [frame["seq"] for frame in frames]


# -- data, made in sync code (call through database_sync_to_async in async tests) ---------------


@dataclass(frozen=True)
class StoredItem:
    seq: int
    kind: str
    username: str | None
    body: str
    client_id: str | None
    id: int


def _user(username: str | None = None, **fields):
    if username is not None:
        fields["username"] = username
    return UserFactory(**fields)


def _room(owner, slug: str, *, visibility="public", staff_only=False, members=()):
    room = make_room_sync(owner, slug=slug, visibility=visibility, staff_only=staff_only)
    for member in members:
        services.room_join(user=member, room=room)
    return room


def _post(user, slug: str, body: str, client_id: str) -> Item:
    return services.message_post(user=user, room_slug=slug, body=body, client_id=client_id).item


def _post_many(user, slug: str, count: int, *, prefix: str = "bulk") -> None:
    """`count` messages through the service, in one transaction: fast, and announced at commit."""
    with transaction.atomic():
        for n in range(count):
            _post(user, slug, f"{prefix} {n}", f"{prefix}-{n}")


def _join(user, slug: str) -> None:
    services.room_join(user=user, room=Room.objects.get(slug=slug))


def _leave(user, slug: str) -> None:
    services.room_leave(user=user, room=Room.objects.get(slug=slug))


def _remove_member(actor, slug: str, username: str) -> None:
    services.membership_remove(actor=actor, room=Room.objects.get(slug=slug), username=username)


def _stored(slug: str) -> list[StoredItem]:
    return [
        StoredItem(
            seq=item.seq,
            kind=item.kind,
            username=item.user.username if item.user_id else None,
            body=item.body,
            client_id=item.client_id,
            id=item.pk,
        )
        for item in Item.objects.filter(room__slug=slug).select_related("user").order_by("seq")
    ]


make_user = database_sync_to_async(_user)
make_room = database_sync_to_async(_room)
post = database_sync_to_async(_post)
post_many = database_sync_to_async(_post_many)
join = database_sync_to_async(_join)
leave = database_sync_to_async(_leave)
remove_member = database_sync_to_async(_remove_member)
stored = database_sync_to_async(_stored)


async def stored_messages(slug: str) -> list[StoredItem]:
    return [item for item in await stored(slug) if item.kind == Item.Kind.MESSAGE]
