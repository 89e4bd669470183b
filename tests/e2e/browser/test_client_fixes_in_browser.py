"""The room page's client through a real browser, where the usability review found it wrong
(issue 15): the order of one's own fast messages under a rate limit, the "New messages" line
with more unread than the page holds, staying at the newest message on a phone whose screen
shrinks, and the page after the session ended in another tab.

Debian's Chromium, driven by Playwright, against a real server process; waiting is Playwright's
auto-waiting `expect` (or an animation frame the page has drawn), never a sleep.
"""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE, unique

pytestmark = pytest.mark.live

# This module's server limits sends (the other browser tests run without limits): a burst of
# 10, then 5 a second, so that typing 30 messages quickly runs into `rate_limited`.
SERVER_ENV = {"PARLEY_RATE_LIMITS": "true", "PARLEY_RATE_SEND": "10,5/s"}


def post_as(server, username: str, slug: str, bodies: list[str]) -> None:
    """Store messages by `username` straight into the database, unthrottled (the limiter of
    the shell process is not the server's)."""
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from parley.core import ratelimit\n"
        "from parley.rooms.services import message_post\n"
        "ratelimit.get_limiter().enabled = False\n"
        f"user = get_user_model().objects.get(username={username!r})\n"
        f"for n, body in enumerate({bodies!r}):\n"
        f"    message_post(user=user, room_slug={slug!r}, body=body, client_id=f'seed-{{n}}')\n",
    )


def next_frames(someone) -> None:
    """Return once the page has drawn two more frames: resize observers have run by then."""
    someone.page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )


# -- 9: one's own messages keep the order they were typed in ---------------------------------


def test_messages_typed_fast_are_stored_in_typed_order_across_rate_limits_and_a_reload(person):
    ada = person("ada")
    ada.sign_up()
    slug = unique("order-")
    ada.create_room("Order", slug)
    typed = [f"message {n:02d}" for n in range(1, 31)]

    for text in typed:
        ada.say(text)
    # Past the burst the limit holds some back; a reload now leaves them to the outbox.
    assert ada.pending.count() > 0
    ada.page.reload()
    ada.wait_live()

    expect(ada.pending).to_have_count(0, timeout=20_000)
    expect(ada.bodies).to_have_text(typed)
    # Stored that way, each once: the server's page shows the same timeline.
    ada.page.reload()
    ada.wait_live()
    expect(ada.bodies).to_have_text(typed)
    assert ada.seqs() == list(range(1, 32))  # her join, then the 30 messages


# -- 10: "New messages" with more unread than the page holds ---------------------------------


def test_the_new_messages_line_sits_before_the_first_unread_of_61(person, server):
    ada, bob = person("ada"), person("bob")
    ada.sign_up()
    bob.sign_up()
    slug = unique("unread-")
    ada.create_room("Unread", slug)
    bob.open_room(slug)
    bob.join_here()
    bob.say("Read up to here.")  # sending moves Bob's read pointer to his message
    expect(bob.message("Read up to here.")).to_be_visible()
    bob.page.goto("about:blank")

    unread = [f"unread {n:02d}" for n in range(1, 62)]
    post_as(server, ada.username, slug, unread)
    bob.open_room(slug)

    # The page came with the latest 50 items; the line is before the first unread, in view.
    marker = bob.page.locator(".new-marker")
    expect(bob.message("unread 01").locator(".new-marker")).to_have_text("New messages")
    expect(marker).to_have_count(1)
    expect(marker).to_be_in_viewport()
    expect(bob.message("Read up to here.")).to_have_count(1)
    bodies = bob.bodies.all_text_contents()
    assert bodies[bodies.index("Read up to here.") :] == ["Read up to here.", *unread]


# -- 11: a phone's screen shrinks (the keyboard opens) ---------------------------------------


def test_on_a_phone_the_newest_message_stays_in_view_when_the_screen_shrinks(person, server):
    ada = person("ada", viewport=PHONE, is_mobile=True, has_touch=True)
    ada.sign_up()
    slug = unique("pinned-")
    ada.create_room("Pinned", slug)
    # Enough that an older line is far from the end: one author's lines are grouped (short rows).
    post_as(server, ada.username, slug, [f"line {n:02d}" for n in range(1, 81)])
    ada.open_room(slug)
    newest = ada.message("line 80")
    expect(newest).to_be_in_viewport(ratio=1)

    # The keyboard opens: the page is 320 px shorter. The reader was at the bottom: stays there.
    ada.page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"] - 320})
    expect(newest).to_be_in_viewport(ratio=1)
    ada.page.set_viewport_size(PHONE)
    expect(newest).to_be_in_viewport(ratio=1)

    # A reader scrolled up to older messages keeps their place when the screen shrinks.
    scroller = ada.page.locator("#timeline-scroll")
    reading = ada.message("line 45")
    reading.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    next_frames(ada)
    where = "(el) => el.getBoundingClientRect().top"
    before = (scroller.evaluate("(s) => s.scrollTop"), reading.evaluate(where))
    ada.page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"] - 320})
    next_frames(ada)
    after = (scroller.evaluate("(s) => s.scrollTop"), reading.evaluate(where))
    assert after == before
    expect(newest).not_to_be_in_viewport()


# -- 14: the session ended in another tab ----------------------------------------------------


def test_after_logging_out_in_another_tab_the_room_shows_me_signed_out(person):
    ada = person("ada")
    ada.sign_up()
    slug = unique("signout-")
    ada.create_room("Sign out", slug)
    me = ada.page.locator(f'#members li[data-username="{ada.username}"]')
    expect(me).to_have_attribute("data-presence", "online")

    other = ada.context.new_page()
    other.goto("/")
    other.locator(".user-menu__button").click()  # the account menu in the header
    other.get_by_role("button", name="Log out").click()
    expect(other.get_by_role("link", name="Log in")).to_be_visible()

    # The session's sockets were closed (4403): signed out, and not online any more.
    expect(ada.connection).to_have_attribute("data-state", "signed-out")
    expect(ada.connection.locator(".conn__label")).to_have_text("Signed out")
    expect(me).not_to_have_attribute("data-presence", "online")
    # The page is not connected: the dot's label says its presence is not current (issue 18).
    expect(me.locator(".presence")).to_have_attribute(
        "aria-label", "unknown while disconnected (last seen offline)"
    )

    # A message written now waits in the outbox and says what it needs.
    ada.say("Written after logging out.")
    waiting = ada.pending.filter(has_text="Written after logging out.")
    expect(waiting.locator(".item__status")).to_have_text("Sign in to send")
    link = waiting.get_by_role("link", name="Sign in to send")
    expect(link).to_have_attribute("href", f"/accounts/login/?next=%2Frooms%2F{slug}%2F")
    expect(ada.page.locator("#composer-note")).to_have_text(re.compile(r"^Signed out"))


# -- rights changed in the admin: the page reconnects at once under the new rights -----------


def test_a_page_reconnects_by_itself_when_the_admin_changes_the_users_staff_status(person, server):
    ada = person("ada")
    ada.sign_up()
    slug = unique("rights-")
    ada.create_room("Rights", slug)
    root = person("root")
    user_id = server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from tests.e2e.browser.tooling import PASSWORD\n"
        "User = get_user_model()\n"
        f"User.objects.create_superuser({root.username!r}, password=PASSWORD)\n"
        f"print(User.objects.get(username={ada.username!r}).pk)\n",
    ).split()[-1]  # the shell may say first what it imported
    root.page.goto("/admin/login/")
    root.page.fill("#id_username", root.username)
    root.page.fill("#id_password", "correct-horse-battery-9")
    root.page.get_by_role("button", name="Log in").click()
    expect(root.page).to_have_title(re.compile("Site administration"))
    root.page.goto(f"/admin/auth/user/{user_id}/change/")
    root.page.get_by_label("Staff status").check()

    # The server closes ada's socket (4409); her page opens a new one at once, by itself.
    with ada.page.expect_websocket(timeout=5_000):
        root.page.get_by_role("button", name="Save", exact=True).click()
    ada.wait_live()
    ada.say("still here")
    expect(ada.pending).to_have_count(0)
    expect(ada.bodies).to_have_text(["still here"])
