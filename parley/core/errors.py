"""The error catalogue: every refusal Parley gives, by code, with its HTTP status.

Services and selectors raise these; each adapter maps them to its own shape from this one
table: the WebSocket consumer to an `error` frame whose code is `code`, HTTP views to the
status in `HTTP_STATUS` (and `Retry-After` from `retry_after_header`), forms to a form error.
`code` is the protocol's error code (docs/protocol.md), the one name every adapter shares.
No Django here.
"""

from __future__ import annotations

import math
from enum import StrEnum


class ErrorCode(StrEnum):
    """The `code` of an `error` frame or a JSON error (docs/protocol.md, "Errors")."""

    BAD_FRAME = "bad_frame"
    UNKNOWN_TYPE = "unknown_type"
    ROOM_NOT_FOUND = "room_not_found"
    FORBIDDEN = "forbidden"
    INVALID = "invalid"
    TOO_LARGE = "too_large"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    # HTTP only (the API): a request that is not signed in. The socket closes with 4401 instead.
    UNAUTHENTICATED = "unauthenticated"


# The HTTP status each code takes in a JSON answer or a page.
HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.BAD_FRAME: 400,
    ErrorCode.UNKNOWN_TYPE: 400,
    ErrorCode.ROOM_NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.INVALID: 400,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.UNAUTHENTICATED: 401,
}


def retry_after_header(seconds: float) -> str:
    """`Retry-After` for a wait of `seconds`: whole seconds, rounded up, at least 1 (a client
    that waits what the header says is then never early)."""
    return str(max(1, math.ceil(seconds)))


class ParleyError(Exception):
    code: ErrorCode = ErrorCode.INVALID
    default_message = "The request is not valid."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]


class RoomNotFound(ParleyError):
    """No such room, or one the user may not see: both answers are identical on purpose."""

    code = ErrorCode.ROOM_NOT_FOUND
    default_message = "No such room."


class Forbidden(ParleyError):
    code = ErrorCode.FORBIDDEN
    default_message = "You may not do that in this room."


class NotAMember(Forbidden):
    default_message = "You are not a member of this room."


class OwnerCannotLeave(Forbidden):
    """The room's owner would stop being a member: a room keeps its owner while she owns it."""

    default_message = (
        "You own this room, so you cannot leave it: another member must become its owner first"
        " (staff can make that change)."
    )


class InvalidInput(ParleyError):
    code = ErrorCode.INVALID


class Unavailable(ParleyError):
    code = ErrorCode.UNAVAILABLE
    default_message = "The server cannot store that right now; retry with the same client_id."


class TooLarge(ParleyError):
    code = ErrorCode.TOO_LARGE
    default_message = "That is too large."


class RateLimited(ParleyError):
    """Over a rate limit: nothing was done; the same request passes after `retry_after` seconds."""

    code = ErrorCode.RATE_LIMITED
    default_message = "Too many requests; slow down."

    def __init__(self, message: str | None = None, *, retry_after: float) -> None:
        super().__init__(message or f"{self.default_message} Retry in {retry_after:g} s.")
        self.retry_after = retry_after


class Unauthenticated(ParleyError):
    code = ErrorCode.UNAUTHENTICATED
    default_message = "Sign in first."
