"""Request bodies meet their route's limit before Django reads them (parley/web/asgi_limits.py).

Each request goes through the real ASGI application (config.asgi.application) with a `receive`
that hands out the body chunk by chunk and counts what it handed out, so a test can say how much
of the body was read before the answer, not only what the answer was.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

import pytest
from channels.db import database_sync_to_async

from parley.rooms.models import Attachment
from tests.factories import UserFactory, make_room
from tests.support.sessions import session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)

HOST = (b"host", b"127.0.0.1")
CHUNK = 16 * 1024
# Far past any limit but the upload's: a request that reads this much has spooled the body.
TOO_FAR = 1024 * 1024
CSRF_SECRET = "k" * 32


@dataclass
class Exchange:
    """One request through the application: how much of its body was read, what came back."""

    status: int | None = None
    headers: dict[bytes, bytes] = field(default_factory=dict)
    body: bytes = b""
    bytes_read: int = 0
    receives: int = 0


async def exchange(method, path, *, body=b"", headers=(), chunked=False, declared=None):
    """Send `body` in CHUNK-sized messages; `declared` is the Content-Length header (default:
    the body's length; none when `chunked`, as uvicorn passes a chunked body)."""
    from config.asgi import application

    result = Exchange()
    answered = asyncio.Event()
    header_list = [HOST, *headers]
    if chunked:
        header_list.append((b"transfer-encoding", b"chunked"))
    else:
        length = len(body) if declared is None else declared
        header_list.append((b"content-length", str(length).encode()))
    chunks = [body[i : i + CHUNK] for i in range(0, len(body), CHUNK)] or [b""]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": header_list,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive():
        result.receives += 1
        if result.receives > len(chunks):
            # As a server does: the client is gone only once it has its answer.
            await answered.wait()
            return {"type": "http.disconnect"}
        chunk = chunks[result.receives - 1]
        result.bytes_read += len(chunk)
        assert result.bytes_read <= TOO_FAR, "the application read the body far past the limit"
        return {"type": "http.request", "body": chunk, "more_body": result.receives < len(chunks)}

    async def send(message):
        if message["type"] == "http.response.start":
            assert result.status is None, "a second response was started"
            result.status = message["status"]
            result.headers = {k.lower(): v for k, v in message.get("headers") or []}
        else:
            result.body += message.get("body", b"")
            if not message.get("more_body", False):
                answered.set()

    await application(scope, receive, send)
    return result


async def test_a_large_content_length_to_login_is_refused_before_any_body_is_read():
    answer = await exchange(
        "POST", "/accounts/login/", body=b"x" * (2 * TOO_FAR), declared=300 * 1024 * 1024
    )
    assert answer.status == 413
    assert answer.receives == 0 and answer.bytes_read == 0
    assert answer.headers[b"connection"] == b"close"


async def test_a_chunked_body_to_login_is_stopped_at_the_form_limit(settings):
    limit = 64 * 1024
    settings.PARLEY = {**settings.PARLEY, "MAX_FORM_BYTES": limit}
    answer = await exchange("POST", "/accounts/login/", body=b"x" * TOO_FAR, chunked=True)
    assert answer.status == 413
    # Read up to the chunk that passed the limit, and no further.
    assert limit < answer.bytes_read <= limit + CHUNK
    assert b"too large" in answer.body.lower()


async def test_an_upload_over_the_limit_without_content_length_is_stopped_as_it_arrives(settings):
    settings.PARLEY = {**settings.PARLEY, "MAX_UPLOAD_BYTES": 100 * 1024}
    answer = await exchange("POST", "/rooms/design/files/", body=b"x" * TOO_FAR, chunked=True)
    assert answer.status == 413
    assert answer.bytes_read < 300 * 1024
    assert answer.headers[b"content-type"] == b"application/json"
    assert b'"code": "too_large"' in answer.body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/healthz"),
        ("GET", "/healthz"),
        ("GET", "/accounts/login/"),
        ("HEAD", "/"),
        ("POST", "/metrics"),
    ],
)
async def test_a_body_on_a_route_or_method_that_takes_none_is_refused_unread(method, path):
    answer = await exchange(method, path, body=b"x" * 10)
    assert answer.status == 413
    assert answer.bytes_read == 0


async def test_a_chunked_body_on_a_get_is_refused_at_its_first_byte():
    answer = await exchange("GET", "/healthz", body=b"x" * TOO_FAR, chunked=True)
    assert answer.status == 413
    assert answer.bytes_read == CHUNK


async def test_a_get_with_an_empty_body_is_served():
    answer = await exchange("GET", "/healthz", declared=0)
    assert answer.status == 200 and b'"status": "ok"' in answer.body


async def test_a_login_with_a_normal_form_still_works():
    await database_sync_to_async(UserFactory)(username="ada")
    csrf = (b"cookie", f"csrftoken={CSRF_SECRET}".encode())
    form = f"username=ada&password=s3cret-pass-123&csrfmiddlewaretoken={CSRF_SECRET}".encode()
    form_type = (b"content-type", b"application/x-www-form-urlencoded")
    answer = await exchange("POST", "/accounts/login/", body=form, headers=[csrf, form_type])
    assert answer.status == 302, answer.body[:500]
    assert answer.headers[b"location"] == b"/"


async def test_an_upload_under_the_limit_still_works(settings):
    settings.PARLEY = {**settings.PARLEY, "MAX_UPLOAD_BYTES": 100 * 1024}
    ada = await database_sync_to_async(UserFactory)(username="ada")
    await database_sync_to_async(make_room)(ada, slug="design")
    session = await database_sync_to_async(session_cookie_for)(ada)
    content = b"y" * (100 * 1024)
    boundary = "parleyboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = [
        (b"cookie", session + f"; csrftoken={CSRF_SECRET}".encode()),
        (b"x-csrftoken", CSRF_SECRET.encode()),
        (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
    ]
    answer = await exchange("POST", "/rooms/design/files/", body=body, headers=headers)
    assert answer.status == 201, answer.body[:500]
    assert re.search(rb'"size": 102400', answer.body)
    stored_in = await database_sync_to_async(lambda: Attachment.objects.get().item.room.slug)()
    assert stored_in == "design"
