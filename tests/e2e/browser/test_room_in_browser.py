"""Parley in a real browser: Debian's Chromium, driven by Playwright, against a real server.

Every assertion is about what a person sees in the page; waiting is Playwright's auto-waiting
`expect`, never a sleep.
"""

import re
import struct

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.screenshot import phone_path, play_scene
from tests.e2e.browser.tooling import DESKTOP, PHONE, unique

pytestmark = pytest.mark.live

# Records every pending (not yet acknowledged) message the client puts in #pending, however
# briefly: on a local server the ack comes back within milliseconds.
RECORD_PENDING = """() => {
  window.__pendingSeen = [];
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.classList && node.classList.contains("is-pending")) {
          window.__pendingSeen.push(node.querySelector(".item__body").textContent);
        }
      }
    }
  }).observe(document.getElementById("pending"), { childList: true });
}"""


def test_two_people_sign_up_join_and_chat_live(person):
    ada, bob = person("ada"), person("bob")
    ada.sign_up()
    bob.sign_up()
    slug = unique("lobby-")
    ada.create_room("Lobby", slug)
    expect(ada.members).to_have_text([f"{ada.username} (you)"])

    # Bob joins from the home page: the card flips to Leave without a reload.
    bob.page.goto("/")
    bob.wait_live()
    card = bob.page.locator(f'.room-card[data-room="{slug}"]')
    expect(card.locator("[data-member-count]")).to_have_text("1")
    bob.page.evaluate("window.__samePage = true")
    card.get_by_role("button", name="Join").click()
    expect(card.get_by_role("button", name="Leave")).to_be_visible()
    expect(card.get_by_role("button", name="Join")).to_be_hidden()
    expect(card.locator("[data-member-count]")).to_have_text("2")
    expect(card.locator("[data-member-badge]")).to_be_visible()
    assert bob.page.evaluate("window.__samePage") is True, "the home page reloaded"

    # Ada, already in the room, sees him arrive.
    expect(ada.members).to_have_text(sorted([f"{ada.username} (you)", bob.username]))
    expect(ada.page.locator("#timeline .item--join").last).to_contain_text(
        f"{bob.username} joined the room"
    )

    card.get_by_role("link", name="Open").click()
    expect(bob.page).to_have_url(re.compile(rf"/rooms/{slug}/$"))
    bob.wait_live()
    expect(bob.composer).to_be_enabled()

    # Ada's message shows as pending, then confirmed in the timeline with its seq.
    ada.page.evaluate(RECORD_PENDING)
    ada.say("Hello Bob, welcome to the lobby.")
    confirmed = ada.message("Hello Bob, welcome to the lobby.")
    expect(confirmed).to_have_attribute("data-seq", re.compile(r"^\d+$"))
    expect(confirmed).not_to_have_class(re.compile(r"\bis-pending\b"))
    expect(confirmed).to_have_class(re.compile(r"\bis-mine\b"))
    expect(ada.pending).to_have_count(0)
    assert ada.page.evaluate("window.__pendingSeen") == ["Hello Bob, welcome to the lobby."]
    expect(ada.composer).to_have_value("")

    # Both ways, live, with the author's name.
    expect(bob.message("Hello Bob, welcome to the lobby.").locator(".item__author")).to_have_text(
        ada.username
    )
    bob.say("Thanks Ada! Glad to be here.")
    expect(ada.message("Thanks Ada! Glad to be here.").locator(".item__author")).to_have_text(
        bob.username
    )
    ada.say("Shall we start?")
    bob.say("Yes, let's.")

    conversation = [
        "Hello Bob, welcome to the lobby.",
        "Thanks Ada! Glad to be here.",
        "Shall we start?",
        "Yes, let's.",
    ]
    speakers = [ada.username, bob.username, ada.username, bob.username]
    for someone in (ada, bob):
        expect(someone.bodies).to_have_text(conversation)
        expect(someone.authors).to_have_text(speakers)
        expect(someone.pending).to_have_count(0)
    assert ada.seqs() == bob.seqs() == list(range(1, 7))  # ada's join, bob's, 4 messages


def test_members_list_follows_joins_and_leaves_live(person):
    ada, carol = person("ada"), person("carol")
    ada.sign_up()
    carol.sign_up()
    slug = unique("members-")
    ada.create_room("Members", slug)

    # Carol reads the public room without being a member, then joins from the room page.
    carol.open_room(slug)
    expect(carol.page.locator("#join-form")).to_be_visible()
    expect(carol.composer).to_be_disabled()
    expect(carol.members).to_have_text([ada.username])
    carol.join_here()
    expect(carol.page.locator("#join-form")).to_be_hidden()
    expect(carol.members).to_have_text(sorted([ada.username, f"{carol.username} (you)"]))

    expect(ada.members).to_have_text(sorted([f"{ada.username} (you)", carol.username]))
    expect(ada.page.locator("#member-count")).to_have_text("2")
    expect(ada.page.locator("#timeline .item--join").last).to_contain_text(
        f"{carol.username} joined the room"
    )

    carol.page.get_by_role("button", name="Room menu").click()
    carol.page.locator("#leave-form").get_by_role("menuitem", name="Leave").click()
    expect(carol.page.locator("#join-form")).to_be_visible()
    expect(carol.composer).to_be_disabled()

    expect(ada.members).to_have_text([f"{ada.username} (you)"])
    expect(ada.page.locator("#member-count")).to_have_text("1")
    expect(ada.page.locator("#timeline .item--leave").last).to_contain_text(
        f"{carol.username} left the room"
    )


def test_markup_in_a_message_shows_as_text(person):
    ada, bob = person("ada"), person("bob")
    ada.sign_up()
    bob.sign_up()
    slug = unique("markup-")
    ada.create_room("Markup", slug)
    bob.open_room(slug)

    attack = '<img src=x onerror="window.__xss=1">'
    bold = "<b>bold</b>"
    ada.say(attack)
    ada.say(bold)
    for someone in (ada, bob):
        expect(someone.bodies).to_have_text([attack, bold])
    # The same two items rendered by the server on a fresh page load.
    bob.page.reload()
    bob.wait_live()
    expect(bob.bodies).to_have_text([attack, bold])

    for someone in (ada, bob):
        expect(someone.page.locator("#timeline img")).to_have_count(0)
        expect(someone.page.locator("#timeline b")).to_have_count(0)
        assert someone.page.evaluate("typeof window.__xss") == "undefined"


def test_older_history_loads_on_scroll_without_moving_the_view(person, server):
    ada = person("ada")
    ada.sign_up()
    slug = unique("history-")
    ada.create_room("History", slug)
    total = 120
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from parley.rooms.services import message_post\n"
        f"user = get_user_model().objects.get(username={ada.username!r})\n"
        f"for n in range(1, {total + 1}):\n"
        f"    message_post(user=user, room_slug={slug!r}, body=f'history {{n:03d}}',"
        " client_id=f'seed-{n}')\n",
    )
    ada.open_room(slug)
    # The page holds the latest 50 items (seq 72..121; seq 1 is ada's join).
    expect(ada.page.locator("#timeline [data-seq]")).to_have_count(50)
    expect(ada.bodies.first).to_have_text("history 071")
    expect(ada.bodies.last).to_have_text("history 120")
    expect(ada.page.locator("#timeline-start")).to_be_hidden()
    oldest_shown = ada.message("history 071").locator(".item__body")

    # Scroll the timeline to the top: the next 50 older items go in above what is shown.
    top_before = ada.page.locator("#timeline-scroll").evaluate(
        """(scroller) => {
            scroller.scrollTop = 0;
            return document.querySelector('[data-seq="72"] .item__body')
                .getBoundingClientRect().top;
        }"""
    )
    expect(ada.page.locator("#timeline [data-seq]")).to_have_count(100)
    expect(ada.bodies.first).to_have_text("history 021")
    expect(oldest_shown).to_be_in_viewport()
    top_after = oldest_shown.evaluate("el => el.getBoundingClientRect().top")
    assert abs(top_after - top_before) <= 2, (top_before, top_after)

    # Once more: the rest, down to the room's first item, and the start marker.
    ada.page.locator("#timeline-scroll").evaluate("(scroller) => { scroller.scrollTop = 0; }")
    expect(ada.page.locator("#timeline [data-seq]")).to_have_count(total + 1)
    expect(ada.page.locator("#timeline-start")).to_be_visible()
    expect(ada.message("history 021")).to_be_in_viewport()
    expect(ada.bodies).to_have_text([f"history {n:03d}" for n in range(1, total + 1)])
    assert ada.seqs() == list(range(1, total + 2))


def test_after_a_server_restart_the_page_reconnects_and_shows_each_message_once(person, server):
    ada, bob = person("ada"), person("bob")
    ada.sign_up()
    bob.sign_up()
    slug = unique("restart-")
    ada.create_room("Restart", slug)
    bob.open_room(slug)
    bob.join_here()
    ada.say("Before the restart, from Ada.")
    bob.say("Before the restart, from Bob.")
    for someone in (ada, bob):
        expect(someone.bodies).to_have_count(2)

    server.stop()  # SIGTERM: uvicorn closes the sockets with 1012
    for someone in (ada, bob):
        expect(someone.connection).not_to_have_attribute("data-state", "live")

    # Written while the server is down: it waits, pending, and is not in the timeline.
    ada.say("Sent while the server was down.")
    waiting = ada.pending.filter(has_text="Sent while the server was down.")
    expect(waiting).to_have_class(re.compile(r"\bis-pending\b"))
    expect(waiting.locator(".item__status")).to_have_text("Waiting for the connection…")
    expect(ada.page.locator("#composer-note")).to_have_text("Offline: sent once reconnected.")
    expect(ada.bodies).to_have_count(2)

    server.start()
    for someone in (ada, bob):
        someone.wait_live(timeout=20_000)
        expect(someone.connection.locator(".conn__label")).to_have_text("Live")
    expect(ada.pending).to_have_count(0)
    bob.say("After the restart, from Bob.")

    conversation = [
        "Before the restart, from Ada.",
        "Before the restart, from Bob.",
        "Sent while the server was down.",
        "After the restart, from Bob.",
    ]
    for someone in (ada, bob):
        expect(someone.bodies).to_have_text(conversation)
        expect(someone.pending).to_have_count(0)
    assert ada.seqs() == bob.seqs() == list(range(1, 7))  # 2 joins, 4 messages
    # Stored once, too: a fresh page from the server shows the same timeline.
    bob.page.reload()
    bob.wait_live()
    expect(bob.bodies).to_have_text(conversation)
    assert bob.seqs() == list(range(1, 7))


def test_room_page_fits_a_phone_screen(person):
    ada = person("ada", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    ada.sign_up()
    slug = unique("phone-")
    ada.create_room("Quarterly planning for the platform and infrastructure teams", slug)
    # On a touch screen Enter adds a line: the Send button sends.
    for text in (
        "A long word: " + "supercalifragilistic" * 8,
        "A long link: https://example.com/" + "very-long-path-segment/" * 6 + "?q=1",
    ):
        ada.composer.fill(text)
        ada.page.get_by_role("button", name="Send", exact=True).tap()
    expect(ada.bodies).to_have_count(2)

    width = ada.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"
    expect(ada.composer).to_be_in_viewport()
    expect(ada.page.get_by_role("button", name="Send")).to_be_in_viewport()
    expect(ada.page.locator("#members")).to_be_hidden()  # folded on narrow screens


def test_the_readme_screenshot_scene_plays(browser, server, tmp_path):
    """The tooling behind docs/screenshot.png (python -m tests.e2e.browser.screenshot) works."""
    names = tuple(unique(name) for name in ("ada", "grace", "linus"))
    room = ("Design review", unique("design-"))
    shot = play_scene(browser, server.base_url, tmp_path / "room.png", names=names, room=room)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])
    assert (width, height) == (DESKTOP["width"], DESKTOP["height"])
    phone = phone_path(shot).read_bytes()
    assert phone[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", phone[16:24])[0] == PHONE["width"] * 2  # at the phone's pixel ratio
