"""The composer on the desk and the phone, and files (issue 18): Enter on touch screens, the
phone layout with the keyboard up, files waiting as chips and going with the text, the image
viewer. Desktop and phone sizes; screenshots in build/screenshots/ to look at."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser.tooling import PHONE, PHONE_DEVICE, png_bytes, shot, two_members, unique

PDF = b"%PDF-1.4\n% a tiny test document\n" + b"0" * 1200


def png(width: int, height: int, rgb=(47, 91, 211)) -> bytes:
    return png_bytes(width, height, lambda x, y: rgb if (x // 8 + y // 8) % 2 else (240, 180, 40))


def desk_and_phone(person, prefix: str, *, phone: bool):
    """Ada (at a desk or on a phone) and Bob (at a desk) in a new room."""
    return two_members(person, prefix, ada_options=PHONE_DEVICE if phone else None)


def send(someone, *, phone: bool) -> None:
    """Send what the composer holds: tap Send on a phone, Enter at a desk."""
    if phone:
        someone.page.get_by_role("button", name="Send", exact=True).tap()
    else:
        someone.composer.press("Enter")


def choose(someone, *files) -> None:
    someone.page.set_input_files(
        "#id_file",
        files=[{"name": name, "mimeType": mime, "buffer": data} for name, data, mime in files],
    )


def chips(someone):
    return someone.page.locator("#composer-files .file-chip")


def messages(someone):
    return someone.page.locator("#timeline .item--message")


# -- Enter on touch screens ------------------------------------------------------------------


def test_on_a_touch_screen_enter_adds_a_line_and_the_send_button_sends(person):
    ada = person("ada", **PHONE_DEVICE)
    ada.sign_up()
    ada.create_room("Touch", unique("touch-"))
    box = ada.composer
    expect(ada.page.locator("#composer-note")).to_have_text("Enter adds a line; tap Send to send.")
    expect(box).to_have_attribute("enterkeyhint", "enter")

    box.tap()
    box.press_sequentially("first line")
    box.press("Enter")
    box.press_sequentially("second line")
    expect(box).to_have_value("first line\nsecond line")
    expect(ada.pending).to_have_count(0)
    expect(ada.bodies).to_have_count(0)
    shot(ada.page, "composer-phone-two-lines")

    ada.page.get_by_role("button", name="Send", exact=True).tap()
    expect(ada.bodies).to_have_text(["first line\nsecond line"])
    expect(box).to_have_value("")


def test_at_a_desk_enter_sends_and_shift_enter_adds_a_line(person):
    ada = person("ada")
    ada.sign_up()
    ada.create_room("Desk", unique("desk-"))
    box = ada.composer
    expect(ada.page.locator("#composer-note")).to_have_text("Enter sends, Shift+Enter adds a line.")
    expect(ada.page.locator("#composer-note")).to_be_visible()
    expect(box).to_have_attribute("enterkeyhint", "send")
    box.press_sequentially("one")
    box.press("Shift+Enter")
    box.press_sequentially("two")
    box.press("Enter")
    expect(ada.bodies).to_have_text(["one\ntwo"])


# -- the phone with its keyboard up ----------------------------------------------------------


def post_as(server, username: str, slug: str, bodies: list[str]) -> None:
    """Store messages by `username` straight into the database."""
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


WHOLLY_SHOWN = """(scroller) => {
  const box = scroller.getBoundingClientRect();
  const bottom = Math.min(box.bottom, window.innerHeight);
  return [...scroller.querySelectorAll("#timeline .item--message")].filter((row) => {
    const r = row.getBoundingClientRect();
    return r.top >= box.top - 1 && r.bottom <= bottom + 1;
  }).length;
}"""


def test_on_a_phone_eight_messages_show_and_the_newest_stays_in_view_with_the_keyboard_up(
    person, server
):
    ada = person("ada", **PHONE_DEVICE)
    ada.sign_up()
    slug = unique("keyboard-")
    ada.create_room("Keyboard", slug)
    post_as(server, ada.username, slug, [f"short message {n:02d}" for n in range(1, 31)])
    ada.open_room(slug)
    newest = ada.message("short message 30")
    expect(newest).to_be_in_viewport(ratio=1)

    # The keyboard opens: the composer has focus and the page is 420 px high.
    ada.composer.tap()
    ada.page.set_viewport_size({"width": PHONE["width"], "height": 420})
    expect(newest).to_be_in_viewport(ratio=1)
    expect(ada.composer).to_be_in_viewport(ratio=1)
    expect(ada.page.get_by_role("button", name="Send", exact=True)).to_be_in_viewport(ratio=1)
    shown = ada.page.locator("#timeline-scroll").evaluate(WHOLLY_SHOWN)
    shot(ada.page, "composer-phone-keyboard-up")
    assert shown >= 8, f"only {shown} messages show with the keyboard up"

    # Typing and sending with the keyboard up keeps the newest (now one's own) in view.
    ada.composer.press_sequentially("typed with the keyboard up")
    ada.page.get_by_role("button", name="Send", exact=True).tap()
    expect(ada.message("typed with the keyboard up")).to_be_in_viewport(ratio=1)

    # The keyboard closes again: still at the newest.
    ada.page.set_viewport_size(PHONE)
    expect(ada.message("typed with the keyboard up")).to_be_in_viewport(ratio=1)


# -- files as chips --------------------------------------------------------------------------


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_chosen_files_wait_as_chips_and_go_with_the_text_as_one_message(person, phone):
    ada, bob, _ = desk_and_phone(person, "chips-", phone=phone)
    image = png(64, 40)
    posts: list[str] = []
    ada.page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    choose(
        ada,
        ("plan.pdf", PDF, "application/pdf"),
        ("mock-up.png", image, "image/png"),
        ("scratch.txt", b"not this one\n", "text/plain"),
    )
    expect(chips(ada)).to_have_count(3)
    expect(chips(ada).locator(".file-chip__name")).to_have_text(
        ["plan.pdf", "mock-up.png", "scratch.txt"]
    )
    expect(chips(ada).locator(".file-chip__info")).to_have_text(
        [f"PDF, {len(PDF) / 1024:.1f} KB", f"PNG image, {len(image)} bytes", "Text, 13 bytes"]
    )
    expect(chips(ada).nth(1).locator("img.file-chip__image")).to_be_visible()  # a thumbnail
    assert posts == []  # nothing is sent before the message

    ada.page.get_by_role("button", name="Remove scratch.txt").click()
    expect(chips(ada)).to_have_count(2)
    ada.composer.fill("Here is the plan, and the mock-up.")
    shot(ada.page, f"composer-chips-{'phone' if phone else 'desk'}")
    ada.page.emulate_media(color_scheme="dark")
    shot(ada.page, f"composer-chips-{'phone' if phone else 'desk'}-dark")
    ada.page.emulate_media(color_scheme="light")
    send(ada, phone=phone)
    expect(chips(ada)).to_have_count(0)
    expect(ada.page.locator("#composer-files")).to_be_hidden()

    # Bob gets the words and the first file as one message, the image as the next one.
    for someone in (bob, ada):
        rows = messages(someone)
        expect(rows).to_have_count(2)
        first = rows.nth(0)
        expect(first.locator(".item__body")).to_have_text("Here is the plan, and the mock-up.")
        expect(first.locator(".attachment__name")).to_have_text("plan.pdf")
        expect(rows.nth(1).locator(".item__body")).to_have_count(0)
        expect(rows.nth(1).locator("img.attachment__image")).to_be_visible()
    expect(bob.page.get_by_text("scratch.txt")).to_have_count(0)
    assert len(posts) == 2
    shot(bob.page, f"composer-chips-arrived-{'phone' if phone else 'desk'}")


def test_files_may_go_alone_and_dropped_files_wait_as_chips_too(person):
    ada, bob, _ = desk_and_phone(person, "dropped-", phone=False)
    dropped = ada.page.evaluate_handle(
        """() => {
            const files = new DataTransfer();
            files.items.add(new File(["a,b\\n1,2\\n"], "numbers.csv", {type: "text/csv"}));
            return files;
        }"""
    )
    chat = ada.page.locator("#room-chat")
    chat.dispatch_event("dragenter", {"dataTransfer": dropped})
    chat.dispatch_event("drop", {"dataTransfer": dropped})
    expect(chips(ada)).to_have_count(1)
    expect(chips(ada).locator(".file-chip__info")).to_have_text("CSV, 8 bytes")
    expect(messages(bob)).to_have_count(0)

    ada.page.get_by_role("button", name="Send", exact=True).click()  # no words: the file alone
    expect(messages(bob)).to_have_count(1)
    expect(messages(bob).locator(".attachment__name")).to_have_text("numbers.csv")


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_a_file_over_the_limit_is_refused_on_its_chip_before_anything_is_sent(
    person, tmp_path, phone
):
    ada, bob, _ = desk_and_phone(person, "limit-", phone=phone)
    posts: list[str] = []
    ada.page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    big = tmp_path / "huge-video.mp4"
    with big.open("wb") as handle:
        handle.truncate(30 * 1024 * 1024)
    ada.page.set_input_files("#id_file", str(big))
    chip = chips(ada)
    expect(chip).to_have_count(1)
    expect(chip).to_have_class(re.compile(r"\bis-refused\b"))
    expect(chip.locator(".file-chip__info")).to_have_text("MP4 video, 30 MB · over the 25 MB limit")
    ada.composer.fill("the video")
    ada.page.emulate_media(color_scheme="dark")
    shot(ada.page, f"composer-chip-refused-{'phone' if phone else 'desk'}-dark")
    ada.page.emulate_media(color_scheme="light")
    send(ada, phone=phone)
    expect(ada.page.locator("#composer-note")).to_have_text(
        "Remove the files that cannot be sent first."
    )
    expect(ada.page.get_by_role("button", name="Remove huge-video.mp4")).to_be_focused()
    assert posts == []

    ada.page.get_by_role("button", name="Remove huge-video.mp4").click()
    expect(chip).to_have_count(0)
    send(ada, phone=phone)
    expect(bob.bodies).to_have_text(["the video"])
    assert posts == []  # words alone go over the socket


# -- the image viewer ------------------------------------------------------------------------


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_images_open_in_the_viewer_arrows_move_and_escape_closes(person, phone):
    ada, bob, _ = desk_and_phone(person, "viewer-", phone=phone)
    colours = [(200, 40, 40), (40, 160, 60), (40, 80, 200)]
    choose(
        bob,
        *[(f"picture-{n}.png", png(120, 80, rgb), "image/png") for n, rgb in enumerate(colours, 1)],
    )
    expect(chips(bob)).to_have_count(3)
    bob.page.get_by_role("button", name="Send", exact=True).click()
    previews = ada.page.locator("#timeline .attachment__preview")
    expect(previews).to_have_count(3)
    # Loaded images change the rows' heights: aim once they are in place.
    ada.page.wait_for_function(
        "(imgs) => imgs.every((img) => img.complete && img.naturalWidth > 0)",
        arg=previews.locator("img").element_handles(),
    )

    viewer = ada.page.locator("#image-viewer")
    name = viewer.locator("#image-viewer-name")
    count = viewer.locator("#image-viewer-count")
    expect(viewer).to_be_hidden()
    if phone:
        # (A tap: see the next test.)
        previews.nth(1).dispatch_event("click")
    else:
        previews.nth(1).click()
    expect(viewer).to_be_visible()
    expect(name).to_have_text("picture-2.png")
    expect(count).to_have_text("2 of 3")
    image = viewer.locator("#image-viewer-image")
    expect(image).to_have_attribute("alt", "picture-2.png")
    ada.page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 120", arg=image.element_handle()
    )
    download = viewer.get_by_role("link", name="Download picture-2.png")
    expect(download).to_have_attribute("href", re.compile(r"/files/\d+/picture-2\.png$"))
    expect(download).to_have_attribute("download", "picture-2.png")
    shot(ada.page, f"image-viewer-{'phone' if phone else 'desk'}")
    ada.page.emulate_media(color_scheme="dark")
    shot(ada.page, f"image-viewer-{'phone' if phone else 'desk'}-dark")

    ada.page.keyboard.press("ArrowRight")
    expect(name).to_have_text("picture-3.png")
    expect(count).to_have_text("3 of 3")
    expect(viewer.get_by_role("button", name="Next image")).to_be_hidden()  # the last one
    ada.page.keyboard.press("ArrowRight")
    expect(name).to_have_text("picture-3.png")
    ada.page.keyboard.press("ArrowLeft")
    ada.page.keyboard.press("ArrowLeft")
    expect(name).to_have_text("picture-1.png")
    viewer.get_by_role("button", name="Next image").click()
    expect(name).to_have_text("picture-2.png")

    ada.page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(previews.nth(1)).to_be_focused()
    assert ada.page.url.endswith("/")  # still the room: the image did not open as a page


def test_on_a_phone_a_tap_on_an_image_opens_the_viewer(person):
    ada, bob, _ = desk_and_phone(person, "tap-", phone=True)
    choose(bob, *[(f"p{n}.png", png(120, 80), "image/png") for n in (1, 2)])
    expect(chips(bob)).to_have_count(2)
    bob.page.get_by_role("button", name="Send", exact=True).click()
    previews = ada.page.locator("#timeline .attachment__preview")
    expect(previews).to_have_count(2)
    ada.page.wait_for_function(
        "(imgs) => imgs.every((img) => img.complete && img.naturalWidth > 0)",
        arg=previews.locator("img").element_handles(),
    )
    previews.nth(1).tap()
    expect(ada.page.locator("#image-viewer")).to_be_visible(timeout=3000)


def test_on_a_phone_enter_in_a_thread_adds_a_line_and_reply_sends(person):
    ada, bob, _ = desk_and_phone(person, "thread-touch-", phone=True)
    bob.say("root message")
    root = ada.message("root message")
    expect(root).to_have_count(1)
    root.locator(".item__more").click()
    ada.page.locator("#message-actions [data-action=reply]").click()
    box = ada.page.locator("#thread-body")
    expect(box).to_have_attribute("enterkeyhint", "enter")
    box.fill("first line")
    box.press("Enter")
    box.press_sequentially("second line")
    expect(box).to_have_value("first line\nsecond line")
    ada.page.locator("#thread-composer button[type=submit]").click()
    reply = bob.message("root message").locator(".item__replies")
    expect(reply).to_have_text(re.compile(r"^1 reply"))
