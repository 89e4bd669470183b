"""Connection honesty in a real browser (issue 18): a full-width banner while the connection is
lost, presence greyed while it is, a reconnect at once when the browser is back online or the
user comes back to the tab (not after the backoff), and "Sign in to send" when the session ended.

Debian's Chromium, driven by Playwright, against a real server process; waiting is Playwright's
auto-waiting `expect`, never a sleep.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE_DEVICE, shot, unique

pytestmark = pytest.mark.live

OFFLINE_TEXT = "You are offline. Messages you write are kept and sent when you are back."
# Far below the backoff the page has reached when these tests bring it back: only an at-once
# reconnect is live this soon.
AT_ONCE_MS = 2_500


def banner(someone):
    return someone.page.locator("[data-conn-banner] .conn-banner__bar")


def banner_text(someone):
    return someone.page.locator("[data-conn-banner] .conn-banner__text")


def my_dot(someone):
    return someone.page.locator(f'#members li[data-username="{someone.username}"] .presence')


def create_room(someone, name: str, slug: str) -> None:
    """A public room of `someone`'s, open and live (the form's visibility is a select or a set
    of radio buttons, depending on the version of the page)."""
    page = someone.page
    page.goto("/rooms/new/")
    page.fill("#id_name", name)
    page.fill("#id_slug", slug)
    choice = page.locator('select[name="visibility"], input[name="visibility"][value="public"]')
    if choice.evaluate("(el) => el.tagName") == "SELECT":
        choice.select_option("public")
    else:
        choice.check()
    page.get_by_role("button", name="Create room").click()
    expect(page).to_have_url(re.compile(rf"/rooms/{re.escape(slug)}/$"))
    someone.wait_live()


def open_own_room(someone, prefix: str) -> str:
    someone.sign_up()
    slug = unique(prefix)
    create_room(someone, prefix.rstrip("-").title(), slug)
    expect(my_dot(someone)).to_have_attribute("aria-label", "online")
    return slug


def below(upper, lower) -> None:
    """`upper` ends at or above where `lower` starts: it does not cover it."""
    a, b = upper.bounding_box(), lower.bounding_box()
    assert a and b, "both are shown"
    assert a["y"] + a["height"] <= b["y"] + 0.5, (a, b)


def go_offline_and_back(someone, name: str) -> None:
    page = someone.page
    composer = page.locator("#composer")
    expect(banner(someone)).to_be_hidden()

    someone.context.set_offline(True)
    expect(banner(someone)).to_be_visible()
    expect(banner(someone)).to_contain_text(OFFLINE_TEXT)
    expect(page.get_by_role("status").filter(has_text=OFFLINE_TEXT)).to_have_count(1)
    # The members' presence is the last the server said: grey, and labelled so.
    dot = my_dot(someone)
    expect(dot).to_have_attribute("aria-label", "unknown while disconnected (last seen online)")
    assert "grayscale" in dot.evaluate("(el) => getComputedStyle(el).filter")
    # What is written meanwhile waits; the box stays usable and in view.
    expect(page.locator("#id_body")).to_be_enabled()
    expect(composer).to_be_in_viewport()
    below(banner(someone), page.locator(".room__header"))
    shot(page, f"{name}-offline")

    someone.context.set_offline(False)
    # The `online` event reconnects at once: no backoff.
    someone.wait_live(timeout=AT_ONCE_MS)
    expect(banner_text(someone)).to_have_text("Back online.")
    expect(dot).to_have_attribute("aria-label", "online")
    assert dot.evaluate("(el) => getComputedStyle(el).filter") == "none"
    expect(banner(someone)).to_be_hidden()


def test_offline_shows_a_banner_greys_presence_and_online_reconnects_at_once(person):
    ada = person("ada")
    open_own_room(ada, "offline-")
    go_offline_and_back(ada, "connection-desktop")


def test_offline_on_a_phone_the_banner_leaves_the_composer_in_place(person):
    ada = person("ada", **PHONE_DEVICE)
    open_own_room(ada, "offline-phone-")
    composer = ada.page.locator("#composer")
    before = composer.bounding_box()
    ada.context.set_offline(True)
    expect(banner(ada)).to_contain_text(OFFLINE_TEXT)
    shot(ada.page, "connection-phone-offline")
    after = composer.bounding_box()
    assert before and after
    # The composer keeps its place at the bottom: the timeline gives the banner its room.
    assert abs(after["y"] - before["y"]) <= 1, (before, after)
    expect(composer).to_be_in_viewport(ratio=1)
    below(banner(ada), composer)
    banner_height = banner(ada).bounding_box()["height"]
    assert banner_height <= 80, banner_height
    ada.page.emulate_media(color_scheme="dark")
    shot(ada.page, "connection-phone-offline-dark")
    ada.context.set_offline(False)
    ada.wait_live(timeout=AT_ONCE_MS)


# -- the home page: offline and back, a long backoff cut short ---------------------------------


def test_on_the_home_page_offline_shows_the_banner_and_online_reconnects_at_once(person):
    ada = person("ada")
    ada.sign_up()
    ada.wait_live()
    expect(banner(ada)).to_be_hidden()
    ada.context.set_offline(True)
    expect(banner(ada)).to_contain_text(OFFLINE_TEXT)
    expect(ada.connection).to_have_attribute("data-state", "offline")
    shot(ada.page, "connection-home-offline")
    ada.context.set_offline(False)
    ada.wait_live(timeout=AT_ONCE_MS)
    expect(banner_text(ada)).to_have_text("Back online.")
    expect(banner(ada)).to_be_hidden()


class Gate:
    """The page's WebSocket connections, let through to the server or refused (closed at once),
    and the one let through last, to drop."""

    def __init__(self, page):
        self.refusing = False
        self.last = None
        page.route_web_socket(re.compile(r"/ws/$"), self.handle)

    def handle(self, route) -> None:
        if self.refusing:
            route.close(code=1011)
            return
        route.connect_to_server()
        self.last = route


@pytest.mark.parametrize(
    "come_back",
    [
        "window.dispatchEvent(new FocusEvent('focus'))",
        "document.dispatchEvent(new Event('visibilitychange'))",
    ],
    ids=["focus", "visibilitychange"],
)
def test_coming_back_to_the_tab_reconnects_at_once_not_after_the_backoff(person, come_back):
    ada = person("ada")
    gate = Gate(ada.page)
    ada.sign_up()
    ada.wait_live()

    # The connection drops and every new one is refused: the backoff grows.
    gate.refusing = True
    gate.last.close(code=1011)
    lost = banner(ada)
    expect(lost).to_contain_text("Connection lost.")
    expect(lost.get_by_role("button", name="Retry now")).to_be_visible()
    long_wait = re.compile(r"Reconnecting in ([5-9]|[1-9][0-9]) s")
    expect(lost).to_contain_text(long_wait, timeout=30_000)
    shot(ada.page, "connection-lost-desktop")

    # The server would take the connection again; the page waits out at least 4 more seconds
    # unless the user coming back makes it try now.
    gate.refusing = False
    ada.page.evaluate(come_back)
    ada.wait_live(timeout=AT_ONCE_MS)
    expect(banner_text(ada)).to_have_text("Back online.")


# -- the session ended -----------------------------------------------------------------------


def test_after_logging_out_in_another_tab_the_banner_offers_to_sign_in(person):
    ada = person("ada")
    slug = open_own_room(ada, "signed-out-")

    other = ada.context.new_page()
    other.goto("/")
    menu = other.locator("summary.user-menu__button")  # the account menu, where there is one
    if menu.count():
        menu.click()
    other.get_by_role("button", name="Log out").click()

    expect(banner(ada)).to_contain_text("Signed out: sign in to send.")
    link = banner(ada).get_by_role("link", name="Sign in")
    expect(link).to_have_attribute("href", f"/accounts/login/?next=%2Frooms%2F{slug}%2F")
    expect(ada.page.get_by_role("status").filter(has_text="Signed out")).to_have_count(1)
    # Focus stays where the user had it: the banner does not take it.
    assert ada.page.evaluate("document.activeElement.closest('[data-conn-banner]') === null")
    shot(ada.page, "connection-signed-out-desktop")
    # Coming back to the tab does not try again: only signing in helps.
    ada.page.evaluate("window.dispatchEvent(new FocusEvent('focus'))")
    expect(ada.connection).to_have_attribute("data-state", "signed-out")

    link.click()
    expect(ada.page).to_have_url(re.compile(r"/accounts/login/\?next="))
