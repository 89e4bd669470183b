"""Domain errors.

Services and selectors raise these; each adapter maps them to its own shape: the WebSocket
consumer to an `error` frame whose code is `code`, views to an HTTP status or a form error.
`code` is the PROTOCOL.md error code, the one name every adapter shares.
"""


class ParleyError(Exception):
    code = "invalid"
    default_message = "The request is not valid."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class RoomNotFound(ParleyError):
    """No such room, or one the user may not see: both answers are identical on purpose."""

    code = "room_not_found"
    default_message = "No such room."


class Forbidden(ParleyError):
    code = "forbidden"
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
    code = "invalid"


class Unavailable(ParleyError):
    code = "unavailable"
    default_message = "The server cannot store that right now; retry with the same client_id."


class TooLarge(ParleyError):
    code = "too_large"
    default_message = "That is too large."


class RateLimited(ParleyError):
    """Over a rate limit: nothing was done; the same request passes after `retry_after` seconds."""

    code = "rate_limited"
    default_message = "Too many requests; slow down."

    def __init__(self, message: str | None = None, *, retry_after: float) -> None:
        super().__init__(message or f"{self.default_message} Retry in {retry_after:g} s.")
        self.retry_after = retry_after
