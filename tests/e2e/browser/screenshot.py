"""The README's screenshot: a short conversation in a room, as its creator sees it.

    .venv/bin/python -m tests.e2e.browser.screenshot [docs/screenshot.png]

starts its own server (a temporary data folder) and Debian's Chromium, plays the conversation
with three people in three browser contexts, and saves the room page at 1280x800, light theme:
the sidebar with an unread count in another room, an image shared in the conversation, the
members' presence and someone typing. The browser tests run the same scene into a temporary
file, so this keeps working.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.e2e.browser.tooling import DESKTOP, Person, launch, missing, png_bytes
from tests.e2e.live import ROOT, LiveServer

OUTPUT = ROOT / "docs" / "screenshot.png"

ROOM = ("Design review", "design-review")
# (speaker index, text); speaker 1 joins before speaking, speaker 2 joins mid-conversation.
SCRIPT = [
    (0, "Morning! The new room page is on staging: https://staging.example.com/rooms/lobby/"),
    (1, "Looks good. Here is the sidebar mock-up from yesterday:"),
    (1, ("sidebar-mock-up.png",)),  # a file, shared with the attach button
    (0, "After a restart the page resumes from the last seq it saw, so nothing shows twice."),
    (2, "Checked it on my phone as well: the sidebar folds away and the composer fits."),
    (0, "Great, then it ships after lunch."),
]
# Meanwhile, in another room of the host's sidebar (unread when the picture is taken).
ELSEWHERE = ("Incidents", ["Deploy of 14:00 is done.", "All green on the dashboards."])
TYPING = "One more thing"


def mock_up(width: int = 320, height: int = 180) -> bytes:
    """A little picture of a chat layout: header, sidebar, message lines."""
    blue, side, page, line = (47, 91, 211), (226, 232, 240), (248, 250, 252), (148, 163, 184)
    lengths = [190, 150, 205, 120, 170]

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if y < 24:
            return blue
        if x < 80:
            return blue if 40 <= y < 52 and 8 <= x < 72 else side
        row, offset = divmod(y - 40, 28)
        if y >= 40 and offset < 8 and 96 <= x < 96 + lengths[row % len(lengths)]:
            return line
        return page

    return png_bytes(width, height, pixel)


def play_scene(
    browser, base_url: str, path: Path, names=("ada", "grace", "linus"), room=ROOM
) -> Path:
    """Sign up `names`, play SCRIPT in `room` (name, slug), save the first one's view to `path`."""
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
                preview = host.page.locator(f'#timeline img[alt="{text[0]}"]')
                host.expect(preview).to_be_visible()
                host.page.wait_for_function("img => img.complete", arg=preview.element_handle())
                continue
            someone.say(text)
            host.expect(host.message(text)).to_be_visible()
        host.expect(host.pending).to_have_count(0)
        host.expect(host.members).to_have_count(len(names))
        # A fresh page: presence of everyone from the server's `subscribed`.
        host.page.reload()
        host.wait_live()
        host.expect(host.page.locator("#members [data-presence=online]")).to_have_count(3)
        # News elsewhere: the guest writes in the other room; the host's sidebar counts it.
        guest.open_room(elsewhere[1])
        for text in ELSEWHERE[1]:
            guest.say(text)
        count = host.page.locator(
            f'#sidebar [data-unread-room="{elsewhere[1]}"] [data-unread-count]'
        )
        host.expect(count).to_have_text(str(len(ELSEWHERE[1])))
        late.composer.press_sequentially(TYPING, delay=10)
        host.expect(host.page.locator("#typing")).to_have_text(f"{late.username} is typing…")
        host.composer.blur()
        path.parent.mkdir(parents=True, exist_ok=True)
        host.page.screenshot(path=str(path))
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
                    play_scene(browser, server.base_url, output)
                finally:
                    browser.close()
        finally:
            server.stop()
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
