"""`GET /rooms/<slug>/export.json`: a room's history as a JSON file (parley/rooms/export.py).

Refusals come before the first byte, as ordinary pages: 404 for a room the user may not see,
403 for one they see but may not export (not the owner or staff; a direct conversation).

Streaming under both handlers. Django's StreamingHttpResponse serves a *sync* iterator under
ASGI by reading it whole into a list first (`sync_to_async(list)`, with a warning), which for a
large room means the whole export in memory and nothing sent until it is read; an *async*
iterator under WSGI (and Django's sync test client) is read whole the same way. So the view hands
over what the handler in front of it iterates: under ASGI (uvicorn, production) an async
iterator that pulls one chunk (one batch of items, one query) at a time from the export's sync
generator through `sync_to_async`; under WSGI the sync generator itself. The thread-sensitive
`sync_to_async` runs each batch on the request's own thread (Django's ASGI handler gives each
request a ThreadSensitiveContext), so the export reads through the same database connection as
the view, and Django closes it when the response closes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from parley.core.errors import Forbidden, RoomNotFound
from parley.core.types import AuthenticatedHttpRequest
from parley.rooms.export import export_file_name, room_export, room_export_access


@require_GET
def room_export_view(request: AuthenticatedHttpRequest, slug: str) -> StreamingHttpResponse:
    try:
        room = room_export_access(user=request.user, slug=slug)
    except RoomNotFound:
        raise Http404("No such room.") from None
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None  # the 403 page (403.html)
    now = timezone.now()
    chunks = room_export(
        room=room, by=request.user, site_url=request.build_absolute_uri("/"), now=now
    )
    content: Iterator[bytes] | AsyncIterator[bytes] = (
        _one_chunk_at_a_time(chunks) if isinstance(request, ASGIRequest) else chunks
    )
    response = StreamingHttpResponse(content, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{export_file_name(room, at=now)}"'
    add_never_cache_headers(response)
    return response


async def _one_chunk_at_a_time(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """`chunks` for the ASGI handler: each chunk read on the request's thread (see above)."""
    take = sync_to_async(_next_or_none, thread_sensitive=True)
    try:
        while (chunk := await take(chunks)) is not None:
            yield chunk
    finally:
        # A client that goes away mid-download: the generator ends on the thread it ran on.
        close = getattr(chunks, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=True)()


def _next_or_none(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)
