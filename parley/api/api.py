"""The one NinjaAPI of /api/v1/: its routers, its authentication, and refusals in the project's
JSON shape ({"error": {"code", "message"}}, statuses from the catalogue, parley.core.errors).

Requests are authenticated by the Django session (a token scheme will join it); an anonymous
request gets a JSON 401, never the login page: the views are exempt from LoginRequiredMiddleware
(`urls`) because the API answers for itself.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from parley.api.search import router as search_router
from parley.core.errors import (
    ErrorCode,
    ParleyError,
    RateLimited,
    Unauthenticated,
    retry_after_header,
)
from parley.wire import frames

api = NinjaAPI(
    title="Parley API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    # The docs page would load its scripts from a CDN, which the CSP forbids; the document is
    # at openapi.json.
    docs_url=None,
)
api.add_router("/", search_router)


@api.exception_handler(ParleyError)
def _refusal(request: HttpRequest, exc: ParleyError) -> HttpResponse:
    response = api.create_response(request, frames.refusal_document(exc), status=exc.http_status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = retry_after_header(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    refusal = Unauthenticated()
    return api.create_response(
        request, frames.refusal_document(refusal), status=refusal.http_status
    )


@api.exception_handler(ValidationError)
def _invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    names = sorted({str(error["loc"][-1]) for error in exc.errors if error.get("loc")})
    message = f"Invalid parameters: {', '.join(names)}." if names else "Invalid parameters."
    return api.create_response(
        request, frames.error_document(ErrorCode.INVALID, message), status=400
    )


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """`api.urls`, each view exempt from LoginRequiredMiddleware (the API answers 401 itself)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns, app_name, namespace
