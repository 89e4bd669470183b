"""Typed changes the domain emits, and the transports that hear them.

A service never reaches a socket itself: it emits a typed change (a frozen dataclass of its
own package: parley.rooms.changes, parley.accounts.changes), after its transaction commits, so
nothing is announced that was not stored. Transports subscribe at start-up (the realtime app
registers its broadcaster in its AppConfig.ready) and decide how to deliver it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction

Listener = Callable[[object], None]

_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Hear every change emitted from now on (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def emit(change: object) -> None:
    """Tell every listener now: for changes that store nothing (typing), or after a commit."""
    for listener in _listeners:
        listener(change)


def emit_on_commit(change: object) -> None:
    """Tell every listener once the current transaction commits (at once outside of one)."""
    transaction.on_commit(partial(emit, change))
