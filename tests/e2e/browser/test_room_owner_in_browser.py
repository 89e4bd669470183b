"""A room's owner who tries to leave it, in Chromium (issue 15, item 12).

She is told why on the page she is on, and the room still has her: no bare "Not Found".
"""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import unique

pytestmark = pytest.mark.live

EXPLANATION = "You own this room, so you cannot leave it"


def test_owner_who_removes_herself_in_settings_sees_why_and_stays(person):
    ada = person("ada").sign_up()
    slug = unique("own-")
    ada.create_room("Own room", slug, visibility="private")
    page = ada.page
    page.goto(f"/rooms/{slug}/settings/")

    page.get_by_role("button", name=f"Remove {ada.username}").click()

    expect(page.get_by_role("alert")).to_contain_text(EXPLANATION)
    expect(page).to_have_url(re.compile(rf"/rooms/{re.escape(slug)}/settings/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Room settings: Own room")
    expect(page.locator(".member-admin__name")).to_contain_text([ada.username])
    expect(page.locator("#members-heading")).to_have_text("Members (1)")
    # The room page still opens, with her in it.
    ada.open_room(slug)
    expect(ada.members).to_have_text([f"{ada.username} (you)"])


def test_owner_who_presses_leave_on_the_home_page_sees_why_and_stays(person):
    ada = person("ada").sign_up()
    slug = unique("own-")
    ada.create_room("Own room", slug, visibility="private")
    page = ada.page
    page.goto("/")
    ada.wait_live()
    card = page.locator(f'.room-card[data-room="{slug}"]')

    card.get_by_role("button", name="Leave").click()

    expect(card.get_by_role("alert")).to_contain_text(EXPLANATION)
    expect(card.get_by_role("button", name="Leave")).to_be_enabled()
    expect(card.locator("[data-member-badge]")).to_be_visible()
    expect(card.locator("[data-member-count]")).to_have_text("1")
    # After a reload she is still a member.
    page.reload()
    expect(card.locator("[data-member-badge]")).to_be_visible()
    expect(card.get_by_role("button", name="Leave")).to_be_visible()


def test_owner_who_presses_leave_in_the_room_sees_why_and_can_still_talk(person):
    ada = person("ada").sign_up()
    slug = unique("own-")
    ada.create_room("Own room", slug, visibility="private")

    ada.page.get_by_role("button", name="Room menu").click()
    ada.page.locator("#leave-form").get_by_role("menuitem", name="Leave").click()
    # A private room asks first: leaving it cannot be undone by oneself.
    dialog = ada.page.get_by_role("dialog")
    expect(dialog).to_contain_text("Leave Own room?")
    dialog.get_by_role("button", name="Leave").click()

    expect(ada.page.locator("#room-notice")).to_contain_text(EXPLANATION)
    expect(ada.members).to_have_text([f"{ada.username} (you)"])
    ada.say("still mine")
    expect(ada.message("still mine")).to_have_count(1)
