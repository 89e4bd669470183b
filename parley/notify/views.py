"""`/push/key` and `/push/subscriptions` (docs/notifications.md, PROTOCOL "Web Push").

The adapter only: who is asking (a session with its CSRF token, or `Authorization: Bearer` with
an access token: then no CSRF, as in /api/v1/), the body read as strict JSON within a small
limit, and domain refusals answered in the API's JSON shape ({"error": {code, message}}).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from parley.accounts.tokens import token_user
from parley.api.guard import body_refusal, method_not_allowed
from parley.core.errors import ErrorCode, Forbidden, ParleyError, Unauthenticated
from parley.core.types import AuthUser
from parley.notify.subscriptions import subscription_add, subscription_remove
from parley.notify.vapid import vapid_keys
from parley.wire import frames

# A PushSubscription's JSON is well under 3 KB (an endpoint of at most 2000 characters).
MAX_BODY_BYTES = 8 * 1024


def refusal(exc: ParleyError) -> JsonResponse:
    return JsonResponse(frames.refusal_document(exc), status=exc.http_status)


def _no_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _csrf_refused(request: HttpRequest) -> bool:
    checker = CsrfViewMiddleware(_no_view)
    request.csrf_processing_done = False  # type: ignore[attr-defined]
    checker.process_request(request)
    return checker.process_view(request, _no_view, (), {}) is not None


def requester(request: HttpRequest) -> AuthUser:
    """The user a request speaks for: Unauthenticated (a Bearer token that does not work, or
    no session) or Forbidden (a session request without its CSRF token)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        found = token_user(token.strip(" "))
        if found is None:
            raise Unauthenticated("The access token is not valid.")
        return found[0]
    user = request.user
    if not user.is_authenticated:
        raise Unauthenticated()
    if _csrf_refused(request):
        raise Forbidden("The CSRF token is missing or wrong (send X-CSRFToken).")
    return user


def _json_body(request: HttpRequest) -> Any:
    try:
        return orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return None


@login_not_required
def push_key(request: HttpRequest) -> JsonResponse:
    """{"key": the VAPID public key}: what a browser subscribes with (applicationServerKey)."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed("GET")
    return JsonResponse({"key": vapid_keys().public_key})


@login_not_required
@csrf_exempt
def push_subscriptions(request: HttpRequest) -> HttpResponse:
    """POST: keep the browser's subscription (201). DELETE {endpoint}: forget it (204)."""
    if request.method not in ("POST", "DELETE"):
        return method_not_allowed("POST, DELETE")
    try:
        user = requester(request)
    except ParleyError as exc:
        return refusal(exc)
    too_big = body_refusal(request, limit=MAX_BODY_BYTES)
    if too_big is not None:
        return too_big
    data = _json_body(request)
    if data is None:
        return JsonResponse(
            frames.error_document(ErrorCode.BAD_FRAME, "The body is not JSON."), status=400
        )
    try:
        if request.method == "POST":
            subscription = subscription_add(user=user, data=data)
            return JsonResponse({"endpoint": subscription.endpoint}, status=201)
        endpoint = data.get("endpoint") if isinstance(data, dict) else None
        subscription_remove(user=user, endpoint=endpoint)
    except ParleyError as exc:
        return refusal(exc)
    return HttpResponse(status=204)
