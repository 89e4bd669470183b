"""Opening rooms without reloads: the socket and the page stay, drafts and places stay with their
rooms, Back and Forward work, Escape marks the open room read (room.js, room_switch.js)."""

import re

import pytest

from tests.e2e.browser.tooling import PHONE_DEVICE, shot, two_members, unique

pytestmark = pytest.mark.live

# Set on the page's window: still there after a room switch means the page was not reloaded.
MARK = "window.__parleyPage = 'first load'"
SAME_PAGE = "window.__parleyPage === 'first load'"


def seed(server, slug: str, username: str, count: int) -> None:
    """`count` messages by `username` in `slug`, stored through the service like any send."""
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from parley.rooms.services import message_post\n"
        f"user = get_user_model().objects.get(username={username!r})\n"
        f"for n in range({count}):\n"
        f"    message_post(user=user, room_slug={slug!r}, body=f'line {{n}}',\n"
        "                 client_id=f's{n}')\n",
    )


def sidebar_link(page, slug: str):
    return page.locator(f'#sidebar [data-unread-room="{slug}"] a')


def test_switching_rooms_keeps_the_page_the_socket_and_each_rooms_draft(person):
    ada = person("ada")
    ada.sign_up()
    first, second = unique("nav-a-"), unique("nav-b-")
    ada.create_room("Alpha", first)
    ada.create_room("Beta", second)
    page = ada.page
    page.evaluate(MARK)
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))

    # Beta is open (made last); the composer has the focus on a desktop.
    ada.expect(ada.composer).to_be_focused()
    ada.composer.fill("half a thought about beta")
    sidebar_link(page, first).click()
    ada.expect(page).to_have_url(re.compile(rf"/rooms/{first}/$"))
    ada.expect(page.locator("#room-view")).to_have_attribute("data-room", first)
    ada.expect(page).to_have_title(re.compile(r"^Alpha"))
    ada.expect(sidebar_link(page, first)).to_have_attribute("aria-current", "page")
    ada.expect(sidebar_link(page, second)).not_to_have_attribute("aria-current", "page")
    assert page.evaluate(SAME_PAGE)
    ada.expect(ada.composer).to_have_value("")
    ada.expect(ada.composer).to_be_focused()

    # The same socket carries the new room: a message sent here arrives.
    ada.say("hello alpha")
    ada.expect(ada.message("hello alpha")).to_have_count(1)
    ada.wait_live()

    # Back: Beta again, with its draft, still the same page and socket.
    page.go_back()
    ada.expect(page).to_have_url(re.compile(rf"/rooms/{second}/$"))
    ada.expect(ada.composer).to_have_value("half a thought about beta")
    page.go_forward()
    ada.expect(page).to_have_url(re.compile(rf"/rooms/{first}/$"))
    ada.expect(ada.message("hello alpha")).to_have_count(1)
    assert page.evaluate(SAME_PAGE)
    assert sockets == [], f"no new socket while switching rooms: {sockets}"

    # A reload keeps the draft too.
    page.goto(f"/rooms/{second}/")
    ada.wait_live()
    ada.expect(ada.composer).to_have_value("half a thought about beta")
    # Sent: the draft is gone, also after a reload.
    ada.composer.press("Enter")
    ada.expect(ada.message("half a thought about beta")).to_have_count(1)
    page.reload()
    ada.wait_live()
    ada.expect(ada.composer).to_have_value("")
    shot(page, "navigation-desktop")


def test_a_room_left_counts_what_came_meanwhile_and_escape_marks_a_room_read(person, server):
    ada, bob, slug = two_members(person, "nav-count-")
    other = unique("nav-other-")
    ada.create_room("Other", other)
    seed(server, slug, ada.username, 80)  # her own: nothing unread when she opens the room
    ada.open_room(slug)
    page = ada.page
    page.evaluate(MARK)
    ada.expect(ada.message("line 79")).to_be_visible()
    sidebar_link(page, other).click()
    ada.expect(page.locator("#room-view")).to_have_attribute("data-room", other)

    # Bob writes meanwhile: the sidebar counts it for the room Ada left.
    bob.say("while you were away")
    badge = page.locator(f'#sidebar [data-unread-room="{slug}"] [data-unread-count]')
    ada.expect(badge).to_have_text("1")

    sidebar_link(page, slug).click()
    ada.expect(page.locator("#room-view")).to_have_attribute("data-room", slug)
    ada.expect(ada.message("while you were away")).to_have_count(1)
    assert page.evaluate(SAME_PAGE)

    # Scrolled up, Ada does not read what comes; Escape marks the room read all the same.
    page.locator("#timeline-scroll").evaluate("(el) => { el.scrollTop = 0; }")
    bob.say("one more")
    ada.expect(ada.message("one more")).to_have_count(1)
    ada.expect(badge).to_have_text("1")
    page.locator("#timeline-scroll").click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    ada.expect(page.locator(f'#sidebar [data-unread-room="{slug}"]')).to_have_attribute(
        "data-unread", "0"
    )
    # Bob's other browser sees nothing of this; the server keeps Ada's pointer: a reload agrees.
    page.reload()
    ada.wait_live()
    ada.expect(page.locator(f'#sidebar [data-unread-room="{slug}"]')).to_have_attribute(
        "data-unread", "0"
    )


def test_on_a_phone_the_drawer_opens_a_room_in_place_and_closes(person):
    ada = person("ada", **PHONE_DEVICE)
    ada.sign_up()
    first, second = unique("nav-pa-"), unique("nav-pb-")
    ada.create_room("Phone A", first)
    ada.create_room("Phone B", second)
    page = ada.page
    page.evaluate(MARK)
    # The keyboard stays down: no focus in the composer on a touch screen.
    ada.expect(ada.composer).not_to_be_focused()
    page.locator("#sidebar-toggle").click()
    ada.expect(page.locator("#sidebar")).to_be_visible()
    sidebar_link(page, first).click()
    ada.expect(page).to_have_url(re.compile(rf"/rooms/{first}/$"))
    ada.expect(page.locator("#sidebar")).not_to_be_visible()
    ada.expect(page.locator("#sidebar-toggle")).to_have_attribute("aria-expanded", "false")
    assert page.evaluate(SAME_PAGE)
    ada.composer.fill("from the phone")
    page.get_by_role("button", name="Send").click()
    ada.expect(ada.message("from the phone")).to_have_count(1)
    shot(page, "navigation-phone")


def test_a_direct_conversation_opens_in_place(person):
    ada, bob, slug = two_members(person, "nav-dm-")
    page = ada.page
    page.evaluate(MARK)
    ada.page.locator(f'#members li[data-username="{bob.username}"] .members__dm').click()
    ada.expect(page).to_have_url(re.compile(r"/rooms/dm-[0-9a-f]+/$"))
    assert page.evaluate(SAME_PAGE)
    ada.say("just us")
    ada.expect(ada.message("just us")).to_have_count(1)
