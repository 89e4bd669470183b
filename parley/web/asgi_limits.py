"""Refuse a request body over its route's limit before Django reads any of it.

Django's ASGI handler reads a request's whole body (into a temporary file past
FILE_UPLOAD_MAX_MEMORY_SIZE) before any middleware or view runs, and DATA_UPLOAD_MAX_MEMORY_SIZE
is checked only when a view reads its form: an anonymous 300 MiB POST to the log-in page was on
disk before its answer. So this wrapper, in front of Django, knows each route's limit:

- an upload: MAX_UPLOAD_BYTES plus room for the multipart envelope;
- a route that takes no body (pages and endpoints served only to GET: /healthz, /metrics,
  downloads), and every method but POST on any route: 0;
- every other POST (Parley's forms, the admin's, a path no route knows): MAX_FORM_BYTES.

A declared Content-Length over the limit is answered 413 at once: nothing of the body is read,
and a client that sent `Expect: 100-continue` is not told to send it. A body of unknown length
(chunked) is counted as it arrives; once the count passes the limit the client gets 413 and
Django is told the client has gone, so it stops reading and never runs a view. A body where
none belongs is a 413 too (its size is over that route's 0), never a 405: this layer judges
bytes, and methods stay Django's to refuse (a POST to /healthz without a body gets Django's
answer). The proxy in front limits bodies as well (docs/deployment.md).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from django.conf import settings
from django.urls import Resolver404, resolve

from parley.core.errors import TooLarge
from parley.core.types import ASGIApp, Message, Receive, Scope, Send
from parley.web.errors import error_document

MULTIPART_ENVELOPE_BYTES = 64 * 1024
UPLOAD_VIEWS = frozenset({"room_upload", "api:room_files", "settings_profile"})
# URL names of the views served only to GET (`require_GET`); one that comes to take a POST
# leaves this set, or its bodies are refused.
BODYLESS_VIEWS = frozenset({"home", "room", "healthz", "metrics", "attachment", "avatar"})
# The API edits with PATCH and moves read pointers with PUT; any other method carries no body.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# Answers 413 on `send`, in the shape of the route's answers.
Refusal = Callable[[Send], Awaitable[None]]


def body_limit(method: str | None, view: str | None) -> int:
    """The most bytes of body a request may carry: read per request, so settings may change."""
    if method not in BODY_METHODS or view in BODYLESS_VIEWS:
        return 0
    if view in UPLOAD_VIEWS:
        upload_limit: int = settings.PARLEY["MAX_UPLOAD_BYTES"]
        return upload_limit + MULTIPART_ENVELOPE_BYTES
    form_limit: int = settings.PARLEY["MAX_FORM_BYTES"]
    return form_limit


def view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


class RequestBodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method")
        # Only the route of a method with a body matters (the others may carry none): no lookup
        # for the pages and static files that make most requests.
        view = view_name(path) if method in BODY_METHODS else None
        limit = body_limit(method, view)
        refusal = _refusal(path, view)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await refusal(send)
            return
        guard = _CountedBody(receive, send, limit=limit, refusal=refusal)
        await self.app(scope, guard.receive, guard.send)


class _CountedBody:
    """`receive` and `send` for the application, counting the body as it arrives.

    Past the limit it answers 413 itself, tells the application the client has gone (Django's
    body reader then stops without a response) and drops whatever the application still sends.
    """

    def __init__(self, receive: Receive, send: Send, *, limit: int, refusal: Refusal) -> None:
        self._receive = receive
        self._send = send
        self._limit = limit
        self._refusal = refusal
        self._received = 0
        self._refused = False
        self._response_started = False

    async def receive(self) -> Message:
        if self._refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                self._refused = True
                if not self._response_started:
                    await self._refusal(self._send)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self._refused:
            return
        if message["type"] == "http.response.start":
            self._response_started = True
        await self._send(message)


def _refusal(path: str, view: str | None) -> Refusal:
    """Uploads (sent by script) and the API get the JSON error shape; pages a short text."""
    if view in UPLOAD_VIEWS:
        return _upload_too_large
    if path.startswith("/api/"):
        return _json_too_large
    return _text_too_large


async def _upload_too_large(send: Send) -> None:
    refusal = TooLarge("The file is over the upload limit.")
    await _answer_413(send, json.dumps(error_document(refusal)).encode(), b"application/json")


async def _json_too_large(send: Send) -> None:
    refusal = TooLarge("The request body is over its limit.")
    await _answer_413(send, json.dumps(error_document(refusal)).encode(), b"application/json")


async def _text_too_large(send: Send) -> None:
    await _answer_413(send, b"Request body too large.\n", b"text/plain; charset=utf-8")


async def _answer_413(send: Send, body: bytes, content_type: bytes) -> None:
    # `Connection: close`: the rest of an unread body cannot be told from the next request.
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
