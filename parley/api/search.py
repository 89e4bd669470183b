"""`GET /api/v1/search`: messages the user may read, by the words they contain (docs/protocol.md,
"Search")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from parley.api.schemas import REFUSALS, ErrorDocument
from parley.api.session import request_user
from parley.core.errors import InvalidInput
from parley.rooms.values import item_value
from parley.search.service import DEFAULT_LIMIT, search_messages
from parley.wire import frames

router = Router(tags=["search"])


class SearchResults(Schema):
    results: list[dict[str, Any]]
    next: str | None


@router.get(
    "/search",
    response={200: SearchResults, REFUSALS: ErrorDocument},
    summary="Search messages",
    operation_id="search",
)
def search(
    request: HttpRequest,
    q: str,
    room: str | None = None,
    author: str | None = Query(None, alias="from"),  # type: ignore[type-arg]
    has: str | None = None,
    before: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Messages the user may read now containing every word of `q` (3 characters or more each),
    newest first; in one `room` (slug), `from` one author (username), `has=file` only with a
    file; `before` is the `next` cursor of the previous page; `limit` 1..50."""
    user = request_user(request)
    if has not in (None, "", "file"):
        raise InvalidInput("`has` takes `file` only.")
    page = search_messages(
        user=user,
        q=q,
        room=room or None,
        author=author or None,
        has_file=has == "file",
        before=before or None,
        limit=limit,
    )
    values = (item_value(item, room_slug=item.room.slug) for item in page.items)
    return frames.search_results(values, next_cursor=page.next)
