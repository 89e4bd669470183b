"""`POST /hooks/<token>`: Slack-compatible incoming webhooks (docs/api.md, "Incoming webhooks").

The adapter only: the token names a webhook (services.webhook_lookup), the payload becomes a
Markdown message (hooks/slack.py, pure), and services.webhook_post posts it with every rule of
a message. Answers are Slack's: `200 text/plain` with the body `ok`, and refusals as
`text/plain` with Slack's word for them (`invalid_payload`, `no_text`, `no_service`,
`rate_limited`, …), so tools that read Slack's answers read these too.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from parley.core.errors import (
    ErrorCode,
    InvalidInput,
    ParleyError,
    RateLimited,
    retry_after_header,
)
from parley.hooks.slack import PayloadError, payload_message
from parley.rooms import services

# Slack's words for Parley's refusals (the answer's whole body).
SLACK_REASON: dict[ErrorCode, str] = {
    ErrorCode.ROOM_NOT_FOUND: "no_service",
    ErrorCode.FORBIDDEN: "action_prohibited",
    ErrorCode.INVALID: "invalid_payload",
    ErrorCode.BAD_FRAME: "invalid_payload",
    ErrorCode.TOO_LARGE: "request_too_large",
    ErrorCode.RATE_LIMITED: "rate_limited",
    ErrorCode.UNAVAILABLE: "service_unavailable",
}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Slack's limit on a message's text is far above Parley's: a longer body is cut to the limit,
# not refused, so that a big alert still arrives.
ELLIPSIS = "…"


log = logging.getLogger(__name__)


def text_answer(body: str, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    if status >= 400:
        # Django would log the refusal with its path, and the path holds the whole secret token:
        # `incoming_webhook` logs it without the secret instead.
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def refusal(exc: ParleyError) -> HttpResponse:
    response = text_answer(SLACK_REASON.get(exc.code, "invalid_payload"), status=exc.http_status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = retry_after_header(exc.retry_after)
    return response


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def read_payload(request: HttpRequest) -> object:
    """The payload's JSON value: the body, or a form's `payload` field (as Slack's own clients
    and Apprise may send it). InvalidInput when it is not JSON."""
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        raw: str | bytes = request.POST.get("payload", "")
    else:
        raw = request.body
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("The payload is not JSON.") from None


def _cut(body: str) -> str:
    limit: int = settings.PARLEY["MAX_BODY_CHARS"]
    return body if len(body) <= limit else body[: limit - len(ELLIPSIS)] + ELLIPSIS


@csrf_exempt
@login_not_required
def incoming_webhook(request: HttpRequest, token: str) -> HttpResponse:
    response = _answer(request, token)
    if response.status_code >= 400:
        # The token's public prefix only (what the settings page shows), never its secret.
        prefix = token[:12] if token[:12].isascii() and token[:12].isalnum() else "(malformed)"
        log.warning(
            "incoming webhook %s… refused: %s %s",
            prefix,
            response.status_code,
            response.content[:40].decode(errors="replace").strip(),
        )
    return response


def _answer(request: HttpRequest, token: str) -> HttpResponse:
    """Post a Slack-shaped payload into the room of the webhook `token` names: 200 `ok`; 404 for
    an unknown or deleted webhook; 413 over the body limit (checked before anything is read);
    400 for a payload that is not JSON or has no text; 429 with Retry-After over the webhook's
    send limit; 403 when its bot was removed from the room; 503 when nothing can be stored."""
    if request.method != "POST":
        response = text_answer("Only POST.\n", status=405)
        response["Allow"] = "POST"
        return response
    # The ASGI layer refuses a larger body before Django reads it (web/asgi_limits.py); this
    # says the same to anything that calls Django directly.
    if _declared_length(request) > settings.PARLEY["MAX_FORM_BYTES"]:
        return text_answer("Request body too large.\n", status=413)
    webhook = services.webhook_lookup(token)
    if webhook is None:
        return text_answer("no_service", status=404)
    try:
        message = payload_message(read_payload(request))
    except PayloadError as exc:
        return text_answer(exc.reason, status=400)
    except ParleyError as exc:
        return refusal(exc)
    try:
        services.webhook_post(
            webhook=webhook, body=_cut(message.body), display_name=message.username
        )
    except ParleyError as exc:
        return refusal(exc)
    return text_answer("ok")
