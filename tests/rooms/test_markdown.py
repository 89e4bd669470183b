"""render_body (parley/rooms/markdown.py): each Markdown feature as the stored `html` shows it,
mention chips only for the message's `mentions`, raw HTML as text, pathological bodies.

The XSS corpus is tests/security/test_markdown_xss.py.
"""

import html5lib
import pytest

from parley.rooms.markdown import render_body

LINK = 'target="_blank" rel="noopener noreferrer"'


def test_an_empty_body_renders_nothing():
    assert render_body("") == ""


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("**bold** and __bold__", "<p><strong>bold</strong> and <strong>bold</strong></p>"),
        ("*italics* and _italics_", "<p><em>italics</em> and <em>italics</em></p>"),
        ("~~gone~~", "<p><s>gone</s></p>"),
        ("use `a < b` here", "<p>use <code>a &lt; b</code> here</p>"),
        ("one\ntwo", "<p>one<br>\ntwo</p>"),
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
        ("> said\n> twice", "<blockquote>\n<p>said<br>\ntwice</p>\n</blockquote>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("3. c\n4. d", '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>'),
        ("a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>"),
    ],
)
def test_commonmark_features(body, html):
    assert render_body(body) == html


def test_a_table_renders_without_inline_styles():
    html = render_body("| name | n |\n|:-----|--:|\n| ada | 1 |")
    assert html == (
        "<table>\n<thead>\n<tr>\n<th>name</th>\n<th>n</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>ada</td>\n<td>1</td>\n</tr>\n</tbody>\n</table>"
    )


def test_a_fenced_block_with_a_known_language_is_highlighted_with_classes():
    html = render_body("```python\ndef f():\n    return 'x'\n```")
    assert html.startswith('<pre class="code"><code class="language-python">')
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">f</span>' in html
    assert "<span class=\"s1\">'x'</span>" in html
    assert "style" not in html


def test_a_language_alias_gives_the_lexers_class():
    assert 'class="language-python"' in render_body("```py\nx\n```")
    assert 'class="language-javascript"' in render_body("```JS extra words\nx\n```")


@pytest.mark.parametrize("fence", ["```", "```no-such-language", "``` "])
def test_a_fence_without_a_known_language_is_escaped_text(fence):
    html = render_body(f"{fence}\nx = <b>1</b>\n```")
    assert html == '<pre class="code"><code>x = &lt;b&gt;1&lt;/b&gt;\n</code></pre>'


def test_an_indented_block_is_plain_code():
    assert render_body("    x = 1") == '<pre class="code"><code>x = 1\n</code></pre>'


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("[docs](https://example.com/a?b=1&c=2)",
         f'<a href="https://example.com/a?b=1&amp;c=2" {LINK}>docs</a>'),
        ('[t](http://x.org "the title")', f'<a href="http://x.org" title="the title" {LINK}>t</a>'),
        ("see https://example.com/x.", f'<a href="https://example.com/x" {LINK}>https://example.com/x</a>.'),
        ("see www.example.com", f'<a href="http://www.example.com" {LINK}>www.example.com</a>'),
        ("<https://example.com>", f'<a href="https://example.com" {LINK}>https://example.com</a>'),
        ("mail ada@example.com", f'<a href="mailto:ada@example.com" {LINK}>ada@example.com</a>'),
        ("[rel](/rooms/general/)", f'<a href="/rooms/general/" {LINK}>rel</a>'),
    ],
)  # fmt: skip
def test_links_and_autolinks_open_apart_without_referrer(body, html):
    assert html in render_body(body)


def test_bare_file_names_are_not_guessed_to_be_links():
    assert render_body("edit setup.py and notes.md") == "<p>edit setup.py and notes.md</p>"


def test_a_link_whose_scheme_is_not_allowed_stays_text():
    assert render_body("[x](ftp://example.com/f)") == "<p>[x](ftp://example.com/f)</p>"


def test_an_image_is_a_link_to_it_never_an_img():
    assert render_body("![the *plan*](https://cdn.example.com/p.png)") == (
        f'<p><a href="https://cdn.example.com/p.png" {LINK}>the plan</a></p>'
    )
    assert render_body("![](https://cdn.example.com/p.png)") == (
        f'<p><a href="https://cdn.example.com/p.png" {LINK}>https://cdn.example.com/p.png</a></p>'
    )


def test_an_image_inside_a_link_is_its_alt_text():
    html = render_body("[![logo](https://x.org/l.png)](https://x.org)")
    assert html == f'<p><a href="https://x.org" {LINK}>logo</a></p>'


def test_raw_html_is_shown_as_text():
    assert render_body('<b onclick="x()">hi</b>') == '<p>&lt;b onclick="x()"&gt;hi&lt;/b&gt;</p>'
    assert render_body("<div>\nblock\n</div>") == "<p>&lt;div&gt;<br>\nblock<br>\n&lt;/div&gt;</p>"


# --- mentions --------------------------------------------------------------------------------


def chip(name: str, shown: str | None = None) -> str:
    return f'<span class="mention" data-user="{name}">@{shown or name}</span>'


ROOM_CHIP = '<span class="mention mention--room">@room</span>'


def test_listed_mentions_become_chips():
    html = render_body("hi @ada, @bob and @room.", mentions=["ada", "bob", "@room"])
    assert html == f"<p>hi {chip('ada')}, {chip('bob')} and {ROOM_CHIP}.</p>"


def test_only_listed_mentions_become_chips():
    html = render_body("@ada @carol @room", mentions=["ada"])
    assert html == f"<p>{chip('ada')} @carol @room</p>"
    assert render_body("@ada", mentions=None) == "<p>@ada</p>"


def test_a_chip_names_the_user_as_stored_and_shows_what_was_typed():
    assert render_body("@ADA.", mentions=["Ada"]) == f"<p>{chip('Ada', 'ADA')}.</p>"


def test_mentions_in_code_and_links_stay_text():
    html = render_body(
        "`@ada` [@ada](https://x.org) ada@example.com\n```\n@ada\n```",
        mentions=["ada", "example.com"],
    )
    assert "mention" not in html
    assert "<code>@ada</code>" in html


def test_a_mention_inside_emphasis_is_a_chip():
    assert render_body("**@ada**", mentions=["ada"]) == f"<p><strong>{chip('ada')}</strong></p>"


def test_a_longer_name_is_not_a_shorter_mention():
    assert render_body("@adam", mentions=["ada"]) == "<p>@adam</p>"


# --- pathological bodies (BAD-INPUTS row 49) -------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        ">" * 10_000 + " deep",
        "\n".join(">" * depth for depth in range(1, 2_000)),
        "*" * 10_000 + "x" + "*" * 10_000,
        "*a " * 10_000,
        "_*" * 10_000,
        "[" * 10_000 + "x" + "]" * 10_000,
        "[a](" * 10_000,
        "`" * (1 << 20),
        "`a``" * 50_000,
        "\n".join("  " * depth + "- x" for depth in range(1_000)),
        "@ada " * 10_000,
    ],
    ids=["quotes", "quote-lines", "stars", "open-stars", "mixed", "brackets", "links", "backticks",
         "code-spans", "lists", "mentions"],
)  # fmt: skip
def test_pathological_bodies_render_to_well_formed_safe_html(body):
    html = render_body(body, mentions=["ada"])
    tree = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    tags = {element.tag for element in tree.iter() if isinstance(element.tag, str)}
    assert tags <= {
        "DOCUMENT_FRAGMENT", "p", "br", "strong", "em", "s", "code", "pre", "blockquote",
        "ul", "li", "a", "span",
    }  # fmt: skip
    assert "script" not in html.lower()
