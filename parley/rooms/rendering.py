"""A body's `html`: what pages show of a message (docs/protocol.md, "Conversations").

The one place a body becomes markup. Until Markdown comes (its own issue), the rendering is the
text itself, escaped: paragraphs at blank lines, line breaks kept. Rendered once, when the
message or edit is written, and stored beside the body.
"""

from __future__ import annotations

import re

from django.utils.html import escape

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


def render_body(body: str) -> str:
    if not body:
        return ""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
