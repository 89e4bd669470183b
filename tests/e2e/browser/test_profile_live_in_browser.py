"""A profile change reaches an open room page live (a `profile` frame): Bob renames himself and
sets a status while Ada's page of their room stays open; without a reload her members list shows
his new name and status, and his message there shows the new name."""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import two_members

pytestmark = pytest.mark.live


def test_a_renamed_member_shows_live_in_the_members_list_and_on_their_message(person):
    ada, bob, slug = two_members(person, "live-prof-")
    bob.say("before the rename")
    row = ada.message("before the rename")
    expect(row.locator(".item__author")).to_have_text(bob.username)

    page = bob.page
    page.goto("/settings/profile/")
    page.fill("#id_display_name", "Bob Builder")
    page.fill("#id_status_emoji", "🌴")
    page.fill("#id_status_text", "Fixing things")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    member = ada.page.locator(f'#members li[data-username="{bob.username}"]')
    expect(member.locator(".members__name")).to_have_text("Bob Builder")
    expect(member.locator(".members__name")).to_have_attribute("title", f"@{bob.username}")
    expect(member.locator(".members__status")).to_have_attribute("title", "🌴 Fixing things")
    expect(row.locator(".item__author")).to_have_text("Bob Builder")
