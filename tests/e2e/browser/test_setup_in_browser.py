"""First run in a browser: an empty server leads to the set-up page; the administrator makes an
invitation link, and a newcomer in another browser signs up with it and lands in #general."""

import re

import pytest

from tests.e2e.browser.tooling import PASSWORD

pytestmark = pytest.mark.live

# This module's server starts empty and takes sign-ups by invitation only.
SERVER_ENV = {"PARLEY_SIGNUP": "invite"}


def test_set_up_an_empty_server_then_sign_up_with_an_invitation(person):
    founder = person("founder")
    page = founder.page
    expect = founder.expect

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_role("link", name="Set up this server").click()
    expect(page).to_have_url(re.compile(r"/setup/$"))
    page.fill("#id_site_name", "Acme Chat")
    page.fill("#id_username", founder.username)
    page.fill("#id_email", "founder@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Set up").click()
    expect(page).to_have_url(founder.base_url + "/")
    expect(page).to_have_title(re.compile(r"· Acme Chat$"))
    expect(page.locator("#your-rooms")).to_contain_text("General")

    page.locator("summary.user-menu__button").first.click()
    page.get_by_role("link", name="Invitations").first.click()
    expect(page).to_have_url(re.compile(r"/staff/invitations/$"))
    page.fill("#id_note", "first teammate")
    page.get_by_role("button", name="Make invitation").click()
    link = page.locator("#new-link").input_value()
    assert link.startswith(founder.base_url + "/accounts/signup/?invite=invite_")

    newcomer = person("newcomer")
    other = newcomer.page
    other.goto("/accounts/signup/")
    expect(other.locator("#signup-refused")).to_contain_text("Sign-up needs an invitation")
    other.goto(link)
    expect(other.locator("#invitation-notice")).to_contain_text(founder.username)
    other.fill("#id_username", newcomer.username)
    other.fill("#id_password1", PASSWORD)
    other.fill("#id_password2", PASSWORD)
    other.get_by_role("button", name="Sign up").click()
    expect(other).to_have_url(newcomer.base_url + "/")
    expect(other.locator("#your-rooms")).to_contain_text("General")

    # The link was single-use: the list says who used it, and it works no more.
    page.reload()
    expect(page.locator("#invitations")).to_contain_text(f"Used by {newcomer.username}")
    third = person("late")
    third.page.goto(link)
    expect(third.page.locator("#signup-refused")).to_contain_text("used as many times")
