"""Room roles in Chromium (issue 22): an archived room leaves the sidebar and is listed under
"Archived"; a member of a room made read-only sees the message box close, live and on reload."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import unique

pytestmark = pytest.mark.live

READ_ONLY_NOTE = "Only the room's owner and moderators post in this read-only room."


def test_the_owner_archives_a_room_and_it_leaves_the_sidebar(person):
    ada = person("ada").sign_up()
    old, other = unique("old-"), unique("other-")
    ada.create_room("Old project", old)
    ada.create_room("Other", other)
    page = ada.page
    expect(page.locator(f'#sidebar a[href="/rooms/{old}/"]')).to_have_count(1)

    page.goto(f"/rooms/{old}/settings/")
    page.get_by_role("button", name="Archive the room").click()

    expect(page).to_have_url(re.compile(rf"/rooms/{re.escape(old)}/settings/$"))
    expect(page.get_by_role("button", name="Bring the room back")).to_be_visible()
    ada.open_room(other)
    expect(page.locator(f'#sidebar a[href="/rooms/{old}/"]')).to_have_count(0)
    page.goto("/")
    archived = page.locator("#archived-rooms")
    expect(archived.get_by_role("link", name="Old project")).to_be_visible()
    expect(page.locator(f'#your-rooms a[href="/rooms/{old}/"]')).to_have_count(0)
    # Still readable, with the archive in its timeline and the box closed for everyone.
    archived.get_by_role("link", name="Old project").click()
    ada.wait_live()
    expect(page.locator("#timeline .item--archive")).to_contain_text("archived the room")
    expect(ada.composer).to_be_disabled()
    expect(page.locator("#composer-note")).to_have_text("This room is archived: it is read-only.")


def test_a_member_sees_the_composer_close_when_the_room_becomes_read_only(person):
    ada = person("ada").sign_up()
    bob = person("bob").sign_up()
    slug = unique("news-")
    ada.create_room("News", slug)
    bob.open_room(slug)
    bob.join_here()
    expect(bob.composer).to_be_enabled()

    ada.page.goto(f"/rooms/{slug}/settings/")
    ada.page.get_by_role("button", name="Make read-only").click()
    expect(ada.page.get_by_role("button", name="Let everyone post")).to_be_visible()

    # Live: the event's line, and the box closed with the reason under it.
    expect(bob.page.locator("#timeline .item--read_only")).to_contain_text(
        f"{ada.username} made the room read-only"
    )
    expect(bob.composer).to_be_disabled()
    expect(bob.page.locator("#composer-note")).to_have_text(READ_ONLY_NOTE)
    # The owner still posts.
    ada.open_room(slug)
    expect(ada.composer).to_be_enabled()
    ada.say("Release on Friday")
    expect(bob.message("Release on Friday")).to_have_count(1)
    # And after a reload the box is closed from the start.
    bob.page.reload()
    bob.wait_live()
    expect(bob.composer).to_be_disabled()
    expect(bob.page.locator("#composer-note")).to_have_text(READ_ONLY_NOTE)
