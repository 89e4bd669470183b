"""Hostile Markdown (PROTOCOL.md, "Markdown (contract)"; BAD-INPUTS row 49): a corpus in the shapes
of OWASP's XSS filter evasion list and Markdown's own (links, autolinks, reference links, image
syntax, titles, code), each rendered by render_body and then parsed as a browser parses it
(html5lib): no script, style, iframe, object, embed, form, img, svg or math element, no `on*` or
`style` attribute, every href http, https, mailto or relative, every link `noopener noreferrer`.
Then the same through the real service and the real socket.
"""

import re

import html5lib
import pytest

from parley.rooms import services
from parley.rooms.markdown import render_body
from parley.rooms.models import Item
from tests.support.socket import connect

FORBIDDEN_ELEMENTS = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
    "input", "button", "textarea", "select", "img", "image", "picture", "video", "audio",
    "source", "track", "svg", "math", "link", "meta", "base", "template", "noscript",
})  # fmt: skip
URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "data", "background",
                            "poster", "xlink:href", "cite", "longdesc"})  # fmt: skip
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
# As the URL standard reads an attribute: leading and trailing C0 controls and spaces dropped,
# tabs and newlines removed anywhere; then a scheme is letters, digits, + - . up to a colon.
_URL_TRIM = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")

HOSTILE = [
    # Script elements, as typed and obfuscated.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "\\<script>alert(1)\\</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    # Images and event handlers.
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    "<img src=x onerror=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    "<x onclick=alert(1)>click</x>",
    # SVG, MathML, style, frames, plugins, forms, head elements.
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    '<object data="javascript:alert(1)"></object>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><tr><td>x</td></tr></TABLE>",
    '<a href="javascript:alert(1)">x</a>',
    # Markdown links: schemes plain, cased, entity-encoded, percent-encoded, with controls.
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](jav&#x61;script:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[click](java%0ascript:alert(1))",
    "[click](<jav\tascript:alert(1)>)",
    "[click](<\x01javascript:alert(1)>)",
    "[click](&#x20;javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](data:image/png;base64,iVBORw0KGgo=)",
    "[click](file:///etc/passwd)",
    # Autolinks and linkified text.
    "<javascript:alert(1)>",
    "<vbscript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "<JaVaScRiPt:alert(1)>",
    'javascript:alert(1) and www.example.com/"onmouseover="alert(1)',
    "http://example.com/<script>alert(1)</script>",
    'https://example.com/?q="><img src=x onerror=alert(1)>',
    # Reference links.
    "[ref][x]\n\n[x]: javascript:alert(1)",
    '[ref][x]\n\n[x]: <javascript:alert(1)> "title"',
    "[ref]\n\n[ref]: data:text/html,<script>alert(1)</script>",
    # Images: scripts, remote hosts, SVG data.
    "![img](javascript:alert(1))",
    "![img](https://evil.example/track.png)",
    '![img](https://evil.example/t.png "x\\" onerror=\\"alert(1)")',
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![<img src=x onerror=alert(1)>](https://evil.example/p.png)",
    # Titles and destinations that try to close the attribute.
    '[a](https://x.org "title\\" onmouseover=\\"alert(1)")',
    "[a](https://x.org 'x\" onclick=\"alert(1)')",
    '[a](https://x.org/"onmouseover="alert(1))',
    '[a](https://x.org) "><script>alert(1)</script>',
    # Nested tricks: HTML inside Markdown, Markdown inside HTML, code.
    "[<img src=x onerror=alert(1)>](https://x.org)",
    "[![a](javascript:alert(1))](https://x.org)",
    "**<img src=x onerror=alert(1)>**",
    '> <iframe src="javascript:alert(1)"></iframe>',
    "- <form><input onfocus=alert(1) autofocus></form>",
    "| <script>x</script> |\n|---|\n| <img src=x onerror=alert(1)> |",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '```" onclick="alert(1)\nx\n```',
    "```<script>alert(1)</script>\nx\n```",
    "@ada<script>alert(1)</script> @room<img src=x onerror=alert(1)>",
]


def parsed(html: str):
    return html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)


def url_scheme(value: str) -> str | None:
    match = _SCHEME.match(_URL_TAB_OR_NEWLINE.sub("", _URL_TRIM.sub("", value)))
    return match.group(1).lower() if match else None


def assert_safe(html: str) -> None:
    for element in parsed(html).iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = element.tag.rsplit("}", 1)[-1].lower()  # SVG and MathML keep their namespace
        assert tag not in FORBIDDEN_ELEMENTS, html
        for name, value in element.attrib.items():
            name = name.lower()
            assert not name.startswith("on"), html
            assert name != "style", html
            if name in URL_ATTRIBUTES:
                assert tag == "a" and name == "href", html
                assert url_scheme(value) in ALLOWED_SCHEMES | {None}, html
        if tag == "a":
            assert {"noopener", "noreferrer"} <= set(element.get("rel", "").split()), html


def test_the_corpus_is_large_and_distinct():
    assert len(set(HOSTILE)) == len(HOSTILE) >= 50


def test_the_check_catches_what_it_looks_for():
    for unsafe in (
        "<script>x</script>", '<a href="java\tscript:x" rel="noopener noreferrer">x</a>',
        '<a href=" JAVASCRIPT:x" rel="noopener noreferrer">x</a>', "<svg><g onload=x></g></svg>",
        '<a href="https://x.org">no rel</a>', '<p style="x">x</p>', "<math></math>",
    ):  # fmt: skip
        with pytest.raises(AssertionError):
            assert_safe(unsafe)


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_markdown_renders_safe(body):
    assert_safe(render_body(body, mentions=["ada", "@room"]))


def test_links_that_survive_still_point_where_typed():
    html = render_body("[a](https://x.org/path?q=1) <mailto:ada@example.com> [b](/rooms/x/)")
    hrefs = [a.get("href") for a in parsed(html).iter("a")]
    assert hrefs == ["https://x.org/path?q=1", "mailto:ada@example.com", "/rooms/x/"]


def test_a_posted_message_stores_safe_html(ada, general):
    body = "[x](javascript:alert(1)) <img src=x onerror=alert(1)> ![t](https://evil.example/t.png)"
    item = services.message_post(user=ada, room_slug="general", body=body, client_id="x1").item
    stored = Item.objects.get(pk=item.pk)
    assert stored.body == body
    assert_safe(stored.html)
    assert "https://evil.example/t.png" in stored.html  # a link to the image, not the image


def test_an_edit_stores_safe_html(ada, general):
    posted = services.message_post(user=ada, room_slug="general", body="hi", client_id="x1").item
    body = '<svg/onload=alert(1)> [a](https://x.org "t\\" onclick=\\"alert(1)")'
    edit = services.message_edit(
        user=ada, room_slug="general", target=posted.seq, body=body, client_id="x2"
    ).item
    assert_safe(edit.html)
    assert_safe(Item.objects.get(pk=posted.pk).html)


@pytest.mark.django_db(transaction=True)
async def test_a_message_sent_over_the_socket_arrives_with_safe_html(ada, bob, general_with_bob):
    body = "@ada <script>alert(1)</script> [go](jav&#x61;script:alert(1)) <javascript:x>"
    async with connect(ada) as reader, connect(bob) as writer:
        await reader.subscribe("general")
        await writer.subscribe("general")
        await writer.request({"type": "send", "room": "general", "body": body, "client_id": "s1"})
        message = await reader.item("general")
    assert message["body"] == body
    assert_safe(message["html"])
    assert '<span class="mention" data-user="ada">@ada</span>' in message["html"]
    assert "&lt;script&gt;" in message["html"]
