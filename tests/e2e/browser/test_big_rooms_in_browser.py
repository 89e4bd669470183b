"""A big room's member panel in a real browser: it shows the first page and how many there are,
loads the rest, finds members, and watches presence while it is open (docs/protocol.md "Big
rooms"), on a desktop and on a phone.

This module's server calls a room of more than 3 members big, lists 2 in `subscribed`, and sends
presence in rooms of more than 3 only to the sockets that watch it.
"""

import json

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE_DEVICE, shot, unique

pytestmark = pytest.mark.live

SERVER_ENV = {
    "PARLEY_BIG_ROOM_MEMBERS": "3",
    "PARLEY_MEMBERS_PAGE": "2",
    "PARLEY_PRESENCE_WATCH_MEMBERS": "3",
    "PARLEY_PRESENCE_GRACE_SECONDS": "1",
    # With REDIS_URL a stopped server's users stay in the store until its entry expires (its
    # users reconnect elsewhere): short here, so the restart test sees Bob leave in seconds.
    "PARLEY_PRESENCE_TTL_SECONDS": "3",
    "PARLEY_PRESENCE_REAP_SECONDS": "1",
}

QUIET = 5  # members who never open the room (offline)


def add_members(server, owner: str, slug: str, usernames: list[str], *, new: list[str]) -> None:
    """Make the `new` users, and add `usernames` and them to the room, straight into the
    database (unthrottled)."""
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from parley.core import ratelimit\n"
        "from parley.rooms.models import Room\n"
        "from parley.rooms.services.memberships import members_add\n"
        "ratelimit.get_limiter().enabled = False\n"
        "User = get_user_model()\n"
        f"for name in {new!r}:\n"
        "    User.objects.create_user(username=name, password='correct-horse-battery-9')\n"
        f"members_add(actor=User.objects.get(username={owner!r}),"
        f" room=Room.objects.get(slug={slug!r}), usernames={usernames + new!r})\n",
    )


class SentFrames:
    """Every frame a page sends on its sockets, decoded, from now on."""

    def __init__(self, someone):
        self.frames: list[dict] = []
        self.sockets: list = []
        someone.page.on("websocket", self._opened)

    def _opened(self, ws) -> None:
        self.sockets.append(ws)
        ws.on("framesent", lambda payload: self.frames.append(json.loads(payload)))

    def of(self, kind: str) -> list[dict]:
        return [frame for frame in self.frames if frame["type"] == kind]

    def expect_watch(self, watch: bool):
        """A context manager: returns once the page has sent `presence_watch` with `watch`."""

        def wanted(payload: str) -> bool:
            frame = json.loads(payload)
            return frame["type"] == "presence_watch" and frame["watch"] is watch

        return self.sockets[-1].expect_event("framesent", predicate=wanted)


def big_room(person, server, prefix: str, **ada_options):
    """Ada's room of 7: Ada, Bob (both online, Bob with the room open) and five who are offline.
    Ada's page is opened after they were added."""
    ada, bob = person("ada", **ada_options), person("bob")
    ada.sign_up()
    bob.sign_up()
    slug = unique(prefix)
    ada.create_room(prefix.rstrip("-").title(), slug)
    quiet = [f"{slug[:20]}-q{n}" for n in range(QUIET)]
    add_members(server, ada.username, slug, [bob.username], new=quiet)
    bob.open_room(slug)
    return ada, bob, slug, quiet


def test_the_panel_shows_the_first_page_loads_the_rest_and_watches_presence(person, server):
    ada, bob, slug, quiet = big_room(person, server, "big-")
    sent = SentFrames(ada)
    ada.open_room(slug)
    panel = ada.page.locator(".room__members")

    # Everyone, once each: the first page (online first) and the rest, asked at offset 2.
    expect(ada.page.locator("#member-count")).to_have_text("7")
    expect(ada.members).to_have_count(7)
    expect(panel.locator("#member-summary")).to_have_text("All 7 members")
    names = ada.members.evaluate_all("rows => rows.map((row) => row.dataset.username)")
    assert sorted(names[:2]) == sorted([ada.username, bob.username]), names
    assert sorted(names[2:]) == sorted(quiet), names
    asked = sent.of("members")
    assert asked[0]["offset"] == 2 and asked[0]["limit"] == 100, asked

    # Watching while the panel is open: Bob going away shows.
    watches = sent.of("presence_watch")
    assert [(w["room"], w["watch"]) for w in watches] == [(slug, True)], watches
    bob_row = ada.page.locator(f'#members li[data-username="{bob.username}"]')
    expect(bob_row).to_have_attribute("data-presence", "online")
    bob.page.goto("about:blank")
    expect(bob_row).to_have_attribute("data-presence", "offline")
    # ... in place: a presence change does not move a member.
    assert ada.members.evaluate_all("rows => rows.map((row) => row.dataset.username)") == names

    # Folding the panel stops the watch.
    with sent.expect_watch(False):
        ada.page.locator("#members-details > summary").click()
    expect(ada.members.first).to_be_hidden()


def test_find_a_member_searches_the_room_and_clearing_brings_the_list_back(person, server):
    ada, bob, slug, quiet = big_room(person, server, "find-")
    ada.open_room(slug)
    expect(ada.members).to_have_count(7)
    box = ada.page.get_by_role("searchbox", name="Find a member")
    announced = ada.page.locator("#member-announce")
    expect(announced).to_have_text("")

    box.fill(quiet[3][-6:])
    expect(ada.members).to_have_count(1)
    expect(ada.members.first).to_have_attribute("data-username", quiet[3])
    expect(announced).to_have_text(f"1 member matches “{quiet[3][-6:]}”")
    shot(ada.page, "big-room-find-a-member")
    # The room's size stays in the heading.
    expect(ada.page.locator("#member-count")).to_have_text("7")

    box.fill("")
    expect(ada.members).to_have_count(7)
    expect(announced).to_have_text("All 7 members")


def test_on_a_phone_the_folded_panel_opens_pages_and_searches(person, server):
    ada, bob, slug, quiet = big_room(person, server, "phone-", **PHONE_DEVICE)
    sent = SentFrames(ada)
    ada.open_room(slug)
    # Folded at first on a phone: it does not watch presence then.
    expect(ada.page.locator("#member-count")).to_have_text("7")
    expect(ada.members.first).to_be_hidden()
    assert not sent.of("presence_watch")

    with sent.expect_watch(True):
        ada.page.locator("#members-details > summary").tap()
    expect(ada.members).to_have_count(7)
    expect(ada.page.locator("#member-summary")).to_have_text("All 7 members")
    shot(ada.page, "big-room-members-phone")

    box = ada.page.get_by_role("searchbox", name="Find a member")
    box.tap()
    box.fill(quiet[0][-6:])
    expect(ada.members).to_have_count(1)
    expect(ada.members.first).to_have_attribute("data-username", quiet[0])


def test_after_a_reconnect_the_open_panel_watches_presence_again(person, server):
    ada, bob, slug, quiet = big_room(person, server, "again-")
    ada.open_room(slug)
    bob_row = ada.page.locator(f'#members li[data-username="{bob.username}"]')
    expect(bob_row).to_have_attribute("data-presence", "online")

    server.stop()
    expect(ada.connection).not_to_have_attribute("data-state", "live")
    server.start()
    ada.wait_live(timeout=20_000)
    bob.wait_live(timeout=20_000)
    expect(bob_row).to_have_attribute("data-presence", "online")
    # Presence in this room goes only to sockets that watch: Ada's new one does.
    bob.page.goto("about:blank")
    expect(bob_row).to_have_attribute("data-presence", "offline")
