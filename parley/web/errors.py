"""Domain refusals as HTTP answers, from the one catalogue (parley.core.errors)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from parley.core.errors import ParleyError, RateLimited, retry_after_header
from parley.wire import frames


def with_retry_after(response: HttpResponse, exc: ParleyError | None) -> HttpResponse:
    """`Retry-After` on `response` if `exc` is a rate limit; the response itself."""
    if isinstance(exc, RateLimited):
        response["Retry-After"] = retry_after_header(exc.retry_after)
    return response


def error_document(exc: ParleyError) -> dict[str, object]:
    """{"error": {code, message[, retry_after]}}: every JSON refusal's body (docs/protocol.md),
    as the wire module writes it for the API too."""
    return frames.refusal_document(exc)


def json_error(exc: ParleyError) -> JsonResponse:
    """The refusal as a JSON answer with the code's status (and `Retry-After`)."""
    response = JsonResponse(error_document(exc), status=exc.http_status)
    with_retry_after(response, exc)
    return response
