"""Text rules shared by forms and services: one way to count and clean user text everywhere."""

import re
import unicodedata

# Bidirectional controls can make a name read differently from what it is ("evil\u202egnp.exe").
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# fullmatch, not match with `$`: `$` also matches before a trailing newline ("general\n").
SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?")


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
