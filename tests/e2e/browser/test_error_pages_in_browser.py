"""Error pages in Chromium (issue 15, item 13): Parley's header and styles, and a way home."""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import unique

pytestmark = pytest.mark.live


def computed(page, selector: str, prop: str) -> str:
    return page.locator(selector).evaluate(
        "(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop
    )


def test_unknown_room_shows_the_parley_404_with_a_way_home(person):
    ada = person("ada").sign_up()
    page = ada.page

    response = page.goto(f"/rooms/{unique('nowhere-')}/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator(".site-header")).to_be_visible()
    expect(page.locator(".account__user")).to_have_text(ada.username)
    # parley.css applied: the header is its flex bar, the page its centred column.
    assert computed(page, ".site-header", "display") == "flex"
    assert computed(page, "main", "max-width") == "960px"  # .page: 60rem
    assert computed(page, ".error-page__code", "color") != computed(page, "h1", "color")
    page.get_by_role("link", name="Back to your rooms").click()
    expect(page).to_have_url(ada.base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rooms")


def test_settings_of_someone_elses_room_show_the_parley_403(person):
    ada, bob = person("ada").sign_up(), person("bob").sign_up()
    slug = unique("theirs-")
    bob.create_room("Bob's room", slug)
    page = ada.page

    response = page.goto(f"/rooms/{slug}/settings/")

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.locator("main")).to_contain_text(
        "Only the room's owner and moderators can manage its members."
    )
    assert computed(page, ".site-header", "display") == "flex"
    expect(page.get_by_role("link", name="Back to your rooms")).to_have_attribute("href", "/")
    expect(page).to_have_url(re.compile(rf"/rooms/{re.escape(slug)}/settings/$"))
