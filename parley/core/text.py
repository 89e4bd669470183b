"""Text rules shared by forms and services: one way to count and clean user text everywhere."""

import re
import unicodedata

# Bidirectional controls can make a name read differently from what it is ("evil\u202egnp.exe").
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# fullmatch, not match with `$`: `$` also matches before a trailing newline ("general\n").
SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?")


# Characters that show nothing, though Python's `isspace` says they are not white space: format
# characters (category Cf: zero-width space and joiners, word joiner, BOM, soft hyphen, bidi
# marks…), variation selectors, the combining grapheme joiner, the Hangul fillers and the
# blank Braille pattern.
INVISIBLE = frozenset("\u034f\u115f\u1160\u2800\u3164\uffa0") | frozenset(
    map(chr, [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])
)


def is_blank(text: str) -> bool:
    """True if `text` shows nothing: only white space and invisible characters (or empty)."""
    return all(
        char.isspace() or char in INVISIBLE or unicodedata.category(char) == "Cf" for char in text
    )


def strip_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def clean_display_name(text: str) -> str:
    """A room name as shown: bidi controls removed, NFC, surrounding white space trimmed."""
    return unicodedata.normalize("NFC", strip_bidi_controls(text)).strip()


def is_valid_slug(slug: object) -> bool:
    return isinstance(slug, str) and SLUG_RE.fullmatch(slug) is not None


def body_length(body: str) -> int:
    """Message length in Unicode code points; the browser client counts the same way."""
    return len(body)
