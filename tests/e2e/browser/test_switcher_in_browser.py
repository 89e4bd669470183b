"""The room switcher in a real browser: Ctrl+K (or a "Jump to…" button) opens a search over the
user's rooms and conversations; typing narrows it, the keys or a click open a room.

Debian's Chromium, driven by Playwright, against a real server process; every assertion is about
what a person sees, waiting with Playwright's `expect`, never a sleep. The switcher is the room
page's own (room.js binds it; a room chosen opens without a reload, room_switch.js).
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE_DEVICE, Person, shot, two_members, unique

pytestmark = pytest.mark.live


def dialog(someone: Person):
    return someone.page.get_by_role("dialog", name="Jump to a room or conversation")


def field(someone: Person):
    return someone.page.get_by_role("combobox", name="Jump to a room or conversation")


def options(someone: Person):
    return someone.page.locator("#switcher-list").get_by_role("option")


def names(someone: Person):
    return someone.page.locator("#switcher-list .switcher__name")


def open_with_keys(someone: Person, key: str = "Control+k") -> None:
    someone.page.keyboard.press(key)
    expect(dialog(someone)).to_be_visible()
    expect(field(someone)).to_be_focused()


def test_ctrl_k_finds_a_room_by_fuzzy_letters_and_enter_opens_it(person):
    ada = person("ada")
    ada.sign_up()
    design, random_, cafe = unique("design-"), unique("random-"), unique("cafe-")
    ada.create_room("Design review", design)
    ada.create_room("Random chat", random_)
    ada.create_room("Café crème", cafe)

    open_with_keys(ada)
    # Everything, the room open now last, marked as the current one.
    expect(names(ada)).to_have_text(["Design review", "Random chat", "Café crème"])
    expect(options(ada).last).to_contain_text("current")
    expect(field(ada)).to_have_attribute("aria-expanded", "true")
    expect(field(ada)).to_have_attribute("aria-activedescendant", "switcher-option-0")
    expect(options(ada).first).to_have_attribute("aria-selected", "true")

    # Letters in order, not necessarily together; accents and case do not matter.
    field(ada).fill("desrev")
    expect(names(ada)).to_have_text(["Design review"])
    expect(names(ada).first.locator("mark")).to_have_text(["Des", "rev"])
    field(ada).fill("CREME")
    expect(names(ada)).to_have_text(["Café crème"])
    expect(names(ada).first.locator("mark")).to_have_text(["crème"])
    field(ada).fill("zzzq")
    expect(options(ada)).to_have_count(0)
    expect(ada.page.locator("#switcher-status")).to_have_text("Nothing matches “zzzq”.")
    expect(field(ada)).to_have_attribute("aria-expanded", "false")

    # Up and Down move the active option (wrapping round); Enter opens it.
    field(ada).fill("r")
    expect(names(ada)).to_have_text(["Random chat", "Design review", "Café crème"])
    shot(ada.page, "switcher-desktop-light")
    field(ada).press("ArrowDown")
    expect(options(ada).nth(1)).to_have_attribute("aria-selected", "true")
    expect(field(ada)).to_have_attribute("aria-activedescendant", "switcher-option-1")
    field(ada).press("ArrowUp")
    field(ada).press("ArrowUp")
    expect(options(ada).nth(2)).to_have_attribute("aria-selected", "true")
    field(ada).press("ArrowDown")
    field(ada).press("ArrowDown")
    expect(options(ada).nth(1)).to_have_attribute("aria-selected", "true")
    field(ada).press("Enter")
    expect(dialog(ada)).to_be_hidden()
    expect(ada.page).to_have_url(re.compile(rf"/rooms/{design}/$"))
    ada.wait_live()
    expect(ada.page.locator("#room-view")).to_have_attribute("data-room", design)


def test_escape_closes_gives_the_focus_back_and_it_opens_again_the_same(person):
    ada = person("ada")
    ada.sign_up()
    first, second = unique("first-"), unique("second-")
    ada.create_room("First", first)
    ada.create_room("Second", second)

    ada.composer.click()
    ada.composer.fill("half a thought")
    open_with_keys(ada)
    field(ada).fill("fir")
    expect(names(ada)).to_have_text(["First"])
    ada.page.keyboard.press("Escape")
    expect(dialog(ada)).to_be_hidden()
    expect(ada.composer).to_be_focused()
    expect(ada.composer).to_have_value("half a thought")  # Ctrl+K typed nothing into it

    # Again, with ⌘K this time: a fresh, empty search, the same list.
    open_with_keys(ada, "Meta+k")
    expect(field(ada)).to_have_value("")
    expect(names(ada)).to_have_text(["First", "Second"])
    # The shortcut again closes it.
    ada.page.keyboard.press("Control+k")
    expect(dialog(ada)).to_be_hidden()
    expect(ada.composer).to_be_focused()

    # The close button (for those without Escape) does the same.
    open_with_keys(ada)
    dialog(ada).get_by_role("button", name="Close").click()
    expect(dialog(ada)).to_be_hidden()
    expect(ada.composer).to_be_focused()


def test_titles_are_shown_as_text_never_as_markup(person):
    ada = person("ada")
    ada.sign_up()
    slug = unique("odd-")
    ada.create_room("<b>Bold</b> & <i>co</i>", slug)
    open_with_keys(ada)
    field(ada).fill("bold")
    expect(names(ada)).to_have_text(["<b>Bold</b> & <i>co</i>"])
    expect(names(ada).first.locator("b, i")).to_have_count(0)
    expect(names(ada).first.locator("mark")).to_have_text(["Bold"])


def test_mentions_and_unread_come_first_with_their_badges_and_a_click_opens(person):
    ada, bob, busy = two_members(person, "busy-")
    quiet, here = unique("quiet-"), unique("here-")
    ada.create_room("Quiet", quiet)
    ada.create_room("Here", here)
    bob.say(f"@{ada.username} look at this")
    bob.say("and this")
    row = ada.page.locator(f'#sidebar [data-unread-room="{busy}"]')
    expect(row.locator("[data-mention-count]")).to_have_text("1")
    expect(row.locator("[data-unread-count]")).to_have_text("2")

    # The "Jump to…" button does what Ctrl+K does, for a mouse.
    ada.page.locator("[data-open-switcher]").first.click()
    expect(dialog(ada)).to_be_visible()
    first = options(ada).first
    expect(first.locator(".switcher__name")).to_have_text("Busy")
    expect(first).to_contain_text("2 unread")  # the words screen readers hear
    expect(first).to_contain_text("@1 mentioning you")
    expect(names(ada)).to_have_text(["Busy", "Quiet", "Here"])
    shot(ada.page, "switcher-desktop-badges")
    first.click()
    expect(dialog(ada)).to_be_hidden()
    expect(ada.page).to_have_url(re.compile(rf"/rooms/{busy}/$"))
    ada.wait_live()
    expect(ada.message("and this")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_on_a_phone_a_tap_opens_it_and_a_tap_on_a_room_goes_there(person, scheme):
    ada = person("ada", **PHONE_DEVICE)
    ada.page.emulate_media(color_scheme=scheme)
    ada.sign_up()
    plans, team = unique("plans-"), unique("team-")
    ada.create_room("🎉 Party plans", plans)
    ada.create_room("Team", team, visibility="private")
    ada.create_room("Planning ahead", unique("ahead-"))

    # On a phone the sidebar is a drawer: wherever the button is, it is reached by a tap.
    if not ada.page.locator("[data-open-switcher]").first.is_visible():
        ada.page.locator("#sidebar-toggle").tap()
    ada.page.locator("[data-open-switcher]").first.tap()
    expect(dialog(ada)).to_be_visible()
    expect(names(ada)).to_have_count(3)
    # The kinds show as icons (#, a padlock) and are said in words.
    expect(options(ada).filter(has_text="Team").locator(".switcher__icon")).to_have_text("🔒")
    expect(options(ada).filter(has_text="Team")).to_contain_text("private room")
    shot(ada.page, f"switcher-phone-{scheme}-all")
    field(ada).fill("plan")
    expect(names(ada)).to_have_text(["Planning ahead", "🎉 Party plans"])
    expect(names(ada).nth(1).locator("mark")).to_have_text(["plan"])
    box = dialog(ada).bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_DEVICE["viewport"]["width"]
    shot(ada.page, f"switcher-phone-{scheme}-query")
    options(ada).filter(has_text="Party").tap()
    expect(dialog(ada)).to_be_hidden()
    expect(ada.page).to_have_url(re.compile(rf"/rooms/{plans}/$"))
    ada.wait_live()


def test_desktop_dark(person):
    ada = person("ada")
    ada.page.emulate_media(color_scheme="dark")
    ada.sign_up()
    ada.create_room("General", unique("general-"))
    ada.create_room("Gentle reminders", unique("gentle-"))
    ada.create_room("Engineering", unique("eng-"), visibility="private")
    open_with_keys(ada)
    field(ada).fill("gen")
    expect(names(ada)).to_have_text(["General", "Gentle reminders", "Engineering"])
    shot(ada.page, "switcher-desktop-dark")
