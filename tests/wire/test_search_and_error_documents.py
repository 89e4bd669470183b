"""The JSON documents of the HTTP API that the wire builds: search results and refusals."""

from datetime import UTC, datetime

from parley.core.errors import InvalidInput, RateLimited, RoomNotFound
from parley.wire import frames
from parley.wire.values import ItemValue


def test_search_results_are_message_items_and_the_next_cursor():
    value = ItemValue(
        room="general",
        seq=7,
        id=70,
        kind="message",
        username="ada",
        created_at=datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC),
        body="hello",
        html="<p>hello</p>",
    )
    document = frames.search_results([value], next_cursor="abc")
    assert document == {"results": [frames.item(value)], "next": "abc"}
    assert document["results"][0]["room"] == "general"
    assert frames.search_results([], next_cursor=None) == {"results": [], "next": None}


def test_refusal_documents_carry_the_code_and_message():
    assert frames.refusal_document(RoomNotFound()) == {
        "error": {"code": "room_not_found", "message": "No such room."}
    }
    assert frames.refusal_document(InvalidInput("Bad."))["error"]["code"] == "invalid"
    limited = frames.refusal_document(RateLimited(retry_after=1.5))["error"]
    assert limited["code"] == "rate_limited" and limited["retry_after"] == 1.5
    assert frames.error_document("unauthenticated", "Sign in first.") == {
        "error": {"code": "unauthenticated", "message": "Sign in first."}
    }
