"""A search query as typed, made into words and into each engine's syntax; the page cursor. Pure.

`q` is split on white space; words under MIN_WORD_CHARS characters (code points, as a message's
length is counted: parley.core.text.body_length) are ignored, the others lower-cased and kept
once each, and every one must occur in a message (as a whole word or inside a longer one). No
character of `q` has a meaning: every word is plain text in each engine's syntax.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from parley.core.errors import InvalidInput

MIN_WORD_CHARS = 3
MAX_QUERY_CHARS = 200
MAX_WORDS = 8
# The largest id a column holds; a cursor names an id in 1..ID_MAX.
ID_MAX = 2**63 - 1
_MAX_CURSOR_CHARS = 32


@dataclass(frozen=True, slots=True)
class SearchWords:
    """The words of a query, lower-cased, each once, in the order typed."""

    words: tuple[str, ...]

    def fts5_match(self) -> str:
        """An FTS5 MATCH expression: every word a quoted string (`"` doubled inside), ANDed, so
        FTS5's syntax characters (`*`, `^`, `NEAR(`, `-`, `:`…) are text."""
        return " AND ".join('"' + word.replace('"', '""') + '"' for word in self.words)

    def like_patterns(self) -> tuple[str, ...]:
        """One `LIKE`/`ILIKE` pattern per word (`%word%`), with `\\`, `%` and `_` escaped by `\\`
        (PostgreSQL's default escape character)."""
        return tuple(f"%{_like_escape(word)}%" for word in self.words)


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_query(q: str) -> SearchWords:
    """The words of `q`; InvalidInput for a query too long, with NUL, with too many words, or
    with no word of MIN_WORD_CHARS characters or more."""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(f"A search has at most {MAX_QUERY_CHARS} characters.")
    if "\x00" in q:
        raise InvalidInput("A search cannot contain NUL characters.")
    words: list[str] = []
    for word in q.split():
        lowered = word.lower()
        if len(word) >= MIN_WORD_CHARS and lowered not in words:
            words.append(lowered)
    if not words:
        raise InvalidInput(f"Search for at least one word of {MIN_WORD_CHARS} characters or more.")
    if len(words) > MAX_WORDS:
        raise InvalidInput(f"A search has at most {MAX_WORDS} words.")
    return SearchWords(words=tuple(words))


def encode_cursor(item_id: int) -> str:
    """The cursor of the page after the item `item_id`: opaque to clients."""
    return base64.urlsafe_b64encode(f"i{item_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The item id a cursor of `encode_cursor` names; InvalidInput for anything else."""
    try:
        if len(cursor) > _MAX_CURSOR_CHARS:
            raise ValueError(cursor)
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        if not (text.startswith("i") and text[1:].isdigit() and text[1:].isascii()):
            raise ValueError(cursor)
        item_id = int(text[1:])
        if not 1 <= item_id <= ID_MAX or encode_cursor(item_id) != cursor:
            raise ValueError(cursor)
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidInput("`before` is not a cursor this server gave.") from None
    return item_id
