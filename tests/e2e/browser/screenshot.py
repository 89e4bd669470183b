"""The README's screenshot: a short conversation in a room, as its creator sees it.

    .venv/bin/python -m tests.e2e.browser.screenshot [docs/screenshot.png]

starts its own server (a temporary data folder) and Debian's Chromium, plays the conversation
with three people in three browser contexts, and saves the room page at 1280x800, light theme.
The browser tests run the same scene into a temporary file, so this keeps working.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.e2e.browser.tooling import DESKTOP, Person, launch, missing
from tests.e2e.live import ROOT, LiveServer

OUTPUT = ROOT / "docs" / "screenshot.png"

ROOM = ("Design review", "design-review")
# (speaker index, text); speaker 1 joins before speaking, speaker 2 joins mid-conversation.
SCRIPT = [
    (0, "Morning! The new room page is on staging: https://staging.example.com/rooms/lobby/"),
    (1, "Looks good. A message stays greyed out until the server confirms it, nice touch."),
    (0, "And after a restart the page resumes from the last seq it saw, so nothing shows twice."),
    (1, "I tried pasting <b>markup</b>; it stays plain text, as it should."),
    (2, "Checked it on my phone as well: the members list folds away and the composer fits."),
    (0, "Great, then it ships after lunch."),
]


def play_scene(
    browser, base_url: str, path: Path, names=("ada", "grace", "linus"), room=ROOM
) -> Path:
    """Sign up `names`, play SCRIPT in `room` (name, slug), save the first one's view to `path`."""
    people = [Person(browser, base_url, name, viewport=DESKTOP) for name in names]
    try:
        for someone in people:
            someone.sign_up()
        host, guest, late = people
        host.create_room(*room)
        guest.open_room(room[1])
        guest.join_here()
        joined = {host.username, guest.username}
        for speaker, text in SCRIPT:
            someone = people[speaker]
            if someone.username not in joined:
                someone.open_room(room[1])
                someone.join_here()
                joined.add(someone.username)
            someone.say(text)
            host.expect(host.message(text)).to_be_visible()
        host.expect(host.pending).to_have_count(0)
        host.expect(host.members).to_have_count(len(names))
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
