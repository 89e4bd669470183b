"""Markdown in a real browser: messages show the server's rendering, live and on page load (bold,
a code block with its indentation, a link that opens safely, raw HTML as text, the reader's own
mention chip marked, an edit's rendering), and the composer's keys (Ctrl+B undoable; Enter and
Tab inside a ``` fence make code, not a send)."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import shot, two_members

pytestmark = pytest.mark.live


def test_messages_show_rendered_markdown_live_and_on_load(person):
    ada, bob, slug = two_members(person, "markdown-")
    box = ada.composer

    # Ctrl+B on a selection wraps it, and Ctrl+Z takes the wrapping back (the box's own undo).
    box.fill("word")
    box.press("Control+a")
    box.press("Control+b")
    expect(box).to_have_value("**word**")
    box.press("Control+z")
    expect(box).to_have_value("word")

    # Ctrl+B with nothing selected: the pair, the caret between. Then a code block typed with
    # Enter (a new line, not a send) and Tab inside the fence; Enter after the closing fence sends.
    box.fill("")
    box.press("Control+b")
    box.press_sequentially("bold")
    box.press("End")
    box.press_sequentially(" and <b>x</b> at https://example.com/page")
    box.press("Shift+Enter")
    box.press_sequentially("```python")
    box.press("Enter")
    box.press_sequentially("def f():")
    box.press("Enter")
    box.press("Tab")
    box.press_sequentially("return 1")
    box.press("Enter")
    box.press("Shift+Tab")
    box.press_sequentially("```")
    expect(box).to_have_value(
        "**bold** and <b>x</b> at https://example.com/page\n```python\ndef f():\n    return 1\n```"
    )
    box.press("Enter")
    expect(box).to_have_value("")

    def check(page) -> None:
        words = page.locator("#timeline .item--message .item__text").first
        expect(words.locator("strong")).to_have_text("bold")
        # Raw HTML is text: the characters show, no <b> element is made.
        expect(words).to_contain_text("<b>x</b>")
        expect(words.locator("b")).to_have_count(0)
        link = words.locator('a[href="https://example.com/page"]')
        expect(link).to_have_attribute("rel", re.compile(r"(?=.*\bnoopener\b)(?=.*\bnoreferrer\b)"))
        expect(link).to_have_attribute("target", "_blank")
        code = words.locator("pre.code code")
        expect(code).to_have_text(re.compile(r"^def f\(\):\n    return 1\n?$"))
        expect(code).to_have_class(re.compile(r"\blanguage-python\b"))

    # Live, for the author (after the ack and the item) and the other member.
    check(ada.page)
    check(bob.page)

    # A mention of the reader is marked for that reader only.
    bob.say(f"@{ada.username} look")
    chip = f'.mention[data-user="{ada.username}"]'
    expect(ada.page.locator(f"#timeline {chip}")).to_have_class(re.compile(r"\bmention--me\b"))
    expect(bob.page.locator(f"#timeline {chip}")).not_to_have_class(re.compile(r"\bmention--me\b"))

    # On page load: the server's rows show the same.
    bob.open_room(slug)
    check(bob.page)
    ada.open_room(slug)
    check(ada.page)
    expect(ada.page.locator(f"#timeline {chip}")).to_have_class(re.compile(r"\bmention--me\b"))
    shot(ada.page, "markdown-desktop")

    # An edit shows the edit's html, to the author too (their own edit's item brings it).
    ada.composer.click()
    ada.composer.press("ArrowUp")
    editor = ada.page.locator(".item__edit-box")
    expect(editor).to_be_focused()
    editor.fill("now _edited_")
    editor.press("Enter")
    for someone in (ada, bob):
        edited = someone.page.locator("#timeline .item--message .item__text").first
        expect(edited.locator("em")).to_have_text("edited")
