"""Conversations in the chaos traffic: what to send, and how to judge what every client ends with.

`Traffic` turns each tick of the chaos script into one frame: a message, a reply, an edit, a
deletion or a reaction. It only queues frames the server must accept whatever the timing, so any
refusal is a fault:

- a reply goes to an acked root (not itself a reply) that will never be deleted;
- only a message's author edits or deletes it, and nobody touches it once its deletion is queued;
- which messages may be deleted is fixed when they are posted (every DELETABLE_EVERY-th message
  of each client); only their author reacts to them, and nobody replies to them;
- a client adds only an emoji it does not have on that message and removes only one it has (as
  its queued frames leave it: the client sends a message's changes one at a time, in order);
- at most len(EMOJI) < 20 distinct emoji per message.

`message_views` reduces one list of items (seq 1, 2, … in order) to every message as it now is,
with docs/protocol.md's `state_seq` rule: a message read from the database (history, backlogs) is
a snapshot that already includes every change with a seq up to its `state_seq`; later edits,
deletions, reactions and replies apply to it. `differing_views` compares every client's
reduction with the messages of the server's own final history read.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from tests.e2e.resilient_client import ResilientClient

# Fully-qualified emoji: plain, with a variation selector, a skin tone, ZWJ sequences, a flag.
EMOJI = ("👍", "❤️", "🎉", "😂", "🚀", "👀", "👍🏽", "👨‍👩‍👧", "🏳️‍🌈", "🇫🇷")
DELETABLE_EVERY = 4
# How a change is chosen (when the chosen kind has no possible target, the next one is tried).
CHANGE_WEIGHTS = {"reaction": 5, "edit": 3, "delete": 3}
# The share of reactions that take back one of the client's own (when it has one).
REMOVE_SHARE = 0.3
# The share of changes and replies that go to one of the RECENT newest possible targets: a
# client that resumes after a cut then often reads (in its backlog) messages changed since they
# were sent, which is where `state_seq` matters.
RECENT_SHARE = 0.5
RECENT = 4
CHANGES = {"edit", "delete", "reaction"}


@dataclass
class Posted:
    """A message queued by the traffic, and what the traffic has queued about it since."""

    client: ResilientClient
    client_id: str
    room: str
    deletable: bool
    reply: bool
    body: str
    deleting: bool = False  # its deletion is queued: nobody touches it any more
    reactions: dict[str, set[str]] = field(default_factory=dict)  # username -> emoji it has
    replies: int = 0

    @property
    def seq(self) -> int | None:
        return self.client.acks.get(self.client_id)


@dataclass
class Traffic:
    """Chooses and queues each frame of the chaos traffic (see the module's docstring).

    `changes`: the share of frames that change a message; `replies`: the share of the other
    frames (messages) that are replies. `users`: client name -> username (for reactions and
    mentions)."""

    clients: list[ResilientClient]
    rooms: list[str]
    users: dict[str, str]
    rng: random.Random
    changes: float = 0.3
    replies: float = 0.25
    posted: list[Posted] = field(default_factory=list)
    by_client_id: dict[str, Posted] = field(default_factory=dict)
    sent: Counter = field(default_factory=Counter)
    _own_posts: Counter = field(default_factory=Counter)

    def step(self, n: int) -> None:
        """Queue the n-th frame from a random client."""
        client = self.rng.choice(self.clients)
        if self.rng.random() < self.changes and self._change(client, n):
            return
        self._post(client, n)

    def _post(self, client: ResilientClient, n: int) -> None:
        room = self.rng.choice(self.rooms)
        root = None
        if self.rng.random() < self.replies:
            roots = [
                p
                for p in self.posted
                if p.room == room and not p.reply and not p.deletable and p.seq is not None
            ]
            root = self._pick(roots) if roots else None
        self._own_posts[client.name] += 1
        deletable = self._own_posts[client.name] % DELETABLE_EVERY == 0
        body = f"{'reply' if root else 'message'} {n} from {client.name}"
        client_id = client.post(room, body, thread=root.seq if root else None)
        posted = Posted(client, client_id, room, deletable, root is not None, body)
        self.posted.append(posted)
        self.by_client_id[client_id] = posted
        if root is not None:
            root.replies += 1
        self.sent["reply" if root else "message"] += 1

    def _change(self, client: ResilientClient, n: int) -> bool:
        """Queue an edit, deletion or reaction by `client`; False when none is possible yet."""
        kinds = list(CHANGE_WEIGHTS)
        first = self.rng.choices(kinds, weights=list(CHANGE_WEIGHTS.values()))[0]
        kinds.remove(first)
        for kind in [first, *kinds]:
            if getattr(self, f"_{kind}")(client, n):
                self.sent[kind] += 1
                return True
        return False

    def _pick(self, targets: list[Posted]) -> Posted:
        """One of the newest now and then, else any."""
        if self.rng.random() < RECENT_SHARE:
            return self.rng.choice(targets[-RECENT:])
        return self.rng.choice(targets)

    def _targets(self, client: ResilientClient, *, own: bool) -> list[Posted]:
        return [
            p
            for p in self.posted
            if p.seq is not None
            and not p.deleting
            and (p.client is client if own else p.client is client or not p.deletable)
        ]

    def _edit(self, client: ResilientClient, n: int) -> bool:
        targets = self._targets(client, own=True)
        if not targets:
            return False
        target = self._pick(targets)
        target.body = f"{target.body.split(' (')[0]} (edit {n})"
        if self.rng.random() < 0.25:  # a mention and some Markdown now and then
            target.body += f" for @{self.rng.choice(list(self.users.values()))}, **bold** `x`"
        client.edit(target.room, target.seq, target.body)
        return True

    def _delete(self, client: ResilientClient, n: int) -> bool:
        targets = [p for p in self._targets(client, own=True) if p.deletable]
        if not targets:
            return False
        target = self._pick(targets)
        target.deleting = True
        target.reactions.clear()
        client.delete(target.room, target.seq)
        return True

    def _reaction(self, client: ResilientClient, n: int) -> bool:
        username = self.users[client.name]
        targets = self._targets(client, own=False)
        reacted = [p for p in targets if p.reactions.get(username)]
        if reacted and self.rng.random() < REMOVE_SHARE:
            targets = reacted  # take one back
        if not targets:
            return False
        target = self.rng.choice(targets) if targets is reacted else self._pick(targets)
        mine = target.reactions.setdefault(username, set())
        if mine and (targets is reacted or len(mine) == len(EMOJI)):
            emoji, op = self.rng.choice(sorted(mine)), "remove"
            mine.discard(emoji)
        else:
            emoji, op = self.rng.choice([e for e in EMOJI if e not in mine]), "add"
            mine.add(emoji)
        client.react(target.room, target.seq, emoji, op)
        self.sent[f"reaction {op}"] += 1
        return True

    def line(self) -> str:
        s = self.sent
        return (
            f"traffic: {s['message']} messages, {s['reply']} replies, {s['edit']} edits, "
            f"{s['delete']} deletions, {s['reaction']} reactions ({s['reaction add']} added, "
            f"{s['reaction remove']} removed)"
        )

    def unlike_intent(self, server: dict[str, list[dict]]) -> list[str]:
        """How the server's final messages differ from what the frames sent make of them."""
        found = {
            item["client_id"]: item
            for items in server.values()
            for item in items
            if item["type"] == "message"
        }
        problems = []
        for posted in self.posted:
            item = found.get(posted.client_id)
            if item is None:
                continue  # counted as lost by the tally
            expected = {
                "body": "" if posted.deleting else posted.body,
                "deleted": posted.deleting,
                "replies": posted.replies,
                "reactions": {} if posted.deleting else _by_emoji(posted.reactions),
            }
            shown = {
                "body": item["body"],
                "deleted": bool(item.get("deleted")),
                "replies": item.get("replies", 0),
                "reactions": {r["emoji"]: set(r["users"]) for r in item.get("reactions", [])},
            }
            if shown != expected:
                problems.append(
                    f"the server shows {posted.client_id} (seq {posted.seq} of {posted.room}) as "
                    f"{shown}, the frames sent make it {expected}"
                )
        return problems


def _by_emoji(reactions: dict[str, set[str]]) -> dict[str, set[str]]:
    users: dict[str, set[str]] = {}
    for username, emoji in reactions.items():
        for one in emoji:
            users.setdefault(one, set()).add(username)
    return users


# -- every message as a reader sees it ---------------------------------------------------------


def snapshot(item: dict) -> dict:
    """A `message` item's view, as the item shows the message."""
    return {
        "body": item["body"],
        "html": item.get("html"),
        "mentions": list(item.get("mentions", [])),
        "thread": item.get("thread"),
        "edited": item.get("edited"),
        "deleted": bool(item.get("deleted")),
        "reactions": [[r["emoji"], list(r["users"])] for r in item.get("reactions", [])],
        "replies": item.get("replies", 0),
        "last_reply_ts": item.get("last_reply_ts"),
    }


def message_views(items: list[dict]) -> dict[int, dict]:
    """seq -> the view of every message of a list of items in seq order, changes applied with
    the `state_seq` rule."""
    views: dict[int, dict] = {}
    state: dict[int, int] = {}  # seq -> the last change its view includes
    for item in items:
        seq, kind = item["seq"], item["type"]
        if kind == "message":
            views[seq] = snapshot(item)
            state[seq] = item.get("state_seq", seq)
            target = item.get("thread")
        elif kind in CHANGES:
            target = item["target"]
        else:
            continue
        if target is None or target not in views or seq <= state[target]:
            continue
        _apply(views[target], item)
        state[target] = seq
    return views


def _apply(view: dict, item: dict) -> None:
    kind = item["type"]
    if kind == "message":  # a reply: the root counts it
        view["replies"] += 1
        view["last_reply_ts"] = item["ts"]
    elif kind == "edit":
        view.update(body=item["body"], html=item["html"], edited=item["ts"])
        view["mentions"] = list(item.get("mentions", []))
    elif kind == "delete":
        view.update(body="", html="", mentions=[], reactions=[], deleted=True)
    elif item["op"] == "add":
        username = item["user"]["username"]
        entry = next((e for e in view["reactions"] if e[0] == item["emoji"]), None)
        if entry is None:
            view["reactions"].append([item["emoji"], [username]])
        else:
            entry[1].append(username)
    else:
        username = item["user"]["username"]
        for entry in view["reactions"]:
            if entry[0] == item["emoji"] and username in entry[1]:
                entry[1].remove(username)
        view["reactions"] = [e for e in view["reactions"] if e[1]]


def differing_views(
    views: dict[str, dict[str, list[dict]]], server: dict[str, list[dict]] | None
) -> list[tuple[str, int]]:
    """(room, seq) of every message some client sees otherwise than the server's final history
    read shows it (missing included); without the server's, otherwise than the first client."""
    if server is not None:
        reference = {
            room: {item["seq"]: snapshot(item) for item in items if item["type"] == "message"}
            for room, items in server.items()
        }
    else:
        first = next(iter(views.values()), {})
        reference = {room: message_views(items) for room, items in first.items()}
    differ = set()
    for rooms in views.values():
        for room, items in rooms.items():
            expected, seen = reference.get(room, {}), message_views(items)
            for seq in expected.keys() | seen.keys():
                if expected.get(seq) != seen.get(seq):
                    differ.add((room, seq))
    return sorted(differ)
