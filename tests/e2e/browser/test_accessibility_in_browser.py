"""An accessibility audit of the main pages (issue 18): axe-core in Chromium, light and dark.

axe-core's script comes from a Python package (axe-playwright-python ships axe.min.js), not a
CDN. The pages' CSP forbids inline scripts, so page.add_script_tag(content=...) would be refused;
page.evaluate runs the file through the DevTools protocol, which the CSP does not govern.
No violation of impact "serious" or "critical" may remain.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE, PHONE_DEVICE, shot, two_members, unique

pytestmark = pytest.mark.live

SCHEMES = ("light", "dark")
BLOCKING = {"serious", "critical"}


@cache
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def audit(page, scheme: str) -> list[str]:
    """axe's serious and critical violations on `page` in `scheme`, one line each."""
    page.emulate_media(color_scheme=scheme)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    where = f"{page.url} ({scheme})"
    return [
        f"{where}: {v['id']} [{v['impact']}] {v['help']}:\n"
        + "\n".join(
            f"    {' '.join(node['target'])}: {node['html'][:160]}\n      {node['failureSummary']}"
            for node in v["nodes"]
        )
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def open_page(someone, path: str) -> None:
    someone.page.goto(path)
    expect(someone.page.locator("h1").first).to_be_visible()


@pytest.fixture
def busy_room(person, server):
    """Ada and Bob in a room with a few messages; Ada owns it."""
    ada, bob, slug = two_members(person, "audit-")
    ada.say("Good morning, everyone")
    bob.say(f"Morning @{ada.username}, the deploy is done")
    ada.say("Thanks! I will check the dashboards")
    expect(ada.bodies).to_have_count(3)
    expect(bob.bodies).to_have_count(3)
    return ada, bob, slug


@pytest.mark.timeout(400)  # thirteen pages, each audited in full on a shared machine
@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_main_pages_have_no_serious_accessibility_violations(person, busy_room, scheme):
    ada, bob, slug = busy_room
    problems: list[str] = []

    visitor = person("visitor")
    for path in ("/accounts/login/", "/accounts/signup/"):
        open_page(visitor, path)
        problems += audit(visitor.page, scheme)

    for path in (
        "/",
        "/rooms/new/",
        f"/rooms/{slug}/settings/",
        "/messages/new/",
        "/mentions/",
        "/accounts/password_change/",
        "/settings/profile/",
        "/settings/notifications/",
        "/settings/tokens/",
        f"/rooms/{unique('nowhere-')}/",
    ):
        open_page(ada, path)
        problems += audit(ada.page, scheme)

    # The room with its messages and members, the ⋯ menu closed.
    ada.open_room(slug)
    expect(ada.bodies).to_have_count(3)
    expect(ada.page.locator("#room-menu-list")).to_be_hidden()
    problems += audit(ada.page, scheme)

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_room_on_a_phone_has_no_serious_accessibility_violations(person, busy_room, scheme):
    ada, _, slug = busy_room
    phone = person(ada.username, **PHONE_DEVICE)
    phone.context.add_cookies(ada.context.cookies())
    phone.open_room(slug)
    expect(phone.bodies).to_have_count(3)

    assert not (problems := audit(phone.page, scheme)), "\n".join(problems)


def test_screenshots_of_the_room_and_the_log_in_page(person, busy_room):
    """Not an assertion of looks: pictures to look at, light and dark, desktop and phone."""
    ada, _, slug = busy_room
    phone = person(ada.username, **PHONE_DEVICE)
    phone.context.add_cookies(ada.context.cookies())
    phone.open_room(slug)
    expect(phone.bodies).to_have_count(3)
    visitor = person("visitor")
    open_page(visitor, "/accounts/login/")
    ada.open_room(slug)
    expect(ada.bodies).to_have_count(3)
    for scheme in SCHEMES:
        for name, page in (("desktop", ada.page), ("phone", phone.page)):
            page.emulate_media(color_scheme=scheme)
            shot(page, f"a11y-room-{name}-{scheme}")
        visitor.page.emulate_media(color_scheme=scheme)
        shot(visitor.page, f"a11y-login-{scheme}")
    # The phone's header is one row of at most 48px.
    header = phone.page.locator(".room__header").bounding_box()
    assert header is not None and header["height"] <= 48 and header["width"] <= PHONE["width"]


def test_the_room_menu_works_with_the_keyboard(busy_room):
    ada, _, _ = busy_room
    page = ada.page
    button = page.get_by_role("button", name="Room menu")
    menu = page.locator("#room-menu-list")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    settings = page.get_by_role("menuitem", name="Settings")
    expect(settings).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitemradio", name="All messages")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # round to the last item
    expect(page.get_by_role("menuitem", name="Leave")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")

    # A click elsewhere closes it too.
    button.click()
    expect(settings).to_be_visible()
    page.locator("#timeline-scroll").click(position={"x": 10, "y": 10})
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")


def test_a_member_who_is_not_the_owner_has_no_settings_in_the_menu(busy_room):
    _, bob, _ = busy_room
    bob.page.get_by_role("button", name="Room menu").click()
    expect(bob.page.get_by_role("menuitem", name="Leave")).to_be_visible()
    expect(bob.page.get_by_role("menuitemradio", name="Mentions")).to_be_visible()
    expect(bob.page.get_by_role("menuitem", name="Settings")).to_have_count(0)


def test_presence_is_told_apart_by_shape_not_only_by_colour(busy_room):
    ada, _, _ = busy_room
    shapes = ada.page.evaluate(
        """() => Object.fromEntries(["online", "idle", "offline"].map((state) => {
            const dot = document.createElement("span");
            dot.className = `presence presence--${state}`;
            document.body.append(dot);
            const style = getComputedStyle(dot);
            // The shape without the colour: a gradient or not, a ring or not.
            const shape = [style.backgroundImage.split("(")[0], style.boxShadow === "none"];
            dot.remove();
            return [state, shape.join(" ")];
        }))"""
    )
    assert len(set(shapes.values())) == 3, shapes


def test_the_confirmation_dialog_answers_yes_only_to_its_button(busy_room):
    ada, _, _ = busy_room
    page = ada.page
    ask = """() => import("/static/parley/js/confirm_dialog.js").then(({confirmAction}) => {
        window.answer = undefined;
        const question = {title: "Leave this private room?", text: "Only by invitation again.",
            confirm: "Leave"};
        confirmAction(question).then((yes) => { window.answer = yes; });
    })"""
    dialog = page.get_by_role("dialog", name="Leave this private room?")
    page.evaluate(ask)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.wait_for_function("() => window.answer === false")

    page.evaluate(ask)
    dialog.get_by_role("button", name="Leave").click()
    expect(dialog).to_be_hidden()
    page.wait_for_function("() => window.answer === true")
