"""Mentions in a body: `@username` and `@room` (docs/protocol.md, "Mentions").

Parsing is pure; who counts as mentioned (a user who may read the room) is decided by the
services with the database's answer.
"""

from __future__ import annotations

import re

ROOM = "@room"
# At most this many users are mentioned by one message; more `@names` stay text.
MAX_MENTIONS = 50
# A mention starts a word (not inside an e-mail address) and uses the characters usernames may
# hold (Django's username validator: letters, digits and @.+-_; a trailing dot ends a sentence).
MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+)", re.UNICODE)


def mentioned_names(body: str) -> tuple[list[str], bool]:
    """The distinct usernames `@`-named in `body` in order of first appearance (at most a few
    times MAX_MENTIONS, for the database to check), and whether it mentions `@room`."""
    names: list[str] = []
    seen: set[str] = set()
    room = False
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".")
        if not name:
            continue
        if name == "room":
            room = True
            continue
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
            if len(names) >= 4 * MAX_MENTIONS:
                break
    return names, room
