"""Slack's incoming-webhook payloads as one Parley message: pure, no Django.

Tools that post to Slack (Alertmanager, Grafana, GitHub Actions' Slack steps, `slack_sdk`, Apprise's
Mattermost target, curl scripts) send a JSON object: `text`, `username`, `attachments`, `blocks`.
`payload_message` turns one into a Markdown body (docs/api.md, "Incoming webhooks") and the
display name it asks for; `mrkdwn_to_markdown` converts Slack's own markup. Unknown keys, block
types and values of the wrong type are skipped, never refused: a tool that adds a field tomorrow
must still be able to post. A payload with no text anywhere is `NoText`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# What a message's display name may hold (Item.display_name's max_length).
DISPLAY_NAME_MAX = 80


class PayloadError(ValueError):
    """The payload cannot become a message; `reason` is Slack's word for it."""

    reason = "invalid_payload"


class NoText(PayloadError):
    reason = "no_text"


@dataclass(frozen=True, slots=True)
class SlackMessage:
    body: str  # Markdown
    username: str  # the display name the payload asks for ("" = the webhook's own)


def payload_message(payload: object) -> SlackMessage:
    """The message a Slack payload (a decoded JSON value) makes; PayloadError when it is not an
    object, NoText when nothing in it is text.

    Slack shows `blocks` instead of `text` when there are any (`text` is then the notification's
    fallback), and each attachment after them; so does this."""
    if not isinstance(payload, dict):
        raise PayloadError("The payload is a JSON object.")
    parts = _blocks(payload.get("blocks"))
    if not parts:
        parts = _nonempty([mrkdwn_to_markdown(_text(payload.get("text")))])
    for attachment in _dicts(payload.get("attachments")):
        parts += _attachment(attachment)
    body = "\n\n".join(parts).strip()
    if not body:
        raise NoText("The payload has no text.")
    return SlackMessage(body=body, username=display_name(payload.get("username")))


def display_name(value: object) -> str:
    """A payload's `username` as a display name: one line of printable text, at most
    DISPLAY_NAME_MAX characters; "" when it gives none."""
    if not isinstance(value, str):
        return ""
    printable = "".join(char if char.isprintable() else " " for char in value)
    return " ".join(printable.split())[:DISPLAY_NAME_MAX].strip()


# -- payload parts -------------------------------------------------------------------------------


def _text(value: object) -> str:
    """A text value: a string; a number as Slack shows it; anything else nothing."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _dicts(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _nonempty(parts: Iterable[str]) -> list[str]:
    return [part for part in (p.strip() for p in parts) if part]


def _text_object(value: object) -> str:
    """A block's text object ({type: mrkdwn | plain_text, text}) as Markdown."""
    if isinstance(value, str):
        return mrkdwn_to_markdown(value)
    if not isinstance(value, dict):
        return ""
    text = _text(value.get("text"))
    if value.get("type") == "plain_text":
        return text
    return mrkdwn_to_markdown(text)


def _header(block: dict[str, Any]) -> list[str]:
    text = " ".join(_text_object(block.get("text")).split())
    return [f"**{text}**"] if text else []


def _section(block: dict[str, Any]) -> list[str]:
    lines = [_text_object(block.get("text"))]
    fields = [_text_object(field) for field in block.get("fields") or () if field]
    lines.append("\n".join(_nonempty(fields)))
    return _nonempty(lines)


def _context(block: dict[str, Any]) -> list[str]:
    elements = block.get("elements")
    texts = _nonempty(_text_object(e) for e in _dicts(elements) if e.get("type") != "image")
    return [" · ".join(texts)] if texts else []


def _divider(block: dict[str, Any]) -> list[str]:
    return ["---"]


def _image(block: dict[str, Any]) -> list[str]:
    url = _text(block.get("image_url"))
    if not url:
        return []
    label = _text_object(block.get("title")) or _text(block.get("alt_text")) or url
    return [f"[{label}]({url})"]


_BLOCKS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "header": _header,
    "section": _section,
    "context": _context,
    "divider": _divider,
    "image": _image,
}


def _blocks(value: object) -> list[str]:
    parts: list[str] = []
    for block in _dicts(value):
        render = _BLOCKS.get(_text(block.get("type")))
        if render is not None:
            parts += render(block)
    # A divider alone is no text.
    return parts if any(part != "---" for part in parts) else []


def _attachment(attachment: dict[str, Any]) -> list[str]:
    """An attachment (Alertmanager's and Grafana's shape): pretext, author, linked title, text,
    fields, blocks, footer; its `fallback` only when it has none of them."""
    parts = [mrkdwn_to_markdown(_text(attachment.get("pretext")))]
    author = _text(attachment.get("author_name"))
    if author:
        parts.append(f"*{author}*")
    title = " ".join(_text(attachment.get("title")).split())
    link = _text(attachment.get("title_link"))
    if title:
        parts.append(
            f"**[{_link_label(title)}]({_link_target(link)})**" if link else f"**{title}**"
        )
    parts.append(mrkdwn_to_markdown(_text(attachment.get("text"))))
    fields = []
    for field in _dicts(attachment.get("fields")):
        name = _text(field.get("title"))
        value = mrkdwn_to_markdown(_text(field.get("value")))
        if name and value:
            fields.append(f"**{name}**: {value}")
        elif name or value:
            fields.append(f"**{name}**" if name else value)
    parts.append("\n".join(fields))
    parts += _blocks(attachment.get("blocks"))
    parts.append(_text(attachment.get("footer")))
    parts = _nonempty(parts)
    if not parts:
        parts = _nonempty([mrkdwn_to_markdown(_text(attachment.get("fallback")))])
    return parts


# -- mrkdwn ------------------------------------------------------------------------------------

# Code is left as it is: fences first, then spans.
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
# Slack's control sequences: links, mentions, special commands.
_ANGLE = re.compile(r"<([^<>\n]+)>")
# Emphasis: a delimiter not inside a word, hugging non-space text on one line.
_EMPHASIS = re.compile(
    r"(?<![\w*_~])(?P<d>[*_~])(?=\S)(?P<inner>[^\n]*?\S)(?P=d)(?![\w*_~])",
)
_MARKDOWN_DELIMITER = {"*": "**", "_": "*", "~": "~~"}
_BROADCASTS = frozenset({"here", "channel", "everyone"})
# Stand-ins for the parts already converted while emphasis is converted around them.
_HOLD = "\x00{}\x00"
_HELD = re.compile("\x00(\\d+)\x00")


def mrkdwn_to_markdown(text: str) -> str:
    """Slack mrkdwn as Parley Markdown: `*bold*` → `**bold**`, `_italic_` → `*italic*`,
    `~strike~` → `~~strike~~`, `<url|text>` → `[text](url)`, `<url>` → url, `<!here>` and
    `<!channel>` → `@room`, `<@U123|name>` → `@name`, and `&lt;`, `&gt;`, `&amp;` unescaped.
    Code spans and fences are left as they are (but unescaped)."""
    text = text.replace("\x00", "")
    held: list[str] = []

    def hold(converted: str) -> str:
        held.append(converted)
        return _HOLD.format(len(held) - 1)

    text = _CODE.sub(lambda m: hold(_unescape(m.group(0))), text)
    text = _ANGLE.sub(lambda m: hold(_control(m.group(1))), text)
    text = _emphasis(_unescape(text))
    while _HELD.search(text):
        text = _HELD.sub(lambda m: held[int(m.group(1))], text)
    return text


def _emphasis(text: str) -> str:
    def convert(match: re.Match[str]) -> str:
        delimiter = _MARKDOWN_DELIMITER[match.group("d")]
        return f"{delimiter}{_emphasis(match.group('inner'))}{delimiter}"

    return _EMPHASIS.sub(convert, text)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _control(content: str) -> str:
    """One `<…>` sequence of Slack's as Markdown."""
    target, _, label = content.partition("|")
    target, label = _unescape(target), _unescape(label)
    if target.startswith("!"):
        command = target[1:].split("^", 1)[0]
        if command in _BROADCASTS:
            return "@room"
        return label or f"@{command}"
    if target.startswith("@"):
        return f"@{label}" if label else target
    if target.startswith("#"):
        return f"#{label}" if label else target
    if label:
        return f"[{_link_label(label)}]({_link_target(target)})"
    return target


def _link_label(label: str) -> str:
    return label.replace("[", "\\[").replace("]", "\\]")


def _link_target(url: str) -> str:
    # A space or parenthesis would end a Markdown link's target early: percent-encode them.
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
