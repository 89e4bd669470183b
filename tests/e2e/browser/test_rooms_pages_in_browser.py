"""Issue 18, rooms, in Chromium: the new-room form, "Add people" and the home page's lists, on a
desktop and a phone, light and dark. Screenshots go to build/screenshots/rooms-*.png.

The first test expects the module's server to have no rooms yet (each module has its own).
"""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE, PHONE_DEVICE, shot, unique

pytestmark = pytest.mark.live


def new_private_room(someone, name: str, slug: str, topic: str = "") -> None:
    """Create a private room through the form: it lands on its "Add people" page."""
    page = someone.page
    page.goto("/rooms/new/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Address").fill(slug)
    page.get_by_role("radio", name=re.compile("Private")).check()
    if topic:
        page.get_by_label("Topic").fill(topic)
    page.get_by_role("button", name="Create room").click()
    expect(page).to_have_url(re.compile(rf"/rooms/{re.escape(slug)}/people/$"))


def test_an_empty_server_says_what_to_do_first(person):
    ada = person("ada").sign_up()
    page = ada.page
    ada.wait_live()

    expect(page.get_by_role("heading", name="There are no rooms yet.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your rooms")).to_have_count(0)
    shot(page, "rooms-home-empty-desktop")
    page.get_by_role("link", name="Create a room").click()
    expect(page).to_have_url(re.compile(r"/rooms/new/$"))


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_address_follows_the_name_until_edited_and_long_names_stop(person, device):
    options = PHONE_DEVICE if device == "phone" else {}
    ada = person("ada", **options).sign_up()
    page = ada.page
    page.goto("/rooms/new/")
    name, address = page.get_by_label("Name"), page.get_by_label("Address")

    name.press_sequentially("Café Crème 2")
    expect(address).to_have_value("cafe-creme-2")
    # Her own address stays while the name changes.
    own = unique("coffee-")
    address.fill(own)
    name.fill("Coffee corner")
    expect(address).to_have_value(own)
    # The browser refuses the 81st character of a name: the server's limit.
    name.fill("")
    name.press_sequentially("x" * 85)
    expect(name).to_have_value("x" * 80)
    expect(page.get_by_text("Only the people you add can find it or read it.")).to_be_visible()
    expect(page.get_by_text("Anyone on this server can find it, read it and join.")).to_be_visible()
    name.fill("Coffee corner")
    shot(page, f"rooms-new-{device}")
    if device == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], "the form is wider than the phone"
    page.get_by_label("Topic").fill("Beans, grinders and the office machine")
    page.get_by_role("button", name="Create room").click()
    # A public room opens at once.
    expect(page).to_have_url(re.compile(rf"/rooms/{own}/$"))


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_private_room_adds_several_people_found_by_name(person, device):
    options = PHONE_DEVICE if device == "phone" else {}
    bob, carol = (person(n).sign_up() for n in ("bob", "carol"))
    ada = person("ada", **options).sign_up()
    slug = unique("plans-")
    new_private_room(ada, "Launch plans", slug, topic="Dates and owners")
    page = ada.page
    search = page.get_by_role("searchbox", name="Find people by name")
    results = page.locator("#people-results")

    # Typing narrows the list without pressing Search; ticks survive other searches.
    search.press_sequentially(bob.username[:-2])
    expect(results.locator("[data-person]")).to_have_text([bob.username])
    results.get_by_label(bob.username).check()
    search.fill(carol.username)
    expect(results.locator("[data-person]")).to_have_text([carol.username])
    results.get_by_label(carol.username).check()
    chosen = page.locator("#people-chosen")
    expect(chosen.get_by_label(bob.username)).to_be_checked()
    expect(page.locator("#people-summary")).to_have_text("2 people chosen.")
    expect(page).to_have_url(re.compile(rf"/people/\?q={carol.username}$"))
    shot(page, f"rooms-add-people-{device}")
    if device == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_role("button", name="Add people").click()

    expect(page).to_have_url(re.compile(rf"/rooms/{slug}/$"))
    ada.wait_live()
    expect(
        page.get_by_text(f"Added {bob.username}, {carol.username} to Launch plans.")
    ).to_be_visible()
    expect(page.locator("#members li")).to_have_count(3)
    # Bob finds the private room among his rooms, with its topic.
    bob.page.goto("/")
    expect(bob.page.locator(f'#your-rooms [data-room="{slug}"]')).to_contain_text(
        "Dates and owners"
    )


def test_add_people_works_without_javascript(browser, server, person):
    bob = person("bob").sign_up()
    ada = person("ada").sign_up()
    slug = unique("quiet-")
    new_private_room(ada, "Quiet", slug)
    # The same signed-in person with scripts off.
    plain = browser.new_context(base_url=server.base_url, java_script_enabled=False)
    try:
        plain.add_cookies(ada.context.cookies())
        page = plain.new_page()
        page.goto(f"/rooms/{slug}/people/")
        page.get_by_role("searchbox", name="Find people by name").fill(bob.username)
        page.get_by_role("button", name="Search").click()
        expect(page).to_have_url(re.compile(rf"\?q={bob.username}$"))
        page.get_by_label(bob.username).check()
        page.get_by_role("button", name="Add people").click()
        expect(page).to_have_url(re.compile(rf"/rooms/{slug}/$"))
        expect(page.locator("#members li")).to_have_count(2)
    finally:
        plain.close()


def test_skip_goes_to_the_room(person):
    ada = person("ada").sign_up()
    slug = unique("solo-")
    new_private_room(ada, "Solo", slug)
    ada.page.get_by_role("link", name="Skip", exact=True).click()
    expect(ada.page).to_have_url(re.compile(rf"/rooms/{slug}/$"))
    ada.wait_live()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_home_splits_your_rooms_from_rooms_to_browse(person, scheme):
    bob = person("bob").sign_up()
    joined, other = unique("joined-"), unique("browse-")
    bob.create_room("Bob's joined room", joined)
    bob.page.goto("/rooms/new/")
    bob.page.get_by_label("Name").fill("Gardening")
    bob.page.get_by_label("Address").fill(other)
    bob.page.get_by_label("Topic").fill("Seeds, soil and slugs")
    bob.page.get_by_role("button", name="Create room").click()
    expect(bob.page).to_have_url(re.compile(rf"/rooms/{other}/$"))
    # The desktop Ada joins Gardening at the end: the phone Ada finds it with 2 members.
    for joined_before, (device, options) in enumerate((("desktop", {}), ("phone", PHONE_DEVICE))):
        ada = person("ada", **options).sign_up()
        ada.page.emulate_media(color_scheme=scheme)
        ada.open_room(joined)
        ada.join_here()
        ada.say("hello")
        page = ada.page
        page.goto("/")
        ada.wait_live()
        mine = page.locator(f'#your-rooms .room-card[data-room="{joined}"]')
        expect(mine).to_contain_text("Bob's joined room")
        expect(mine.locator("time[data-activity]")).to_have_text("just now")
        card = page.locator(f'#browse-rooms .room-card[data-room="{other}"]')
        expect(card).to_contain_text("Seeds, soil and slugs")
        expect(card.locator("[data-member-count]")).to_have_text(str(1 + joined_before))
        shot(page, f"rooms-home-{device}-{scheme}")
        if device == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Joining from Browse works as before: the card flips without a reload.
        card.get_by_role("button", name="Join").click()
        expect(card.get_by_role("button", name="Leave")).to_be_visible()
        expect(card.locator("[data-member-count]")).to_have_text(str(2 + joined_before))


def test_the_rooms_pages_pass_the_accessibility_audit(person):
    from tests.e2e.browser.test_accessibility_in_browser import audit

    bob = person("bob").sign_up()
    bob.create_room("Bob's room", unique("bobs-"))
    ada = person("ada").sign_up()
    slug = unique("audit-")
    new_private_room(ada, "Audit", slug, topic="Checked by axe")
    problems: list[str] = []
    for scheme in ("light", "dark"):
        problems += audit(ada.page, scheme)  # Add people
    ada.page.get_by_role("link", name="Skip", exact=True).click()
    ada.page.goto("/")
    expect(ada.page.locator("#browse-rooms .room-card").first).to_be_visible()
    for scheme in ("light", "dark"):
        problems += audit(ada.page, scheme)  # Your rooms and Browse rooms
    ada.page.goto("/rooms/new/")
    # The form as the server sends it back with errors.
    ada.page.get_by_label("Name").fill("   ")
    ada.page.get_by_label("Address").fill("Not A Slug")
    ada.page.get_by_role("button", name="Create room").click()
    expect(ada.page.locator(".errorlist").first).to_be_visible()
    for scheme in ("light", "dark"):
        problems += audit(ada.page, scheme)
    assert not problems, "\n".join(problems)
