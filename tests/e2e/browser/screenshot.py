"""The README's screenshot: a conversation in a room, as one of its members sees it.

    .venv/bin/python -m tests.e2e.browser.screenshot [docs/screenshot.png]

starts its own server (a temporary data folder) and Debian's Chromium, plays the conversation
with three people in three browser contexts, and saves the room page at 1280x800, light theme:
reactions with their counts, a thread open beside the timeline (its root shows "2 replies · …"),
the sidebar with unread counts (and a mention) in another room and a direct conversation
waiting in "Direct messages", an image shared in the conversation, and someone typing; and
beside it (screenshot-phone.png) the same room on a phone, 375x740; first of all, what a fresh
server shows (screenshot-setup.png): its set-up page, filled in. The browser tests run the
same scene into a temporary folder, so this keeps working. Emoji need a
colour emoji font (Debian's fonts-noto-color-emoji), else they show as empty boxes.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from tests.e2e.browser.tooling import DESKTOP, PHONE_DEVICE, Person, launch, missing, png_bytes
from tests.e2e.live import ROOT, LiveServer

OUTPUT = ROOT / "docs" / "screenshot.png"

ROOM = ("Design review", "design-review")
# (speaker index, text); speaker 1 joins before speaking, speaker 2 joins mid-conversation.
SCRIPT = [
    (0, "Morning! The new room page is on https://staging.example.com"),
    (1, "Looks good. Here is the sidebar mock-up from yesterday:"),
    (1, ("sidebar-mock-up.png",)),  # a file, shared with the attach button
    (0, "After a restart the page resumes from the last seq it saw."),
    (2, "Checked it on my phone too: the sidebar folds away nicely."),
    # Markdown: shown formatted, the code highlighted (the first line is what the page shows).
    (
        0,
        "For the record, resuming is **one frame**:\n"
        '```json\n{"type": "subscribe", "room": "design-review", "after": 41}\n```',
    ),
]
# (reacting people, message, emoji): the counts the picture shows.
REACTIONS = [
    ((1, 2), SCRIPT[0][1], "🎉"),
    ((2,), SCRIPT[0][1], "👀"),
    ((0, 1), SCRIPT[4][1], "👍"),
]
# The thread the picture shows open: its root, and (speaker index, reply).
THREAD = (
    SCRIPT[3][1],
    [
        (1, "Tried it with the server restarting mid-sentence: nothing lost, nothing twice."),
        (2, "Same on my phone after a tunnel. Nice work!"),
    ],
)
# Meanwhile, in another room of the host's sidebar (unread when the picture is taken); "{host}"
# is the host's username: that message mentions them.
ELSEWHERE = ("Incidents", ["Deploy of 14:00 is done.", "@{host} all green on the dashboards."])
# And a direct conversation the guest starts with the host (unread too).
DIRECT = ["Got a minute about the launch post?", "No rush, after lunch is fine."]
TYPING = "One more thing"


def mock_up(width: int = 256, height: int = 128) -> bytes:
    """A little picture of a chat layout: header, sidebar, message lines."""
    blue, side, page, line = (47, 91, 211), (226, 232, 240), (248, 250, 252), (148, 163, 184)
    lengths = [(width - 96) * n // 10 for n in (8, 6, 9, 5, 7)]

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if y < 20:
            return blue
        if x < 72:
            return blue if 32 <= y < 42 and 8 <= x < 64 else side
        row, offset = divmod(y - 32, 22)
        if y >= 32 and offset < 7 and 88 <= x < 88 + lengths[row % len(lengths)]:
            return line
        return page

    return png_bytes(width, height, pixel)


def message_actions(someone: Person, text: str):
    """Point at the message `text`: its actions toolbar shows in it."""
    someone.message(text).hover()
    toolbar = someone.message(text).locator("#message-actions")
    someone.expect(toolbar).to_be_visible()
    return toolbar


def react(someone: Person, text: str, emoji: str) -> None:
    """`someone` reacts to the message `text` with one of the toolbar's quick emoji."""
    message_actions(someone, text).locator(f"[data-action=react][data-emoji='{emoji}']").click()
    mine = someone.message(text).locator(".reaction[aria-pressed=true]", has_text=emoji)
    someone.expect(mine).to_have_count(1)


def reply(someone: Person, text: str, body: str) -> None:
    """`someone` replies to the message `text` in its thread, then closes the thread."""
    message_actions(someone, text).locator("[data-action=reply]").click()
    someone.page.fill("#thread-body", body)
    someone.page.press("#thread-body", "Enter")
    panel = someone.page.locator("#thread-panel")
    reply_body = panel.locator("#thread-list .item__body", has_text=body)
    someone.expect(reply_body).to_have_count(1)
    someone.expect(panel.locator("#thread-pending .item--message")).to_have_count(0)
    someone.page.locator("#thread-close").click()
    someone.expect(panel).to_be_hidden()


def setup_path(path: Path) -> Path:
    """Where the fresh server's set-up page goes: docs/screenshot-setup.png."""
    return path.with_name(f"{path.stem}-setup{path.suffix}")


def setup_view(browser, base_url: str, path: Path) -> None:
    """What `make run` shows first on a fresh clone: the login page leads to the set-up page,
    shown filled in (and not sent, so the scene that follows starts from an empty server)."""
    context = browser.new_context(base_url=base_url, color_scheme="light", viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_role("link", name="Set up this server").click()
        page.wait_for_url("**/setup/")
        page.get_by_label("Server name").fill("Acme Engineering")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Email").fill("ada@example.com")
        page.get_by_label("Password", exact=True).fill("a long passphrase")
        page.get_by_label("Password confirmation").fill("a long passphrase")
        page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
        page.screenshot(path=str(path))
    finally:
        context.close()


def phone_path(path: Path) -> Path:
    """Where the phone view of the scene goes: docs/screenshot-phone.png beside the other."""
    return path.with_name(f"{path.stem}-phone{path.suffix}")


def phone_view(browser, base_url: str, host: Person, slug: str, path: Path) -> None:
    """The same room as the host sees it on a phone (their session, a touch screen)."""
    phone = browser.new_context(
        base_url=base_url,
        storage_state=host.context.storage_state(),
        color_scheme="light",
        **PHONE_DEVICE,
    )
    try:
        page = phone.new_page()
        page.goto(f"/rooms/{slug}/")
        host.expect(page.locator("[data-conn]")).to_have_attribute("data-state", "live")
        host.expect(page.locator("#members [data-presence=online]")).to_have_count(3)
        page.locator("#timeline-scroll").evaluate("el => { el.scrollTop = el.scrollHeight; }")
        page.screenshot(path=str(path))
    finally:
        phone.close()


def play_scene(
    browser, base_url: str, path: Path, names=("ada", "grace", "linus"), room=ROOM
) -> Path:
    """Sign up `names`, play the scene in `room` (name, slug), save the first one's view."""
    people = [Person(browser, base_url, name, viewport=DESKTOP) for name in names]
    try:
        for someone in people:
            someone.sign_up()
        host, guest, late = people
        elsewhere = (ELSEWHERE[0], f"{room[1]}-incidents")
        guest.create_room(*elsewhere)
        host.create_room(*room)
        host.open_room(elsewhere[1])
        host.join_here()
        host.open_room(room[1])
        guest.open_room(room[1])
        guest.join_here()
        joined = {host.username, guest.username}
        for speaker, text in SCRIPT:
            someone = people[speaker]
            if someone.username not in joined:
                someone.open_room(room[1])
                someone.join_here()
                joined.add(someone.username)
            if isinstance(text, tuple):
                someone.attach(text[0], mock_up(), "image/png")
                someone.page.locator("#composer .composer__send").click()
                preview = host.page.locator(f'#timeline img[alt="{text[0]}"]')
                host.expect(preview).to_be_visible()
                host.page.wait_for_function("img => img.complete", arg=preview.element_handle())
                continue
            someone.say(text)
            if "\n" in text:  # Markdown: the page shows it formatted, not as typed
                shown = text.splitlines()[0].replace("**", "")
                body = host.page.locator("#timeline .item--message .item__body", has_text=shown)
                host.expect(body).to_be_visible()
                continue
            host.expect(host.message(text)).to_be_visible()
        host.expect(host.pending).to_have_count(0)
        host.expect(host.members).to_have_count(len(names))
        for who, text, emoji in REACTIONS:
            for index in who:
                react(people[index], text, emoji)
        root, replies = THREAD
        for speaker, body in replies:
            reply(people[speaker], root, body)
        # News elsewhere: the guest writes in the other room, and to the host directly.
        guest.open_room(elsewhere[1])
        for text in ELSEWHERE[1]:
            text = text.format(host=host.username)
            guest.say(text)
            guest.expect(guest.message(text)).to_be_visible()
        guest.open_room(room[1])
        guest.page.get_by_role("button", name=f"Message {host.username}").click()
        guest.expect(guest.page).to_have_url(re.compile(r"/rooms/dm-[0-9a-f]+/$"))
        guest.wait_live()
        direct = guest.page.url.rstrip("/").rsplit("/", 1)[-1]
        for text in DIRECT:
            guest.say(text)
            guest.expect(guest.message(text)).to_be_visible()
        # A fresh page: presence of everyone, and the direct conversation in the sidebar.
        host.page.reload()
        host.wait_live()
        sidebar = host.page.locator("#sidebar")
        for slug, news in ((elsewhere[1], ELSEWHERE[1]), (direct, DIRECT)):
            count = sidebar.locator(f'[data-unread-room="{slug}"] [data-unread-count]')
            host.expect(count).to_have_text(str(len(news)))
        mentions = sidebar.locator(f'[data-unread-room="{elsewhere[1]}"] [data-mention-count]')
        host.expect(mentions).to_have_text("1")
        host.expect(sidebar.locator(".sidebar__room", has_text=guest.username)).to_have_count(1)
        host.expect(host.page.locator("#members [data-presence=online]")).to_have_count(3)
        counts = host.message(SCRIPT[0][1]).locator(".reaction")
        host.expect(counts).to_have_text(["🎉2", "👀1"])
        summary = host.message(root).locator(".item__replies")
        host.expect(summary).to_have_text(re.compile(r"^2 replies · last reply "))
        # The thread, open beside the timeline.
        summary.click()
        thread = host.page.locator("#thread-list .item__body")
        host.expect(thread).to_have_text([root, *(body for _, body in replies)])
        host.page.locator("#thread-body").blur()
        host.page.mouse.move(DESKTOP["width"] - 1, DESKTOP["height"] - 1)
        host.expect(host.page.locator("#message-actions")).to_be_hidden()
        late.composer.press_sequentially(TYPING, delay=10)
        host.expect(host.page.locator("#typing")).to_have_text(f"{late.username} is typing…")
        host.page.locator("#timeline-scroll").evaluate("el => { el.scrollTop = el.scrollHeight; }")
        path.parent.mkdir(parents=True, exist_ok=True)
        host.page.screenshot(path=str(path))
        phone_view(browser, base_url, host, room[1], phone_path(path))
        errors = [error for someone in people for error in someone.errors]
        if errors:
            raise RuntimeError(f"uncaught errors in the page: {errors}")
        return path
    finally:
        for someone in people:
            someone.close()


def main(argv: list[str]) -> int:
    reason = missing()
    if reason:
        print(f"cannot take the screenshot: {reason}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    output = Path(argv[0]).resolve() if argv else OUTPUT
    with tempfile.TemporaryDirectory(prefix="parley-screenshot-") as data:
        server = LiveServer(Path(data))
        server.prepare()
        server.start()
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                try:
                    setup_view(browser, server.base_url, setup_path(output))
                    play_scene(browser, server.base_url, output)
                finally:
                    browser.close()
        finally:
            server.stop()
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
