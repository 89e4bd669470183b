"""A body's `html`: its Markdown, rendered and made safe (PROTOCOL.md, "Markdown (contract)").

The one place a body becomes markup. CommonMark (markdown-it-py) with strikethrough, tables,
single newlines as line breaks and autolinked URLs (with a scheme, or starting `www.`, or an
e-mail address: `setup.py` stays text); raw HTML is text. Fenced code with a language Pygments
knows is highlighted with its token classes (no inline styles); images become links, never
`<img>`; the `@names` of the message's `mentions` become chips. nh3 (Rust's ammonia) then keeps
only the markup listed here, whatever the parser let through. Rendered once, when a message or
edit is written, and stored beside the body (`manage.py rerender_messages` after a change here).

The markup, which the CSS and the client rely on:
- `<pre class="code"><code class="language-{lexer}">` with `<span class="{token}">` inside
  (Pygments' short classes, e.g. `k`, `s2`), or `<pre class="code"><code>` for plain code;
- `<span class="mention" data-user="{username}">@name</span>`,
  `<span class="mention mention--room">@room</span>`;
- `<a href="…" rel="noopener noreferrer" target="_blank">` for every link (http, https, mailto
  or relative);
- p, br, strong, em, s, code, blockquote, ul, ol (start), li, table, thead, tbody, tr, th, td,
  hr, h1-h6.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from parley.rooms.mentions import MENTION as MENTION_PATTERN
from parley.rooms.mentions import ROOM

URL_SCHEMES = frozenset({"http", "https", "mailto"})
# A URL names a scheme when a colon comes before any `/`, `?` or `#` (what browsers parse as one,
# also when the scheme is mangled: such a link is refused rather than guessed at).
_SCHEME = re.compile(r"^([^/?#]*?):")
_SPACE_AND_CONTROLS = re.compile(r"[\x00-\x20\x7f]+")
# What a linkified text starts with when the author typed a link rather than a bare host name.
_TYPED_LINK = re.compile(r"(?:https?://|mailto:|www\.)", re.IGNORECASE)

_HIGHLIGHT = HtmlFormatter(nowrap=True)
_TOKEN_CLASSES = frozenset(name for name in STANDARD_TYPES.values() if name)
# The language class is the lexer's first alias (`py` and `python3` both give language-python).
_LANGUAGE_CLASSES = frozenset(
    f"language-{aliases[0]}" for _, aliases, _, _ in get_all_lexers() if aliases
)


def url_allowed(url: str) -> bool:
    """A link's target may be shown: http, https or mailto, or relative (no scheme)."""
    match = _SCHEME.match(_SPACE_AND_CONTROLS.sub("", url))
    return match is None or match.group(1).lower() in URL_SCHEMES


class _ChatMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # A link whose target is refused stays text (markdown-it's own list allows data: images).
        return url_allowed(url)


@functools.lru_cache(maxsize=256)
def _lexer(name: str) -> Lexer | None:
    """The lexer a fence's language names, or None: unknown languages are never guessed."""
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return None


def _code_block(content: str, language: str = "") -> str:
    lexer = _lexer(language.lower()) if language else None
    if lexer is None or not lexer.aliases:
        return f'<pre class="code"><code>{escapeHtml(content)}</code></pre>\n'
    spans = highlight(content, lexer, _HIGHLIGHT)
    return f'<pre class="code"><code class="language-{lexer.aliases[0]}">{spans}</code></pre>\n'


def _render_fence(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    info = token.info.split(maxsplit=1)
    return _code_block(token.content, info[0] if info else "")


def _render_code_block(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return _code_block(tokens[idx].content)


def _text(content: str, level: int) -> Token:
    token = Token("text", "", 0)
    token.content, token.level = content, level
    return token


def _inline_children(state: StateCore) -> Iterable[Token]:
    for block in state.tokens:
        if block.type == "inline" and block.children:
            yield block


def _plain_fuzzy_links(state: StateCore) -> None:
    """Undo linkify's guesses at bare host names (`setup.py`, `notes.md`): only links typed with
    a scheme or `www.`, and e-mail addresses, stay links (as GitHub's autolinks)."""
    for block in _inline_children(state):
        children = block.children or []
        kept: list[Token] = []
        i = 0
        while i < len(children):
            token = children[i]
            if token.type == "link_open" and token.markup == "linkify" and i + 2 < len(children):
                text = children[i + 1].content
                href = str(token.attrGet("href") or "")
                if not _TYPED_LINK.match(text) and not href.startswith("mailto:"):
                    kept.append(_text(text, token.level))
                    i += 3
                    continue
            kept.append(token)
            i += 1
        block.children = kept


def _images_as_links(state: StateCore) -> None:
    """An image is a link to it (its alt text, else its URL): nothing is fetched from other
    hosts. Inside a link it is its alt text alone (links do not nest)."""
    for block in _inline_children(state):
        children: list[Token] = []
        depth = 0
        for token in block.children or []:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type != "image":
                children.append(token)
                continue
            src = str(token.attrGet("src") or "")
            alt = "".join(child.content for child in token.children or []) or src
            if depth:
                children.append(_text(alt, token.level))
                continue
            opened = Token("link_open", "a", 1)
            opened.attrs, opened.level = {"href": src}, token.level
            closed = Token("link_close", "a", -1)
            closed.level = token.level
            children += [opened, _text(alt, token.level + 1), closed]
        block.children = children


def _mention_chips(state: StateCore) -> None:
    """`@name` in text (not code, not link text) becomes a chip when the message's `mentions`
    list it (they are the users who may read the room, as the services found them)."""
    users: dict[str, str] = state.env.get("mention_users", {})
    room: bool = state.env.get("mention_room", False)
    if not users and not room:
        return
    for block in _inline_children(state):
        children: list[Token] = []
        depth = 0
        for token in block.children or []:
            depth += token.nesting if token.type in {"link_open", "link_close"} else 0
            if token.type == "text" and not depth and "@" in token.content:
                children += _split_mentions(token, users=users, room=room)
            else:
                children.append(token)
        block.children = children


def _split_mentions(token: Token, *, users: dict[str, str], room: bool) -> list[Token]:
    parts: list[Token] = []
    text, start = token.content, 0
    for match in MENTION_PATTERN.finditer(text):
        name = match.group(1).rstrip(".")
        if name == "room" and room:
            chip = '<span class="mention mention--room">@room</span>'
        elif name.lower() in users:
            username = escapeHtml(users[name.lower()])
            chip = f'<span class="mention" data-user="{username}">@{escapeHtml(name)}</span>'
        else:
            continue
        if match.start() > start:
            parts.append(_text(text[start : match.start()], token.level))
        html = Token("html_inline", "", 0)
        html.content, html.level = chip, token.level
        parts.append(html)
        start = match.start() + 1 + len(name)
    if start < len(text):
        parts.append(_text(text[start:], token.level))
    return parts


def _build() -> MarkdownIt:
    # The CommonMark preset keeps maxNesting at 20: 10k nested quotes or emphasis stay cheap.
    md = _ChatMarkdown(
        "commonmark", {"html": False, "breaks": True, "linkify": True, "xhtmlOut": False}
    )
    md.enable(["strikethrough", "table", "linkify"])
    assert md.linkify is not None  # linkify-it-py is a dependency
    md.linkify.add("ftp:", None).add("//", None)
    md.core.ruler.after("linkify", "plain_fuzzy_links", _plain_fuzzy_links)
    md.core.ruler.push("images_as_links", _images_as_links)
    md.core.ruler.push("mention_chips", _mention_chips)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_code_block)
    return md


_MARKDOWN = _build()

_CLEANER = nh3.Cleaner(
    tags={
        *("p", "br", "strong", "em", "s", "code", "pre", "blockquote", "hr", "a", "span"),
        *("ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td"),
        *("h1", "h2", "h3", "h4", "h5", "h6"),
    },
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "ol": {"start"}, "span": {"data-user"}},
    allowed_classes={
        "pre": {"code"},
        "code": set(_LANGUAGE_CLASSES),
        "span": {"mention", "mention--room", *_TOKEN_CLASSES},
    },
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def render_body(body: str, *, mentions: Iterable[str] | None = ()) -> str:
    """The safe `html` of `body`; `mentions` is the message's list as stored (usernames who may
    read the room, and "@room"): only those `@names` become chips."""
    if not body:
        return ""
    names = list(mentions or ())
    env: EnvType = {
        "mention_users": {name.lower(): name for name in names if name != ROOM},
        "mention_room": ROOM in names,
    }
    return _CLEANER.clean(_MARKDOWN.render(body, env)).strip()
