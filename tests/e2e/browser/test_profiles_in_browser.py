"""Profiles in a real browser: Bob sets his display name, status, time zone and picture on
/settings/profile/; Ada sees his name and picture on his message as it arrives, opens his
profile card from it and from the members list, and starts a direct conversation from the card."""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import png_bytes, two_members

pytestmark = pytest.mark.live


def test_a_profile_shows_on_messages_in_the_members_list_and_in_the_card(person):
    ada, bob, slug = two_members(person, "prof-")

    page = bob.page
    page.goto("/")
    page.locator(".user-menu__button").click()
    page.get_by_role("link", name="Profile").click()
    expect(page).to_have_url(re.compile(r"/settings/profile/$"))
    page.fill("#id_display_name", "Bob Builder")
    page.fill("#id_status_emoji", "🌴")
    page.fill("#id_status_text", "Fixing things")
    page.select_option("#id_time_zone", "Asia/Tokyo")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    page.set_input_files(
        "#id_avatar",
        files=[
            {
                "name": "me.png",
                "mimeType": "image/png",
                "buffer": png_bytes(64, 32, lambda x, y: (200, 40, 40)),
            }
        ],
    )
    page.get_by_role("button", name="Upload picture").click()
    expect(page.get_by_text("Your picture is changed.")).to_be_visible()
    expect(page.locator("img.avatar--large")).to_be_visible()

    bob.open_room(slug)
    bob.say("hello from the builder")

    # Ada's page was open all along: the message arrives with his name and picture.
    row = ada.message("hello from the builder")
    author = row.locator(".item__author")
    expect(author).to_have_text("Bob Builder")
    expect(author).to_have_attribute("title", bob.username)
    expect(row.locator(".item__avatar img")).to_have_attribute(
        "src", re.compile(r"^/avatars/\d+/[0-9a-f]+\.png$")
    )

    author.click()
    card = ada.page.locator("#profile-card")
    expect(card).to_be_visible()
    expect(card.locator(".profile-card__name")).to_have_text("Bob Builder")
    expect(card.locator(".profile-card__username")).to_have_text(f"@{bob.username}")
    expect(card.locator(".profile-card__status")).to_have_text("🌴 Fixing things")
    expect(card.locator(".profile-card__time")).to_contain_text("local time (Asia/Tokyo)")
    card.get_by_role("button", name="Close").click()
    expect(card).to_be_hidden()

    # After a reload the server renders the same: the message and the members list.
    ada.open_room(slug)
    expect(ada.message("hello from the builder").locator(".item__author")).to_have_text(
        "Bob Builder"
    )
    member = ada.page.locator(f'#members li[data-username="{bob.username}"] .members__name')
    expect(member).to_have_text("Bob Builder")
    member.click()
    expect(card.locator(".profile-card__name")).to_have_text("Bob Builder")
    card.get_by_role("button", name="Message").click()
    expect(ada.page).to_have_url(re.compile(r"/rooms/[^/]+/$"))
    expect(ada.page).not_to_have_url(re.compile(rf"/rooms/{re.escape(slug)}/$"))
