"""Conversations in a real browser: threads, reactions, edits, deletions, direct messages,
@mentions and jumping to a message, each seen live by a second person.

Debian's Chromium, driven by Playwright, against a real server process; every assertion is about
what a person sees, waiting with Playwright's `expect`, never a sleep.
"""

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI=true, fails) with the reason
    expect = None

from tests.e2e.browser.tooling import PHONE, two_members, unique

pytestmark = pytest.mark.live


def actions(someone, text: str):
    """Point at the message `text`: its actions toolbar shows in it."""
    someone.message(text).hover()
    toolbar = someone.message(text).locator("#message-actions")
    expect(toolbar).to_be_visible()
    return toolbar


def post_as(server, username: str, slug: str, bodies: list[str]) -> None:
    """Store messages by `username` straight into the database."""
    server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from parley.rooms.services import message_post\n"
        f"user = get_user_model().objects.get(username={username!r})\n"
        f"for n, body in enumerate({bodies!r}):\n"
        f"    message_post(user=user, room_slug={slug!r}, body=body, client_id=f'seed-{{n}}')\n",
    )


def test_a_reply_in_a_thread_is_seen_live_by_the_other_and_not_in_the_timeline(person):
    ada, bob, _ = two_members(person, "thread-")
    ada.say("Lunch at noon?")
    expect(bob.message("Lunch at noon?")).to_be_visible()

    actions(bob, "Lunch at noon?").locator("[data-action=reply]").click()
    panel = bob.page.locator("#thread-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".item__body")).to_have_text(["Lunch at noon?"])
    bob.page.fill("#thread-body", "Yes, at the usual place.")
    bob.page.press("#thread-body", "Enter")
    expect(panel.locator(".item__body")).to_have_text(
        ["Lunch at noon?", "Yes, at the usual place."]
    )

    # Ada's timeline shows the root with a summary, never the reply.
    summary = ada.message("Lunch at noon?").locator(".item__replies")
    expect(summary).to_have_text(re.compile(r"^1 reply · last reply (just now|1 min ago)$"))
    expect(ada.bodies).to_have_text(["Lunch at noon?"])
    summary.click()
    ada_panel = ada.page.locator("#thread-panel")
    expect(ada_panel.locator(".item__body")).to_have_text(
        ["Lunch at noon?", "Yes, at the usual place."]
    )
    # The next reply reaches her open thread live; Escape closes it.
    bob.page.fill("#thread-body", "See you there.")
    bob.page.press("#thread-body", "Enter")
    expect(ada_panel.locator(".item__body")).to_have_text(
        ["Lunch at noon?", "Yes, at the usual place.", "See you there."]
    )
    expect(summary).to_have_text(re.compile(r"^2 replies · "))
    ada.page.press("#thread-body", "Escape")
    expect(ada_panel).to_be_hidden()

    # The server's own page agrees: the root with its summary, no reply rows.
    ada.page.reload()
    ada.wait_live()
    expect(ada.bodies).to_have_text(["Lunch at noon?"])
    expect(ada.message("Lunch at noon?").locator(".item__replies")).to_have_text(
        re.compile(r"^2 replies · last reply ")
    )


def test_a_reaction_and_its_count_are_seen_by_the_other(person):
    ada, bob, _ = two_members(person, "react-")
    ada.say("Shipped the release.")
    actions(bob, "Shipped the release.").locator("[data-action=react][data-emoji='🎉']").click()

    bob_reaction = bob.message("Shipped the release.").locator(".reaction")
    expect(bob_reaction).to_have_text("🎉1")
    expect(bob_reaction).to_have_attribute("aria-pressed", "true")
    ada_reaction = ada.message("Shipped the release.").locator(".reaction")
    expect(ada_reaction).to_have_text("🎉1")
    expect(ada_reaction).to_have_attribute("aria-pressed", "false")
    expect(ada_reaction).to_have_attribute("title", f"{bob.username} reacted with 🎉")

    # Ada adds hers with the button itself: two, for both.
    ada_reaction.click()
    expect(ada_reaction).to_have_text("🎉2")
    expect(ada_reaction).to_have_attribute("aria-pressed", "true")
    expect(bob_reaction).to_have_text("🎉2")
    # And takes it back.
    ada_reaction.click()
    expect(bob_reaction).to_have_text("🎉1")

    # Any emoji from the picker (loaded on first use, searched by name).
    actions(ada, "Shipped the release.").locator("[data-action=more-reactions]").click()
    picker = ada.page.locator("#emoji-picker")
    expect(picker).to_be_visible()
    ada.page.fill("#emoji-search", "rocket")
    picker.get_by_role("button", name="rocket").click()
    expect(picker).to_be_hidden()
    expect(bob.message("Shipped the release.").locator(".reaction")).to_have_text(["🎉1", "🚀1"])

    # The server's page renders the same.
    bob.page.reload()
    bob.wait_live()
    reaction = bob.message("Shipped the release.").locator(".reaction")
    expect(reaction).to_have_text(["🎉1", "🚀1"])
    expect(reaction.first).to_have_attribute("aria-pressed", "true")
    expect(reaction.last).to_have_attribute("aria-pressed", "false")


def test_an_edit_shows_edited_and_a_deletion_shows_message_deleted_to_the_other(person):
    ada, bob, _ = two_members(person, "edit-")
    ada.say("Meeting moved to Tusday.")
    expect(bob.message("Meeting moved to Tusday.")).to_be_visible()

    # Up in the empty composer edits her last message.
    ada.composer.press("ArrowUp")
    editor = ada.page.locator(".item__edit-box")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Meeting moved to Tusday.")
    editor.fill("Meeting moved to Tuesday.")
    editor.press("Enter")
    expect(editor).to_have_count(0)

    edited = bob.page.locator("#timeline .item--message").filter(
        has=bob.page.locator(".item__text", has_text="Meeting moved to Tuesday.")
    )
    expect(edited.locator(".item__edited")).to_have_text("(edited)")
    expect(edited.locator(".item__edited")).to_have_attribute("title", re.compile(r"^Edited "))
    # Bob may not edit or delete Ada's message; he may message her.
    toolbar = actions(bob, "Meeting moved to Tuesday.(edited)")
    expect(toolbar.locator("[data-action=edit]")).to_be_hidden()
    expect(toolbar.locator("[data-action=delete]")).to_be_hidden()
    expect(toolbar.locator("[data-action=dm]")).to_have_text(f"Message {ada.username}")

    # Escape leaves a message as it was.
    ada.say("Wrong room, sorry.")
    actions(ada, "Wrong room, sorry.").locator("[data-action=edit]").click()
    ada.page.locator(".item__edit-box").press("Escape")
    expect(ada.page.locator(".item__edit-box")).to_have_count(0)
    expect(ada.message("Wrong room, sorry.")).to_be_visible()

    ada.page.once("dialog", lambda dialog: dialog.accept())
    actions(ada, "Wrong room, sorry.").locator("[data-action=delete]").click()
    for someone in (ada, bob):
        gone = someone.message("message deleted")
        expect(gone).to_have_class(re.compile(r"\bis-deleted\b"))
        expect(someone.message("Wrong room, sorry.")).to_have_count(0)
    bob.page.reload()
    bob.wait_live()
    expect(bob.message("message deleted")).to_have_count(1)
    expect(bob.message("Meeting moved to Tuesday.(edited)")).to_have_count(1)


def test_a_direct_conversation_starts_from_the_members_list(person):
    ada, bob, _ = two_members(person, "dm-")
    bob.page.get_by_role("button", name=f"Message {ada.username}").click()
    expect(bob.page).to_have_url(re.compile(r"/rooms/dm-[0-9a-f]+/$"))
    bob.wait_live()
    expect(bob.composer).to_have_attribute("placeholder", f"Message {ada.username}")
    expect(bob.page.locator("#leave-form")).to_be_hidden()
    expect(bob.page.locator("#join-form")).to_be_hidden()
    bob.say("Just between us.")
    expect(bob.message("Just between us.")).to_be_visible()

    ada.page.goto(bob.page.url)
    ada.wait_live()
    expect(ada.message("Just between us.")).to_be_visible()
    expect(ada.composer).to_have_attribute("placeholder", f"Message {bob.username}")


def test_a_direct_conversation_started_by_someone_else_shows_live_on_the_home_page(person):
    ada, bob, _ = two_members(person, "dmhome-")
    ada.page.goto(ada.base_url + "/")
    ada.wait_live()
    bob.page.get_by_role("button", name=f"Message {ada.username}").click()
    expect(bob.page).to_have_url(re.compile(r"/rooms/dm-[0-9a-f]+/$"))
    bob.wait_live()
    row = ada.page.locator(".direct-list__room", has_text=bob.username)
    expect(row).to_be_visible()
    expect(row.locator("a")).to_have_attribute("href", re.compile(r"^/rooms/dm-"))
    bob.say("First words.")
    expect(row.locator("[data-unread-count]")).to_have_text("1")
    bob.say(f"Are you there, @{ada.username}?")
    expect(row.locator("[data-unread-count]")).to_have_text("2")
    expect(row.locator("[data-mention-count]")).to_have_text("1")


def test_a_direct_conversation_started_by_someone_else_joins_the_sidebar_live(person):
    ada, bob, _ = two_members(person, "dmside-")
    bob.page.get_by_role("button", name=f"Message {ada.username}").click()
    expect(bob.page).to_have_url(re.compile(r"/rooms/dm-[0-9a-f]+/$"))
    bob.wait_live()
    row = ada.page.locator("#sidebar-direct .sidebar__room", has_text=bob.username)
    expect(row).to_be_visible()
    expect(ada.page.locator("#sidebar-direct [data-direct-empty]")).to_be_hidden()
    bob.say("Over here.")
    expect(row.locator("[data-unread-count]")).to_have_text("1")
    row.locator("a").click()
    ada.wait_live()
    expect(ada.message("Over here.")).to_be_visible()


def test_mention_autocomplete_inserts_a_name_and_the_mention_is_highlighted(person):
    ada, bob, _ = two_members(person, "mention-")
    bob.composer.fill("")
    bob.composer.type(f"thanks @{ada.username[:4]}")
    suggestions = bob.page.locator("#mention-list [role=option]")
    expect(suggestions.first).to_have_text(f"@{ada.username}")
    expect(bob.page.locator("#mention-list")).to_be_visible()
    bob.composer.press("Enter")  # picks the name, does not send
    expect(bob.composer).to_have_value(f"thanks @{ada.username} ")
    expect(bob.page.locator("#mention-list")).to_be_hidden()
    bob.composer.type("for the review")
    bob.composer.press("Enter")

    text = f"thanks @{ada.username} for the review"
    expect(ada.message(text)).to_have_class(re.compile(r"\bis-mention\b"))
    expect(bob.message(text)).not_to_have_class(re.compile(r"\bis-mention\b"))
    # @room is offered too, and Escape closes the list.
    bob.composer.type("@ro")
    expect(suggestions.first).to_contain_text("@room")
    bob.composer.press("Escape")
    expect(bob.page.locator("#mention-list")).to_be_hidden()


def test_the_notification_level_is_chosen_in_the_header_and_follows_other_tabs(person):
    ada = person("ada")
    ada.sign_up()
    slug = unique("notify-")
    ada.create_room("Notify", slug)
    other = ada.context.new_page()
    other.goto(f"/rooms/{slug}/")
    expect(other.locator("[data-conn]")).to_have_attribute("data-state", "live")
    label = ada.page.locator("#notify-label")
    expect(label).to_have_text("Mentions")

    # The level is in the room's ⋯ menu, which closes once the choice is made.
    ada.page.get_by_role("button", name="Room menu").click()
    ada.page.get_by_role("menuitemradio", name="Nothing").click()
    expect(label).to_have_text("Nothing")
    expect(ada.page.locator("#notify-options")).to_be_hidden()
    expect(ada.page.get_by_role("button", name="Room menu")).to_be_focused()
    expect(other.locator("#notify-label")).to_have_text("Nothing")  # the `notify` frame
    ada.page.reload()
    ada.wait_live()
    expect(label).to_have_text("Nothing")
    ada.page.get_by_role("button", name="Room menu").click()
    expect(ada.page.get_by_role("menuitemradio", name="Nothing")).to_have_attribute(
        "aria-checked", "true"
    )


def test_a_link_with_seq_opens_the_room_at_that_message(person, server):
    ada = person("ada")
    ada.sign_up()
    slug = unique("jump-")
    ada.create_room("Jump", slug)
    post_as(server, ada.username, slug, [f"seeded {n:03d}" for n in range(1, 151)])
    # Her join is seq 1: "seeded 007" is seq 8, far above the page's latest items.
    ada.page.goto(f"/rooms/{slug}/?seq=8")
    ada.wait_live()
    target = ada.message("seeded 007")
    expect(target).to_have_class(re.compile(r"\bis-jump-target\b"))
    expect(target).to_be_in_viewport()
    # The timeline between it and the newest is whole.
    seqs = ada.seqs()
    assert seqs == list(range(seqs[0], 152)) and seqs[0] <= 8


def test_on_a_phone_the_thread_panel_fills_the_screen(person):
    ada, bob, _ = two_members(person, "phone-", viewport=PHONE, is_mobile=True, has_touch=True)
    ada.say("Thread on a phone")
    row = bob.message("Thread on a phone")
    row.locator(".item__more").tap()
    toolbar = row.locator("#message-actions")
    expect(toolbar).to_be_visible()
    toolbar.locator("[data-action=reply]").tap()
    panel = bob.page.locator("#thread-panel")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    bob.page.locator("#thread-close").tap()
    expect(panel).to_be_hidden()


def test_the_sidebar_counts_mentions_apart_live_and_shows_a_dot_at_level_none(person):
    ada, bob, slug = two_members(person, "mentions-")
    bob.create_room("Elsewhere", unique("elsewhere-"))  # Bob reads another room now
    row = bob.page.locator(f'#sidebar [data-unread-room="{slug}"]')
    count, mentions = row.locator("[data-unread-count]"), row.locator("[data-mention-count]")
    # (A name right before the caret would open the @ list, where Enter picks, not sends.)
    ada.say(f"@{bob.username} can you look at the deploy?")
    ada.say("no mention here")
    expect(count).to_have_text("2")
    expect(mentions).to_have_text("1")
    ada.say("@room standup in 5")
    expect(count).to_have_text("3")
    expect(mentions).to_have_text("2")

    # Read in another tab: both go, live.
    tab = bob.context.new_page()
    tab.goto(f"/rooms/{slug}/")
    expect(tab.locator("[data-conn]")).to_have_attribute("data-state", "live")
    expect(row.locator("[data-unread-badge]")).to_be_hidden()
    expect(row.locator("[data-mention-badge]")).to_be_hidden()

    # Muted there: this tab's row switches to a dot, which shows once something is unread.
    tab.get_by_role("button", name="Room menu").click()
    tab.get_by_role("menuitemradio", name="Nothing").click()
    expect(row).to_have_attribute("data-level", "none")
    expect(row).to_have_class(re.compile(r"\bis-muted\b"))
    tab.close()
    ada.say("while muted")
    expect(row.locator("[data-unread-dot]")).to_be_visible()
    expect(row.locator("[data-unread-badge]")).to_be_hidden()
    ada.say(f"@{bob.username} still counts")
    expect(mentions).to_have_text("1")
    expect(row.locator("[data-mention-badge]")).to_be_visible()
    # The server's page agrees.
    bob.page.reload()
    bob.wait_live()
    expect(row.locator("[data-unread-dot]")).to_be_visible()
    expect(row.locator("[data-unread-badge]")).to_be_hidden()
    expect(mentions).to_have_text("1")


def test_a_reply_written_while_the_server_is_down_waits_in_the_thread_and_is_sent_once(
    person, server
):
    ada, bob, _ = two_members(person, "offline-reply-")
    ada.say("Who takes the night shift?")
    actions(bob, "Who takes the night shift?").locator("[data-action=reply]").click()
    panel = bob.page.locator("#thread-panel")
    expect(panel.locator("#thread-list .item__body")).to_have_text(["Who takes the night shift?"])

    server.stop()
    expect(bob.connection).not_to_have_attribute("data-state", "live")
    bob.page.fill("#thread-body", "I do.")
    bob.page.press("#thread-body", "Enter")
    waiting = panel.locator("#thread-pending .item--message")
    expect(waiting.locator(".item__body")).to_have_text("I do.")
    expect(waiting.locator(".item__status")).to_have_text("Waiting for the connection…")
    expect(bob.page.locator("#thread-body")).to_have_value("")
    expect(bob.pending).to_have_count(0)  # not under the main timeline
    # Closed and opened again, the thread still shows it waiting.
    bob.page.locator("#thread-close").click()
    expect(waiting).to_have_count(0)
    bob.message("Who takes the night shift?").hover()
    actions(bob, "Who takes the night shift?").locator("[data-action=reply]").click()
    expect(waiting.locator(".item__body")).to_have_text("I do.")

    server.start()
    bob.wait_live(timeout=20_000)
    expect(waiting).to_have_count(0)
    expect(panel.locator("#thread-list .item__body")).to_have_text(
        ["Who takes the night shift?", "I do."]
    )
    summary = ada.message("Who takes the night shift?").locator(".item__replies")
    expect(summary).to_have_text(re.compile(r"^1 reply · "))
    # Stored once: fresh pages from the server show one reply.
    for someone in (ada, bob):
        someone.page.reload()
        someone.wait_live()
        someone.message("Who takes the night shift?").locator(".item__replies").click()
        thread = someone.page.locator("#thread-list .item__body")
        expect(thread).to_have_text(["Who takes the night shift?", "I do."])
    expect(bob.page.locator("#thread-pending .item--message")).to_have_count(0)
    expect(bob.message("Who takes the night shift?").locator(".item__replies")).to_have_text(
        re.compile(r"^1 reply · ")
    )
