"""What one load generator client knows of who is online in its room (the `presence` scenario).

The room's members are exactly users 0..size-1 (usernames `u00000`…, bench/seed_parley.py), and
client i is user i. A client learns who is online as a client of the protocol must
(docs/protocol.md "Big rooms"):

- from `subscribed`'s `members` (each entry's `online`); in a big room that lists only the first
  page and carries `members_total`, so the client asks for the rest at once, with `members`
  frames of `PAGE_LIMIT` from the end of that page on;
- from `presence` frames after it, in either form (one `user` and `online`, or `users`
  [{`username`, `online`, `idle`}…]).

A page is a snapshot taken when the server answers, and presence changes may reach the client
between its request and the answer: a page entry therefore never overrides a user a `presence`
frame has already told about (the pages are asked right after `subscribed`, before any
`presence` frame, so whatever a `presence` frame said is newer than the request). The client's
own user is left out of the view, as a client ignores its own entry in a batch.

The view is right when every other member is online in it: in the scenario all of them connect
and stay connected.
"""

from __future__ import annotations

import json
from array import array

PRESENCE = b'{"type":"presence"'
MEMBERS = b'{"type":"members"'
PAGE_LIMIT = 200  # the protocol's largest `members` page


class OnlineView:
    """One client's view of which of the room's `size` members are online, itself left out."""

    def __init__(self, *, own: int, size: int) -> None:
        self.own = own
        self.size = size
        self.online = bytearray(size)
        self.count = 0  # other members online in the view
        # Users a `presence` frame told about: page entries do not override them (see above).
        self.by_presence = bytearray(size)
        # When a `presence` frame first said each user was online (µs, monotonic; 0: never).
        self.learned_us = array("q", bytes(8 * size))
        # The last moment the view became right (0: never).
        self.complete_us = 0
        self.presence_frames = 0
        self.presence_entries = 0
        self.pages_asked = 0
        self.pages_answered = 0
        self.strangers = 0  # usernames that are not members of the room

    @property
    def right(self) -> bool:
        return self.count == self.size - 1

    def index(self, username: str | None) -> int | None:
        """The member index of `username`; None for the client's own user or a stranger."""
        if not username or username[0] != "u" or not username[1:].isdigit():
            self.strangers += 1
            return None
        index = int(username[1:])
        if index >= self.size:
            self.strangers += 1
            return None
        return None if index == self.own else index

    def _set(self, index: int, online: bool, now_us: int) -> None:
        if self.online[index] != online:
            self.online[index] = online
            self.count += 1 if online else -1
            if self.right:
                self.complete_us = now_us

    def on_subscribed(self, payload: bytes, now_us: int) -> list[str]:
        """Apply `subscribed`'s members; the `members` frames that ask for the rest of them."""
        frame = json.loads(payload)
        for entry in frame["members"]:
            index = self.index(entry["username"])
            if index is not None:
                self._set(index, entry["online"], now_us)
        total = frame.get("members_total")
        if total is None:
            return []
        asks = [
            json.dumps(
                {
                    "type": "members",
                    "room": frame["room"],
                    "offset": offset,
                    "limit": PAGE_LIMIT,
                    "ref": f"page{offset}",
                }
            )
            for offset in range(len(frame["members"]), total, PAGE_LIMIT)
        ]
        self.pages_asked += len(asks)
        return asks

    def on_members(self, payload: bytes, now_us: int) -> None:
        """A page: its entries, except those of users a `presence` frame has told about."""
        self.pages_answered += 1
        for entry in json.loads(payload)["members"]:
            index = self.index(entry["username"])
            if index is not None and not self.by_presence[index]:
                self._set(index, entry["online"], now_us)

    def on_presence(self, payload: bytes, now_us: int) -> None:
        frame = json.loads(payload)
        self.presence_frames += 1
        if "users" in frame:
            changes = [(entry["username"], entry["online"]) for entry in frame["users"]]
        else:
            changes = [(frame["user"]["username"], frame["online"])]
        self.presence_entries += len(changes)
        for username, online in changes:
            index = self.index(username)
            if index is None:
                continue
            self.by_presence[index] = 1
            if online and not self.learned_us[index]:
                self.learned_us[index] = now_us
            self._set(index, online, now_us)

    def latencies_ms(self, opened_us: array[int]) -> array[float]:
        """For each user a `presence` frame announced online: ms from that user's socket
        opening (`opened_us[user]`, 0: unknown) to the announcement reaching this client."""
        out = array("f")
        for index, learned in enumerate(self.learned_us):
            if learned and opened_us[index]:
                out.append((learned - opened_us[index]) / 1000)
        return out
