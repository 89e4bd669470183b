"""The live features in a real browser: file uploads, unread badges and the read pointer,
typing, presence, and the sidebar of rooms.

Debian's Chromium, driven by Playwright, against a real server process. Every assertion is about
what a person sees; waiting is Playwright's auto-waiting `expect` (or `wait_for_function` on the
page), never a sleep.
"""

import re
import time

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE, png_bytes, two_members, unique

pytestmark = pytest.mark.live

# This module's server: a member whose last connection closes is announced offline after 1 s
# (instead of the default grace), so the presence test does not wait long.
SERVER_ENV = {"PARLEY_PRESENCE_GRACE_SECONDS": "1"}


def png(width: int, height: int, rgb=(47, 91, 211)) -> bytes:
    """A PNG of one colour."""
    return png_bytes(width, height, lambda x, y: rgb)


def size_text(size: int) -> str:
    """What the page shows for a size (file_labels.js fileSize), for the small files used here."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    kb = size / 1024
    return (f"{kb:.1f}".removesuffix(".0") if kb < 10 else str(round(kb))) + " KB"


def attachments(someone):
    """The timeline's message items that carry a file."""
    page = someone.page
    return page.locator("#timeline .item--message").filter(has=page.locator(".attachment"))


def wait_image_loaded(someone, img, width: int) -> None:
    """The <img> really loaded (served inline, allowed by the page's policy) at its width."""
    someone.page.wait_for_function(
        "([img, width]) => img.complete && img.naturalWidth === width",
        arg=[img.element_handle(), width],
    )


# -- uploads ---------------------------------------------------------------------------------


RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_an_uploaded_image_shows_inline_for_both_people_once(person):
    ada, bob, slug = two_members(person, "files-", init_script=RECORD_VIOLATIONS)
    image = png(160, 90)
    posts: list[str] = []
    ada.page.on(
        "request",
        lambda request: posts.append(request.url) if request.method == "POST" else None,
    )

    ada.page.set_input_files(
        "#id_file", files=[{"name": "mock-up.png", "mimeType": "image/png", "buffer": image}]
    )
    ada.page.get_by_role("button", name="Send").click()  # chosen files wait as chips

    for someone in (ada, bob):
        item = attachments(someone)
        expect(item).to_have_count(1)  # from the answer and the live frame, shown once
        preview = item.locator("img.attachment__image")
        expect(preview).to_be_visible()
        expect(preview).to_have_attribute("alt", "mock-up.png")
        expect(preview).to_have_attribute("loading", "lazy")
        wait_image_loaded(someone, preview, 160)
        expect(item.locator(".attachment__name")).to_have_text("mock-up.png")
        expect(item.locator(".attachment__info")).to_have_text(
            f"PNG image, {size_text(len(image))}"
        )
        expect(item.locator(".item__author")).to_have_text(ada.username)
    expect(ada.page.locator("#uploads .uploads__item")).to_have_count(0)
    expect(ada.page.locator("#upload-error")).to_be_hidden()
    assert posts == [f"{ada.page.url}files/"]
    # The preview is no wider than the timeline and at most 18rem high (CSS, not inline style).
    box = attachments(bob).locator("img").bounding_box()
    assert box["width"] <= 24 * 16 and box["height"] <= 18 * 16

    # A fresh page from the server shows it the same way (the page's initial items).
    bob.page.reload()
    bob.wait_live()
    preview = attachments(bob).locator("img.attachment__image")
    expect(preview).to_have_count(1)
    wait_image_loaded(bob, preview, 160)
    # Nothing on either page broke the Content-Security-Policy (img-src 'self', no inline style).
    for someone in (ada, bob):
        assert someone.page.evaluate("window.__cspViolations") == []


def test_files_dropped_on_the_conversation_are_uploaded_and_others_get_a_download(person):
    ada, bob, slug = two_members(person, "drop-")
    chat = bob.page.locator("#room-chat")
    overlay = bob.page.locator(".drop-overlay")
    expect(overlay).to_be_hidden()

    dropped = bob.page.evaluate_handle(
        """() => {
            const files = new DataTransfer();
            files.items.add(new File(["minutes of the meeting\\n"], "minutes.txt",
                                     {type: "text/plain"}));
            return files;
        }"""
    )
    chat.dispatch_event("dragenter", {"dataTransfer": dropped})
    expect(chat).to_have_class(re.compile(r"\bis-dropping\b"))
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("Drop files to share them")
    chat.dispatch_event("drop", {"dataTransfer": dropped})
    expect(chat).not_to_have_class(re.compile(r"\bis-dropping\b"))
    expect(bob.page.locator("#composer-files .file-chip")).to_have_count(1)
    bob.page.get_by_role("button", name="Send").click()

    for someone in (ada, bob):
        item = attachments(someone)
        expect(item).to_have_count(1)
        expect(item.locator("img")).to_have_count(0)  # not an image: no preview
        link = item.locator("a.attachment__name")
        expect(link).to_have_text("minutes.txt")
        expect(link).to_have_attribute("download", "")
        expect(link).to_have_attribute("href", re.compile(r"/files/\d+/minutes\.txt$"))
        expect(item.locator(".attachment__info")).to_have_text("Text, 23 bytes")
    # The link serves the file as a download, to a member's session.
    response = ada.page.request.get(attachments(ada).locator("a").get_attribute("href"))
    assert response.status == 200
    assert response.text() == "minutes of the meeting\n"
    assert response.headers["content-disposition"].startswith("attachment")


def test_an_empty_file_is_refused_on_its_chip_and_adds_nothing(person):
    """The server refuses empty files (tests/web/test_files.py); the composer says so on the
    file's chip before sending anything, and a good file after it goes as usual."""
    ada, bob, slug = two_members(person, "refused-")
    ada.say("Only this message.")
    for someone in (ada, bob):
        expect(someone.bodies).to_have_text(["Only this message."])
    seqs = ada.seqs()
    posts: list[str] = []
    ada.page.on(
        "request",
        lambda request: posts.append(request.url) if request.method == "POST" else None,
    )

    ada.attach("empty.png", b"", "image/png")
    chip = ada.page.locator("#composer-files .file-chip")
    expect(chip).to_have_class(re.compile(r"\bis-refused\b"))
    expect(chip.locator(".file-chip__info")).to_contain_text("empty")
    ada.page.get_by_role("button", name="Send").click()
    remove = ada.page.get_by_role("button", name="Remove empty.png")
    expect(remove).to_be_focused()  # the send was refused here, at once
    assert posts == []

    remove.click()
    ada.attach("ok.png", png(8, 8), "image/png")
    ada.page.get_by_role("button", name="Send").click()
    expect(attachments(bob)).to_have_count(1)
    expect(bob.page.locator("#timeline [data-seq]")).to_have_count(len(seqs) + 1)
    assert len(posts) == 1


def test_readers_who_are_not_members_cannot_attach(person):
    ada, carol = person("ada"), person("carol")
    ada.sign_up()
    carol.sign_up()
    slug = unique("readers-")
    ada.create_room("Readers", slug)
    carol.open_room(slug)
    expect(carol.page.locator("#id_file")).to_be_disabled()
    carol.join_here()
    expect(carol.page.locator("#id_file")).to_be_enabled()
    # The control is a real, labelled file input that the keyboard reaches.
    expect(carol.page.get_by_label("Attach files to Readers")).to_have_attribute("type", "file")
    carol.page.locator("#id_file").focus()
    expect(carol.page.locator("#id_file")).to_be_focused()


# -- unread counts and the read pointer ------------------------------------------------------


def test_unread_badges_count_live_clear_when_read_and_stay_cleared(person):
    ada, bob, slug = two_members(person, "news-")
    bob.page.goto("/")
    bob.wait_live()
    card = bob.page.locator(f'.room-card[data-room="{slug}"]')
    badge = card.locator("[data-unread-badge]")
    expect(badge).to_be_hidden()

    for n in range(1, 4):
        ada.say(f"news {n}")
    expect(badge).to_be_visible()
    expect(badge.locator("[data-unread-count]")).to_have_text("3")
    expect(badge).to_contain_text("3 unread")  # the words screen readers hear

    # In another room the sidebar counts on, live, and a reload keeps the server's number.
    other = unique("other-")
    bob.create_room("Other", other)
    row = bob.page.locator(f'#sidebar [data-unread-room="{slug}"]')
    expect(row.locator("[data-unread-count]")).to_have_text("3")
    ada.say("news 4")
    expect(row.locator("[data-unread-count]")).to_have_text("4")
    bob.page.reload()
    bob.wait_live()
    expect(row.locator("[data-unread-count]")).to_have_text("4")
    current = bob.page.locator(f'#sidebar [data-unread-room="{other}"] a')
    expect(current).to_have_attribute("aria-current", "page")

    # A second tab on the home page hears about what the first one reads.
    home = bob.context.new_page()
    home.goto("/")
    expect(home.locator("[data-conn]")).to_have_attribute("data-state", "live")
    home_badge = home.locator(f'.room-card[data-room="{slug}"] [data-unread-badge]')
    expect(home_badge).to_have_text(re.compile(r"^4"))

    row.get_by_role("link").click()
    expect(bob.page).to_have_url(re.compile(rf"/rooms/{slug}/$"))
    bob.wait_live()
    # "New messages" sits before the first unread message; the room's badge is gone at once.
    expect(bob.page.locator(".new-marker")).to_have_count(1)
    expect(bob.message("news 1").locator(".new-marker")).to_have_text("New messages")
    expect(row.locator("[data-unread-badge]")).to_be_hidden()
    expect(home_badge).to_be_hidden()

    # Read on the server: after a reload, on the home page, and in a new session alike.
    bob.page.reload()
    bob.wait_live()
    expect(row.locator("[data-unread-badge]")).to_be_hidden()
    expect(bob.page.locator(".new-marker")).to_have_count(0)
    home.reload()
    expect(home_badge).to_be_hidden()

    # While Bob reads the room, a new message is read as it comes, also when he leaves for
    # another room right away (a report the throttle held back is sent as the page goes).
    ada.say("news 5")
    expect(bob.message("news 5")).to_be_visible()
    bob.page.locator(f'#sidebar [data-unread-room="{other}"] a').click()
    expect(bob.page).to_have_url(re.compile(rf"/rooms/{other}/$"))
    bob.wait_live()
    expect(row.locator("[data-unread-badge]")).to_be_hidden()
    ada.say("news 6")
    expect(row.locator("[data-unread-count]")).to_have_text("1")


def test_messages_missed_while_offline_are_counted_after_the_reconnect(person, server):
    ada, bob, slug = two_members(person, "missed-")
    bob.page.goto("/")
    bob.wait_live()
    badge = bob.page.locator(f'.room-card[data-room="{slug}"] [data-unread-badge]')
    expect(badge).to_be_hidden()

    server.stop()
    expect(bob.connection).not_to_have_attribute("data-state", "live")
    # Posted while Bob's page has no connection (straight into the database).
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from parley.rooms.services import message_post\n"
        f"user = get_user_model().objects.get(username={ada.username!r})\n"
        "for n in (1, 2):\n"
        f"    message_post(user=user, room_slug={slug!r}, body=f'missed {{n}}',"
        " client_id=f'missed-{n}')\n",
    )
    server.start()
    bob.wait_live(timeout=20_000)
    # The count comes from the server's `subscribed` after the reconnect.
    expect(badge).to_be_visible()
    expect(badge.locator("[data-unread-count]")).to_have_text("2")


# -- typing ----------------------------------------------------------------------------------


def test_typing_shows_to_others_expires_and_clears_when_the_message_comes(person):
    ada, bob = person("ada"), person("bob")
    typing_frames: list[str] = []
    ada.page.on(
        "websocket",
        lambda ws: ws.on(
            "framesent",
            lambda payload: typing_frames.append(payload) if '"typing"' in str(payload) else None,
        ),
    )
    ada.sign_up()
    bob.sign_up()
    slug = unique("typing-")
    ada.create_room("Typing", slug)
    bob.open_room(slug)
    bob.join_here()
    expect(ada.members).to_have_count(2)
    line = bob.page.locator("#typing")
    expect(line).to_have_attribute("aria-live", "polite")
    expect(line).to_have_text("")

    # A burst of keys is one `typing` frame; Bob sees it, Ada never sees herself.
    ada.composer.press_sequentially("Hello B", delay=30)
    expect(line).to_have_text(f"{ada.username} is typing…")
    shown = time.monotonic()
    assert len(typing_frames) == 1, typing_frames
    expect(ada.page.locator("#typing")).to_have_text("")

    # It expires by itself about 6 s after the last frame.
    expect(line).to_have_text("", timeout=10_000)
    gone = time.monotonic() - shown
    assert 4.5 <= gone <= 8.5, gone

    # Typing again shows it again; the message itself removes it at once.
    ada.composer.press_sequentially("ob, here it is.", delay=20)
    expect(line).to_have_text(f"{ada.username} is typing…")
    ada.composer.press("Enter")
    expect(bob.message("Hello Bob, here it is.")).to_be_visible()
    expect(line).to_have_text("", timeout=2_000)
    expect(ada.page.locator("#typing")).to_have_text("")


def test_two_people_typing_are_named_together(person):
    ada, bob, slug = two_members(person, "duo-")
    carol = person("carol")
    carol.sign_up()
    carol.open_room(slug)
    carol.join_here()
    expect(ada.members).to_have_count(3)

    bob.composer.press_sequentially("hm", delay=20)
    carol.composer.press_sequentially("so", delay=20)
    both = re.compile(
        rf"^({bob.username} and {carol.username}|{carol.username} and {bob.username})"
        r" are typing…$"
    )
    expect(ada.page.locator("#typing")).to_have_text(both)
    expect(bob.page.locator("#typing")).to_have_text(f"{carol.username} is typing…")


# -- presence --------------------------------------------------------------------------------


def presence_of(someone, username: str):
    return someone.page.locator(f'#members li[data-username="{username}"]')


def test_presence_dots_follow_people_coming_going_and_idling(person):
    ada, bob = person("ada"), person("bob")
    ada.sign_up()
    bob.sign_up()
    slug = unique("presence-")
    ada.create_room("Presence", slug)
    bob.open_room(slug)
    bob.join_here()
    bob_for_ada = presence_of(ada, bob.username)
    dot = bob_for_ada.locator(".presence")

    # Bob closes the page: offline once the server's grace has passed.
    bob.page.goto("about:blank")
    expect(bob_for_ada).to_have_attribute("data-presence", "offline")
    expect(dot).to_have_attribute("aria-label", "offline")
    expect(dot).to_have_attribute("role", "img")

    # Bob opens the room: Ada sees him online, and he sees both of them online.
    bob.page.clock.install()  # Bob's idle timer can then be jumped over
    bob.open_room(slug)
    expect(bob_for_ada).to_have_attribute("data-presence", "online")
    expect(dot).to_have_attribute("aria-label", "online")
    expect(presence_of(bob, ada.username)).to_have_attribute("data-presence", "online")
    expect(presence_of(bob, bob.username)).to_have_attribute("data-presence", "online")
    # A fresh page starts from the server's `subscribed` members.
    ada.page.reload()
    ada.wait_live()
    expect(bob_for_ada).to_have_attribute("data-presence", "online")
    expect(presence_of(ada, ada.username)).to_have_attribute("data-presence", "online")

    # Five minutes without input in Bob's tab: idle. His next input: online again.
    bob.page.clock.fast_forward("05:05")
    expect(bob_for_ada).to_have_attribute("data-presence", "idle")
    expect(dot).to_have_attribute("aria-label", "idle")
    bob.page.mouse.move(30, 40)
    bob.page.mouse.move(60, 80)
    expect(bob_for_ada).to_have_attribute("data-presence", "online")

    bob.page.goto("about:blank")
    expect(bob_for_ada).to_have_attribute("data-presence", "offline")


# -- the sidebar -----------------------------------------------------------------------------


def test_the_sidebar_lists_my_rooms_and_folds_away_on_a_phone(person):
    ada = person("ada", viewport=PHONE, is_mobile=True, has_touch=True)
    ada.sign_up()
    first, second = unique("first-"), unique("second-")
    ada.create_room("First room", first)
    ada.create_room("Second room with a rather long name for a phone", second)
    sidebar = ada.page.locator("#sidebar")
    toggle = ada.page.get_by_role("button", name=re.compile(r"^Rooms"))

    expect(sidebar).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(sidebar).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(sidebar.get_by_role("link", name="First room")).to_be_focused()
    expect(sidebar.locator("[data-unread-room]")).to_have_count(2)
    width = ada.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"
    ada.page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    expect(toggle).to_be_focused()

    toggle.click()
    sidebar.get_by_role("link", name="First room").click()
    expect(ada.page).to_have_url(re.compile(rf"/rooms/{first}/$"))
    ada.wait_live()
    expect(ada.composer).to_be_in_viewport()
    expect(ada.page.locator(".attach__button")).to_be_in_viewport()
