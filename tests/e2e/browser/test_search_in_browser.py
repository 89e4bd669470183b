"""Search in a real browser, against the real API (GET /api/v1/search): `/` focuses the box, a
query shows results newest first with the matching words in <mark>, "Load more" pages on, a
result opens its room at that message (flashed) without a reload, and the empty and error states
say what happened. A reply found opens in its thread."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE_DEVICE, shot, unique

pytestmark = pytest.mark.live

NOTES = 25  # more than a page of results (search_query.js PAGE_SIZE: 20)


def seed(server, slug: str, username: str) -> None:
    """NOTES messages "Deploy note N" in the room, and a reply to the first one."""
    script = f"""
from django.contrib.auth import get_user_model
from parley.rooms.services import message_post
user = get_user_model().objects.get(username={username!r})
first = None
for n in range(1, {NOTES} + 1):
    item = message_post(user=user, room_slug={slug!r}, body=f"Deploy note {{n}} is **ready**",
                        client_id=f"seed-{{n}}").item
    first = first or item
message_post(user=user, room_slug={slug!r}, body="a threaded zeppelin reply",
             client_id="seed-reply", thread=first.seq)
"""
    server.manage("shell", "-c", script)


def test_search_finds_pages_and_opens_a_result(person, server):
    ada = person("ada")
    ada.sign_up()
    notes = unique("notes-")
    ada.create_room("Notes", notes)
    seed(server, notes, ada.username)
    other = unique("other-")
    ada.create_room("Other", other)
    page = ada.page

    # `/` from outside a text field focuses the search box (in the composer it is a slash).
    page.locator(".room__title h1").click()
    page.keyboard.press("/")
    box = page.locator("#search-input")
    expect(box).to_be_focused()

    box.fill("deploy")
    box.press("Enter")
    panel = page.locator("#search-panel")
    expect(panel).to_be_visible()
    results = panel.locator(".search-result")
    expect(results).to_have_count(20)
    status = page.locator("#search-status")
    expect(status).to_have_text("20+ messages found.")
    # Newest first; the word marked (case-insensitively), the rest rendered.
    first = results.first
    expect(first.locator(".search-result__body")).to_have_text(f"Deploy note {NOTES} is ready")
    expect(first.locator("mark")).to_have_text("Deploy")
    expect(first.locator(".search-result__body strong")).to_have_text("ready")
    expect(first.locator(".search-result__where")).to_have_text("# Notes")
    expect(first.locator(".search-result__who")).to_have_text(ada.username)
    shot(page, "search-desktop")

    more = page.get_by_role("button", name="Load more")
    more.click()
    expect(results).to_have_count(NOTES)
    expect(more).to_be_hidden()
    expect(status).to_have_text(f"{NOTES} messages found.")
    oldest = results.last
    expect(oldest.locator(".search-result__body")).to_have_text("Deploy note 1 is ready")

    # A result opens its room at that message, in place (no reload), and the panel closes.
    seq = oldest.get_attribute("data-seq")
    page.evaluate("window.__sameDocument = true")
    oldest.click()
    expect(page).to_have_url(re.compile(rf"/rooms/{notes}/\?seq={seq}$"))
    target = page.locator(f'#timeline li[data-seq="{seq}"]')
    expect(target).to_have_class(re.compile(r"\bis-jump-target\b"))
    expect(page.locator("#search-panel")).to_be_hidden()
    assert page.evaluate("window.__sameDocument === true")

    # A reply opens in its thread.
    box = page.locator("#search-input")
    box.fill("zeppelin")
    box.press("Enter")
    expect(results).to_have_count(1)
    results.first.click()
    reply = page.locator("#thread-list .item--message", has_text="a threaded zeppelin reply")
    expect(reply).to_have_class(re.compile(r"\bis-jump-target\b"))

    # Nothing found; then a query the server refuses (no word of three characters), with its
    # message and a retry; Escape closes the panel and gives the focus back to the box.
    box.fill("zebrafish")
    box.press("Enter")
    expect(status).to_have_text("No messages match “zebrafish”.")
    expect(results).to_have_count(0)
    box.fill("ab")
    box.press("Enter")
    error = page.locator("#search-error")
    expect(error).to_be_visible()
    expect(page.locator("#search-error-text")).not_to_be_empty()
    expect(error.get_by_role("button", name="Try again")).to_be_visible()
    page.get_by_role("button", name="Close the search").click()
    expect(panel).to_be_hidden()
    expect(box).to_be_focused()


def test_search_on_a_phone_opens_from_the_header_button(person, server):
    ada = person("ada", **PHONE_DEVICE)
    ada.sign_up()
    slug = unique("phone-")
    ada.create_room("Phone", slug)
    ada.say("Lunch plans for friday")
    expect(ada.message("Lunch plans for friday")).to_be_visible()
    page = ada.page

    expect(page.locator("#search-input")).to_be_hidden()
    page.get_by_role("button", name="Search messages").click()
    box = page.locator("#search-input")
    expect(box).to_be_focused()
    box.fill("lunch")
    box.press("Enter")
    panel = page.locator("#search-panel")
    expect(panel.locator(".search-result mark")).to_have_text("Lunch")
    shot(page, "search-phone")
    box.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.get_by_role("button", name="Search messages")).to_be_focused()
