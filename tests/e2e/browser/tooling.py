"""Driving Debian's Chromium through Playwright: launch it, and act as a person using Parley.

Shared by the browser tests (conftest.py) and the README screenshot (screenshot.py). Playwright
is imported lazily so that this module imports on machines without it (the tests then skip).
"""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium stalls on refused connections to Google
# services on a machine without internet; the sandbox needs privileges containers lack.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
# A phone as Playwright's device list describes one: touch, mobile viewport, its pixel ratio.
PHONE_DEVICE = {"viewport": PHONE, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}
# Screenshots the tests take to be looked at (never compared, not committed): build/screenshots/.
SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"
PASSWORD = "correct-horse-battery-9"
# Expectations wait this long by default: a reconnect after a restart takes a few seconds.
EXPECT_TIMEOUT_MS = 10_000


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (.venv/bin/pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return (
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or make browser)"
        )
    return None


def launch(playwright):
    """Debian's Chromium, headless; never a downloaded browser."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )


def two_members(
    person, prefix: str, *, init_script: str | None = None, ada_options=None, **bob_options
):
    """Ada and Bob signed up; Ada created a room and Bob joined it; both have it open.

    `init_script` runs first in every page of both (e.g. to record policy violations);
    `ada_options` and `bob_options` open their browser contexts (e.g. `**PHONE_DEVICE`)."""
    ada, bob = person("ada", **(ada_options or {})), person("bob", **bob_options)
    if init_script:
        for someone in (ada, bob):
            someone.context.add_init_script(init_script)
    ada.sign_up()
    bob.sign_up()
    slug = unique(prefix)
    ada.create_room(prefix.rstrip("-").title(), slug)
    bob.open_room(slug)
    bob.join_here()
    ada.expect(ada.members).to_have_count(2)
    return ada, bob, slug


def shot(page, name: str) -> Path:
    """Save what `page` shows as build/screenshots/<name>.png for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def png_bytes(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """A real RGB PNG, `pixel(x, y)` -> (r, g, b), made here: nothing from disk or other hosts."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class Person:
    """One user in their own browser context (own cookies and localStorage) with one page."""

    def __init__(self, browser, base_url: str, username: str, *, viewport=DESKTOP, **options):
        from playwright.sync_api import expect

        self.expect = expect
        self.username = username
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url, viewport=viewport, color_scheme="light", **options
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def close(self) -> None:
        self.context.close()

    # -- pages --------------------------------------------------------------------------------

    def sign_up(self) -> Person:
        page = self.page
        page.goto("/accounts/signup/")
        page.fill("#id_username", self.username)
        page.fill("#id_password1", PASSWORD)
        page.fill("#id_password2", PASSWORD)
        page.get_by_role("button", name="Sign up").click()
        self.expect(page).to_have_url(self.base_url + "/")
        self.expect(page.locator(".account__user")).to_have_text(self.username)
        return self

    def create_room(self, name: str, slug: str, visibility: str = "public") -> None:
        page = self.page
        page.goto("/rooms/new/")
        page.fill("#id_name", name)
        page.fill("#id_slug", slug)
        page.locator(f'input[name="visibility"][value="{visibility}"]').check()
        page.get_by_role("button", name="Create room").click()
        if visibility == "private":  # the form goes on to "Add people"; the room comes next
            page.get_by_role("link", name="Skip", exact=True).click()
        self.expect(page).to_have_url(re.compile(rf"/rooms/{re.escape(slug)}/$"))
        self.wait_live()

    def open_room(self, slug: str) -> None:
        self.page.goto(f"/rooms/{slug}/")
        self.wait_live()

    def join_here(self) -> None:
        """On a room page: press "Join room" and wait for the composer to open."""
        self.page.get_by_role("button", name="Join room").click()
        self.expect(self.page.locator("#id_body")).to_be_enabled()

    def wait_live(self, timeout: float = EXPECT_TIMEOUT_MS) -> None:
        self.expect(self.connection).to_have_attribute("data-state", "live", timeout=timeout)

    # -- the room page ------------------------------------------------------------------------

    @property
    def connection(self):
        return self.page.locator("[data-conn]")

    @property
    def composer(self):
        return self.page.locator("#id_body")

    def say(self, text: str) -> None:
        """Type a message and send it: Enter on a desktop, the Send button on a touch screen
        (where Enter adds a line)."""
        self.composer.fill(text)
        if self.page.evaluate("matchMedia('(pointer: coarse)').matches"):
            self.page.locator("#composer .composer__send").click()
        else:
            self.composer.press("Enter")

    def attach(self, name: str, content: bytes, mime_type: str) -> None:
        """Choose a file with the composer's attach button: it waits as a chip until Send."""
        self.page.set_input_files(
            "#id_file", files=[{"name": name, "mimeType": mime_type, "buffer": content}]
        )

    @property
    def bodies(self):
        """Bodies of the confirmed messages in the timeline, in order."""
        return self.page.locator("#timeline .item--message .item__body")

    @property
    def authors(self):
        return self.page.locator("#timeline .item--message .item__author")

    @property
    def pending(self):
        return self.page.locator("#pending .item--message")

    @property
    def members(self):
        return self.page.locator("#members li")

    def message(self, text: str):
        """The confirmed timeline item whose body is exactly `text`."""
        exact = re.compile(rf"^{re.escape(text)}$")
        body = self.page.locator(".item__body", has_text=exact)
        return self.page.locator("#timeline .item--message").filter(has=body)

    def seqs(self) -> list[int]:
        return self.page.locator("#timeline [data-seq]").evaluate_all(
            "els => els.map(el => Number(el.dataset.seq))"
        )
