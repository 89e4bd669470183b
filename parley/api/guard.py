"""What every /api/v1/ request meets before django-ninja parses it: a body limit and strict JSON.

Bodies over their limit are refused with 413 `too_large` before anything parses them: the
declared Content-Length first, then the bytes actually read. A JSON body may be at most
PARLEY["MAX_FORM_BYTES"] (64 KiB by default: a message of MAX_BODY_CHARS characters fits even
when every one is escaped); a file upload MAX_UPLOAD_BYTES plus its multipart envelope. In front
of the server, parley/web/asgi_limits.py refuses the same bodies before Django reads them; this
is the same rule for every other way in (WSGI, tests) and for bodies of unknown length.

JSON is read as the socket reads frames (orjson): no NaN or Infinity, no lone surrogates, nesting
bounded (1024 deep), so a body nested 10,000 deep is a 400, never a RecursionError.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.parser import Parser

from parley.core.errors import ErrorCode, TooLarge
from parley.wire import frames

# Room for a multipart envelope (boundaries, part headers, the `body` field) around a file.
MULTIPART_ENVELOPE_BYTES = 64 * 1024

View = Callable[..., HttpResponse]


class JsonParser(Parser):
    """ninja's parser with orjson's strict reading (ninja answers 400 to whatever it raises)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], orjson.loads(request.body))


def json_limit() -> int:
    limit: int = settings.PARLEY["MAX_FORM_BYTES"]
    return limit


def upload_limit() -> int:
    limit: int = settings.PARLEY["MAX_UPLOAD_BYTES"]
    return limit + MULTIPART_ENVELOPE_BYTES


def too_large(limit: int) -> JsonResponse:
    refusal = TooLarge(f"The request body is over its limit ({limit} bytes).")
    return JsonResponse(frames.refusal_document(refusal), status=refusal.http_status)


def body_refusal(request: HttpRequest, *, limit: int) -> HttpResponse | None:
    """413 for a body over `limit` bytes, decided before it is parsed; None otherwise."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > limit:
        return too_large(limit)
    if request.content_type == "multipart/form-data":
        # Parsed as it is read, files to disk past FILE_UPLOAD_MAX_MEMORY_SIZE: the declared
        # length bounds it (the service checks the file's own size).
        return None
    try:
        size = len(request.body)
    except RequestDataTooBig:
        return too_large(limit)
    return too_large(limit) if size > limit else None


def guarded(view: View, *, limit: Callable[[], int]) -> View:
    """`view` behind the body limit, with ninja's plain-text 405 answered as JSON."""

    @wraps(view)
    def guarded_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = body_refusal(request, limit=limit())
        if refusal is not None:
            return refusal
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return method_not_allowed(response.get("Allow", ""))
        return response

    return guarded_view


def method_not_allowed(allow: str) -> JsonResponse:
    response = JsonResponse(
        frames.error_document("method_not_allowed", f"This path takes {allow or 'no method'}."),
        status=405,
    )
    response["Allow"] = allow
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/v1/ path no endpoint has: a JSON 404, not the site's page."""
    return JsonResponse(
        frames.error_document("not_found", "No such API endpoint (see /api/v1/openapi.json)."),
        status=404,
    )


def bad_body(message: str) -> dict[str, Any]:
    return frames.error_document(ErrorCode.BAD_FRAME, message)
