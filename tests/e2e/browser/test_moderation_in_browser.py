"""Moderation across the server in Chromium (issue 22): a staff member deactivates a spammer in
the admin and deletes all their messages; the spammer's page is signed out at once, everyone
else sees the messages go live, and the audit log has the reason."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PASSWORD, two_members

pytestmark = pytest.mark.live


def test_staff_deactivate_a_spammer_and_delete_their_messages_from_the_admin(person, server):
    ada, bob, slug = two_members(person, "moderated-")
    bob.say("Buy cheap watches")
    bob.say("Really cheap")
    expect(ada.message("Buy cheap watches")).to_be_visible()
    ada.say("Please stop")

    mod = person("mod")
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        f"get_user_model().objects.create_superuser({mod.username!r}, password={PASSWORD!r})\n",
    )
    page = mod.page
    page.goto("/admin/login/")
    page.fill("#id_username", mod.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_title(re.compile("Site administration"))

    page.goto(f"/admin/auth/user/?q={bob.username}")
    page.locator("input[name=_selected_action]").first.check()
    page.locator("select[name=action]").select_option("deactivate_users_and_messages")
    page.get_by_role("button", name="Go").click()
    # The confirmation page: who, how many messages, a reason; nothing has happened yet.
    expect(page.locator(".parley-deactivate-users")).to_contain_text(
        f"{bob.username} — 2 messages to delete"
    )
    expect(bob.connection).to_have_attribute("data-state", "live")
    page.get_by_label("Reason").fill("selling watches")
    page.get_by_role("button", name="Yes, deactivate and delete their messages").click()
    expect(page.locator(".messagelist")).to_contain_text("1 user(s) deactivated")

    # Bob's page is signed out; Ada sees both messages deleted, live, and hers stays.
    expect(bob.connection).to_have_attribute("data-state", "signed-out")
    expect(ada.message("message deleted")).to_have_count(2)
    expect(ada.message("Buy cheap watches")).to_have_count(0)
    expect(ada.message("Please stop")).to_be_visible()
    # Bob's browser cannot come back: the room page sends him to the login page.
    bob.page.goto(f"/rooms/{slug}/")
    expect(bob.page).to_have_url(re.compile(r"/accounts/login/"))

    page.goto("/admin/accounts/auditentry/?action=user_deactivate")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(bob.username)
    expect(row).to_contain_text("selling watches")
