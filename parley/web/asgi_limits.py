"""Refuse an oversized upload from its headers, before any of its body is read.

Django's ASGI handler reads a request's whole body into a temporary file before the view runs,
so the view's own size check comes after the bytes have arrived. This wrapper answers 413 at
once when the declared Content-Length cannot fit the upload limit (plus room for the multipart
envelope); a body without Content-Length still meets the view's check. The proxy in front
should limit bodies too (docs/deployment.md).
"""

import re

from django.conf import settings

UPLOAD_PATH = re.compile(r"^/rooms/[^/]+/files/$")
MULTIPART_ENVELOPE_BYTES = 64 * 1024


class UploadSizeLimit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and UPLOAD_PATH.match(scope.get("path", "")):
            limit = settings.PARLEY["MAX_UPLOAD_BYTES"] + MULTIPART_ENVELOPE_BYTES
            length = dict(scope.get("headers") or []).get(b"content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                await _too_large(send)
                return
        await self.app(scope, receive, send)


async def _too_large(send) -> None:
    body = b'{"error": {"code": "too_large", "message": "The file is over the upload limit."}}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
