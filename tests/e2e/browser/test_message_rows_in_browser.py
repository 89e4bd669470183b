"""Message rows in a real browser: avatars, author groups, the time in the margin, day dividers,
times in the reader's locale, own messages not painted as a block, mentions highlighted.

The history is stored straight into the database and dated over three days in Berlin time (the
browsers' time zone), so the dividers are "<weekday>", "Yesterday" and "Today". Ada reads in
en-GB (24-hour clock), Bob in en-US (12-hour clock), on a phone.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE_DEVICE, shot, unique

pytestmark = pytest.mark.live

ZONE = "Europe/Berlin"

# (author: "ada" or "bob", day: days before today, "HH:MM" or "now-N" (N minutes ago), body)
HISTORY = [
    ("ada", 2, "09:02", "Morning all"),
    ("ada", 2, "09:03", "Coffee first"),
    ("bob", 2, "09:04", "Same here"),
    ("bob", 2, "09:30", "Back from the meeting"),
    ("ada", 1, "18:00", "Evening check-in"),
    ("bob", 0, "now-3", "Hi @{ada}, can you look at the draft?"),
]


def seed(server, slug: str, ada: str, bob: str) -> None:
    """Store HISTORY in the room and date every item of it (the two joins first, at 09:00 and
    09:01 two days ago), in seq order."""
    script = f"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo
from django.contrib.auth import get_user_model
from parley.rooms.models import Item
from parley.rooms.services import message_post

zone = ZoneInfo({ZONE!r})
now = datetime.now(zone)
today = datetime.combine(now.date(), time(0, 0), zone)
names = {{"ada": {ada!r}, "bob": {bob!r}}}
users = {{key: get_user_model().objects.get(username=name) for key, name in names.items()}}

def at(day, when):
    if when.startswith("now-"):
        # Never before today's midnight, so "Today" holds even just after it.
        return max(now - timedelta(minutes=int(when[4:])), today + timedelta(seconds=1))
    hour, minute = map(int, when.split(":"))
    return datetime.combine(now.date() - timedelta(days=day), time(hour, minute), zone)

times = [at(2, "09:00"), at(2, "09:01")]
for n, (who, day, when, body) in enumerate({HISTORY!r}):
    message_post(user=users[who], room_slug={slug!r}, body=body.format(**names),
                 client_id=f"seed-{{n}}")
    times.append(at(day, when))
items = list(Item.objects.filter(room__slug={slug!r}).order_by("seq"))
assert len(items) == len(times), [(i.seq, i.kind) for i in items]
for item, moment in zip(items, times):
    Item.objects.filter(pk=item.pk).update(created_at=moment)
"""
    server.manage("shell", "-c", script)


def room_with_history(person, server):
    """Ada (en-GB, desktop) and Bob (en-US, phone) in a room with HISTORY, both reading it."""
    ada = person("ada", locale="en-GB", timezone_id=ZONE)
    bob = person("bob", locale="en-US", timezone_id=ZONE, **PHONE_DEVICE)
    ada.sign_up()
    bob.sign_up()
    slug = unique("rows-")
    ada.create_room("Rows", slug)
    bob.open_room(slug)
    bob.join_here()
    seed(server, slug, ada.username, bob.username)
    ada.open_room(slug)
    bob.open_room(slug)
    return ada, bob, slug


def test_rows_are_grouped_by_author_and_divided_by_day(person, server):
    ada, bob, _ = room_with_history(person, server)
    page = ada.page

    dividers = page.locator("#timeline > .day-divider")
    # Two days ago is named by its weekday (and date); then Yesterday and Today.
    expect(dividers).to_have_count(3)
    expect(dividers.nth(0)).to_have_text(re.compile(r"^[A-Z][a-z]+day \d{1,2} [A-Z][a-z]+$"))
    expect(dividers.nth(1)).to_have_text("Yesterday")
    expect(dividers.nth(2)).to_have_text("Today")
    # A divider is not an item: no seq, and the seqs shown are still every row's.
    expect(page.locator("#timeline > .day-divider[data-seq]")).to_have_count(0)
    assert ada.seqs() == sorted(ada.seqs())

    # The first of a group: avatar (the initial), name and time; a follow-up within 5 minutes:
    # none of them until pointed at, then its time in the margin.
    first = ada.message("Morning all")
    expect(first.locator(".item__avatar")).to_be_visible()
    expect(first.locator(".item__avatar")).to_have_text(ada.username[0].upper())
    expect(first.locator(".item__author")).to_have_text(ada.username)
    expect(first).not_to_have_class(re.compile(r"\bis-continuation\b"))

    follow = ada.message("Coffee first")
    expect(follow).to_have_class(re.compile(r"\bis-continuation\b"))
    expect(follow.locator(".item__avatar")).to_be_hidden()
    margin_time = follow.locator(".item__time")
    expect(margin_time).to_have_css("opacity", "0")
    follow.hover()
    expect(margin_time).to_have_css("opacity", "1")
    expect(margin_time).to_have_text("09:03")

    # Another author, a long pause, a new day: each starts a group.
    for text in ("Same here", "Back from the meeting", "Evening check-in"):
        expect(ada.message(text)).not_to_have_class(re.compile(r"\bis-continuation\b"))
        expect(ada.message(text).locator(".item__avatar")).to_be_visible()

    # The joins are events: no avatar, and the first message after them starts a group.
    expect(page.locator("#timeline .item--join")).to_have_count(2)
    expect(page.locator("#timeline .item--join .item__avatar")).to_have_count(0)

    # en-GB reads the 24-hour clock; the group's first row has its time beside the name.
    expect(first.locator(".item__time")).to_have_text("09:02")
    expect(ada.message("Evening check-in").locator(".item__time")).to_have_text("18:00")
    shot(page, "message-rows-desktop")
    page.emulate_media(color_scheme="dark")
    shot(page, "message-rows-desktop-dark")

    # en-US (Bob's phone) reads the 12-hour clock; on a touch screen the margin time stays out.
    expect(bob.message("Evening check-in").locator(".item__time")).to_have_text(
        re.compile(r"^6:00\sPM$")
    )
    expect(bob.message("Coffee first").locator(".item__time")).to_have_css("opacity", "0")
    expect(bob.page.locator("#timeline > .day-divider")).to_have_count(3)
    shot(bob.page, "message-rows-phone")


def test_own_messages_are_not_a_block_and_a_mention_stands_out(person, server):
    ada, bob, _ = room_with_history(person, server)
    transparent = "rgba(0, 0, 0, 0)"

    mine = ada.message("Evening check-in")
    expect(mine).to_have_class(re.compile(r"\bis-mine\b"))
    expect(mine).to_have_css("background-color", transparent)

    mention = ada.message(f"Hi @{ada.username}, can you look at the draft?")
    expect(mention).to_have_class(re.compile(r"\bis-mention\b"))
    expect(mention).not_to_have_css("background-color", transparent)
    # Bob wrote it: for him it is his own message, not a mention.
    theirs = bob.message(f"Hi @{ada.username}, can you look at the draft?")
    expect(theirs).not_to_have_class(re.compile(r"\bis-mention\b"))

    # The avatars' colours come from the names: the same for Ada's rows on both screens.
    colour = ada.message("Morning all").locator(".item__avatar").get_attribute("class")
    expect(bob.message("Morning all").locator(".item__avatar")).to_have_attribute(
        "class", colour or ""
    )


def test_live_messages_group_and_continue_across_the_pending_list(person, server):
    ada, bob, _ = room_with_history(person, server)

    # Bob's seeded message is 3 minutes old: his next ones, live, continue its group. (On his
    # phone Enter adds a line: he presses Send.)
    for text in ("Sent it to you just now", "Check the second page"):
        bob.composer.fill(text)
        bob.page.get_by_role("button", name="Send").click()
    for someone in (ada, bob):
        expect(someone.message("Check the second page")).to_have_class(
            re.compile(r"\bis-continuation\b")
        )
        expect(someone.message("Sent it to you just now")).to_have_class(
            re.compile(r"\bis-continuation\b")
        )
    # Ada answers: a new group, with her avatar; she follows it up.
    ada.say("Looking now")
    ada.say("Page two is fine")
    expect(bob.message("Looking now")).not_to_have_class(re.compile(r"\bis-continuation\b"))
    expect(bob.message("Page two is fine")).to_have_class(re.compile(r"\bis-continuation\b"))
    expect(bob.message("Looking now").locator(".item__avatar")).to_be_visible()
    # Still one "Today": live rows on the same day add no divider.
    expect(bob.page.locator("#timeline > .day-divider")).to_have_count(3)
    expect(bob.pending).to_have_count(0)
    shot(ada.page, "message-rows-live-desktop")
    shot(bob.page, "message-rows-live-phone")


def test_a_pending_message_continues_its_authors_group(person, server):
    """While the server has not confirmed it, the message waits in #pending: it already sits in
    its author's group, so confirming it moves nothing."""
    ada, _, _ = room_with_history(person, server)
    ada.say("First live line")
    expect(ada.message("First live line")).to_be_visible()
    # Offline: the next message stays pending.
    ada.context.set_offline(True)
    ada.say("Second live line")
    pending = ada.pending.filter(has_text="Second live line")
    expect(pending).to_be_visible()
    expect(pending).to_have_class(re.compile(r"\bis-continuation\b"))
    shot(ada.page, "message-rows-pending")
    ada.context.set_offline(False)


def test_a_thread_shows_its_rows_with_avatars(person, server):
    """The thread panel clones the same row: its root and replies have avatar, name and time."""
    ada, _, _ = room_with_history(person, server)
    text = "Evening check-in"
    ada.message(text).hover()
    toolbar = ada.message(text).locator("#message-actions")
    expect(toolbar).to_be_visible()
    toolbar.locator("[data-action=reply]").click()
    panel = ada.page.locator("#thread-panel")
    expect(panel).to_be_visible()
    ada.page.fill("#thread-body", "A reply in the thread")
    ada.page.press("#thread-body", "Enter")
    expect(panel.locator(".item__body")).to_have_text([text, "A reply in the thread"])
    root = panel.locator(".item--message").first
    expect(root.locator(".item__avatar")).to_have_text(ada.username[0].upper())
    expect(root.locator(".item__time")).to_have_text("18:00")
    shot(ada.page, "message-rows-thread")
