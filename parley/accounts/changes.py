"""The typed changes the accounts app emits (parley.core.changes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SessionsEnded:
    """The user's sessions ended: the one `session_key`, or all (but `except_session_key`)."""

    user_id: int
    session_key: str | None = None
    except_session_key: str | None = None


@dataclass(frozen=True, slots=True)
class RightsChanged:
    """The user's staff or superuser status changed: their sockets are judged afresh."""

    user_id: int


@dataclass(frozen=True, slots=True)
class ProfileChanged:
    """What others see of the user changed (display name, status, picture, do not disturb):
    the rooms they are in hear it, and their member lists are built afresh."""

    user_id: int
