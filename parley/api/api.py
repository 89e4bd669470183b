"""The one NinjaAPI of /api/v1/: its routers, its authentication, and refusals in the project's
JSON shape ({"error": {"code", "message"}}, statuses from the catalogue, parley.core.errors).

Requests are authenticated by a Bearer token (parley/api/auth.py) or the Django session, with
CSRF on writes (parley/api/session.py); an anonymous request gets a JSON 401, never the login
page: the views are exempt from LoginRequiredMiddleware (`urls`) because the API answers for
itself. Every other refusal is JSON too: a body over its limit (413, before parsing), a body
that is not JSON (400 `bad_frame`), a path no endpoint has (404) or a method it does not take
(405) (parley/api/guard.py).
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parley.api import guard
from parley.api.auth import token_auth
from parley.api.messages import router as messages_router
from parley.api.rooms import router as rooms_router
from parley.api.search import router as search_router
from parley.api.session import session_auth
from parley.api.users import router as users_router
from parley.core.errors import (
    ErrorCode,
    Forbidden,
    ParleyError,
    RateLimited,
    Unauthenticated,
    Unavailable,
    retry_after_header,
)
from parley.wire import frames

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Parley API",
    version="1",
    description="Parley's REST API: the same rules and items as the WebSocket (docs/api.md).",
    urls_namespace="api",
    auth=[token_auth, session_auth],
    parser=guard.JsonParser(),
    # The docs page would load its scripts from a CDN, which the CSP forbids; the document is
    # at openapi.json.
    docs_url=None,
)
api.add_router("/", rooms_router)
api.add_router("/", messages_router)
api.add_router("/", search_router)
api.add_router("/", users_router)

# URL names of the endpoints that take a file upload (their body limit is the upload's).
UPLOAD_URL_NAMES = frozenset({"room_files"})


@api.exception_handler(ParleyError)
def _refusal(request: HttpRequest, exc: ParleyError) -> HttpResponse:
    response = api.create_response(request, frames.refusal_document(exc), status=exc.http_status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = retry_after_header(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _refusal(request, Unauthenticated("Sign in, or send `Authorization: Bearer <token>`."))


@api.exception_handler(ValidationError)
def _invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    names = sorted({str(error["loc"][-1]) for error in exc.errors if error.get("loc")})
    message = f"Invalid parameters: {', '.join(names)}." if names else "Invalid parameters."
    return api.create_response(
        request, frames.error_document(ErrorCode.INVALID, message), status=400
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals: a body it cannot parse (400 `bad_frame`), else by status."""
    if exc.status_code == 400:
        document = frames.error_document(
            ErrorCode.BAD_FRAME,
            "The body is not a JSON object (strict JSON, nesting at most 1024 deep).",
        )
        return api.create_response(request, document, status=400)
    if exc.status_code == 403:
        return _refusal(request, Forbidden())
    document = frames.error_document(ErrorCode.INVALID, str(exc))
    return api.create_response(request, document, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return guard.not_found(request)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database is down or timed out: nothing was stored; the same request may be retried
    (with the same Idempotency-Key)."""
    log.warning("API request failed on the database: %s", type(exc).__name__)
    return _refusal(request, Unavailable())


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """`api.urls`, each view behind the body limit (guard.guarded) and exempt from
    LoginRequiredMiddleware (the API answers 401 itself), then a JSON 404 for any other path."""
    patterns, app_name, namespace = api.urls
    guarded: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            limit = guard.upload_limit if pattern.name in UPLOAD_URL_NAMES else guard.json_limit
            pattern.callback = login_not_required(guard.guarded(pattern.callback, limit=limit))
        guarded.append(pattern)
    unknown = csrf_exempt(login_not_required(guard.not_found))
    guarded.append(re_path(r"^.*$", unknown, name="not_found"))
    return guarded, app_name, namespace
