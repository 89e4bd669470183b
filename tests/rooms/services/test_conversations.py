"""Conversations at the service level (PROTOCOL.md, "Conversations (contract)"; docs/protocol.md,
"Conversations"): replies, edits, deletions, reactions, idempotency by client_id, mentions,
direct rooms, notification levels, and history by thread or around a seq.

Every refusal is checked to store nothing: the room's items and the target's row are compared
before and after.
"""

import itertools
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parley.core.errors import Forbidden, InvalidInput, NotAMember, RoomNotFound
from parley.rooms import selectors, services
from parley.rooms.models import Attachment, Item, Membership, Mention, Room
from parley.rooms.services import direct as direct_services
from parley.rooms.services import writes as write_services
from parley.rooms.values import item_value
from parley.wire import frames
from tests.factories import UserFactory, make_room
from tests.support.threads import run_in_threads

_ids = itertools.count(1)


def cid() -> str:
    return f"c{next(_ids)}"


def post(user, body="hello", *, thread=None, room="general", client_id=None) -> Item:
    return services.message_post(
        user=user, room_slug=room, body=body, client_id=client_id or cid(), thread=thread
    ).item


def edit(user, target, body="edited", *, room="general", client_id=None):
    return services.message_edit(
        user=user, room_slug=room, target=target, body=body, client_id=client_id or cid()
    )


def delete(user, target, *, room="general", client_id=None):
    return services.message_delete(
        user=user, room_slug=room, target=target, client_id=client_id or cid()
    )


def react(user, target, emoji="👍", op="add", *, room="general", client_id=None):
    return services.reaction_set(
        user=user, room_slug=room, target=target, emoji=emoji, op=op, client_id=client_id or cid()
    )


def row(room: Room, seq: int) -> Item:
    return Item.objects.get(room=room, seq=seq)


def snapshot(room: Room) -> list[tuple]:
    """Every item of the room as stored, and the room's counter: what a refusal must not change."""
    room.refresh_from_db()
    items = Item.objects.filter(room=room).order_by("seq")
    fields = ("seq", "kind", "body", "html", "mentions", "deleted", "reactions", "reply_count",
              "last_reply_at", "state_seq", "edited_at")  # fmt: skip
    return [room.last_seq, *(tuple(getattr(i, f) for f in fields) for i in items)]


def frame_of(item: Item, room: Room) -> dict:
    return frames.item(item_value(item, room_slug=room.slug))


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def other_room(ada):
    """Another room of ada's with messages up to seq 30: its seqs name nothing in `general`."""
    other = make_room(ada, slug="other")
    for n in range(29):
        post(ada, f"other {n}", room="other")
    return other


@pytest.fixture
def timeline(ada, bob, general_with_bob, other_room):
    """In `general`: 3 a root (ada), 4 a reply to it (bob), 5 a message (ada), 6 its deletion,
    7 an edit of 3, 8 a reaction to 3. The room's last seq is 8; `other` goes up to 30."""
    root = post(ada, "root")
    reply = post(bob, "a reply", thread=root.seq)
    doomed = post(ada, "doomed")
    delete(ada, doomed.seq)
    edit(ada, root.seq, "root, edited")
    react(bob, root.seq, "👍")
    assert (root.seq, reply.seq, doomed.seq) == (3, 4, 5)
    general_with_bob.refresh_from_db()
    assert general_with_bob.last_seq == 8
    return general_with_bob


# Seqs in `timeline` that name no message of the room a reply, an edit, a deletion or a
# reaction may target (and why).
NOT_A_MESSAGE = {
    "an event": 1,
    "an edit item": 7,
    "a reaction item": 8,
    "a deletion item": 6,
    "a seq only another room has": 20,
    "a seq beyond the last": 9,
    "zero": 0,
    "negative": -1,
    "beyond 64 bits": 2**63,
    "far beyond 64 bits": 2**70,
}


# --- replies -----------------------------------------------------------------------------------


def test_a_reply_counts_on_its_root_with_the_last_reply_time_and_state_seq(
    ada, bob, general_with_bob
):
    root = post(ada, "root")
    first = post(bob, "first", thread=root.seq)
    second = post(ada, "second", thread=root.seq)

    stored = row(general_with_bob, root.seq)
    assert (stored.reply_count, stored.last_reply_at) == (2, second.created_at)
    assert stored.state_seq == second.seq
    assert row(general_with_bob, first.seq).thread_seq == root.seq
    frame = frame_of(stored, general_with_bob)
    assert frame["replies"] == 2
    assert frame["last_reply_ts"] == frames.format_ts(second.created_at)
    assert frame["state_seq"] == second.seq
    live = frame_of(second, general_with_bob)  # the message as sent
    assert live["thread"] == root.seq
    assert "replies" not in live and "state_seq" not in live


@pytest.mark.parametrize(
    "thread",
    [4, 5, *NOT_A_MESSAGE.values()],
    ids=["a reply", "a deleted message", *NOT_A_MESSAGE],
)
def test_a_thread_that_is_not_a_live_root_message_of_this_room_is_invalid(
    ada, bob, timeline, thread
):
    before = snapshot(timeline)

    with pytest.raises(InvalidInput):
        post(bob, "reply", thread=thread)

    assert snapshot(timeline) == before


def test_a_reply_to_a_root_in_another_room_is_invalid_here(ada, bob, timeline, other_room):
    assert row(other_room, 20).kind == Item.Kind.MESSAGE  # a root message, but of `other`

    with pytest.raises(InvalidInput):
        post(bob, "reply", thread=20)

    assert row(other_room, 20).reply_count == 0


# --- edits -------------------------------------------------------------------------------------


def test_the_author_edits_and_the_message_shows_the_new_text_as_now(ada, general):
    message = post(ada, "hello")

    result = edit(ada, message.seq, "hello **again**")

    item = Item.objects.get(pk=result.item.pk)
    assert (item.kind, item.target_seq, item.body) == ("edit", message.seq, "hello **again**")
    assert item.html and "again" in item.html
    stored = row(general, message.seq)
    assert (stored.body, stored.html, stored.edited_at) == (item.body, item.html, item.created_at)
    assert stored.state_seq == item.seq
    shown = frame_of(stored, general)
    assert shown["edited"] == frames.format_ts(item.created_at)
    assert shown["body"] == "hello **again**"
    edit_frame = frame_of(item, general)
    assert {k: edit_frame[k] for k in ("type", "target", "body", "html", "user")} == {
        "type": "edit",
        "target": message.seq,
        "body": "hello **again**",
        "html": item.html,
        "user": {"username": "ada"},
    }


def test_only_the_author_may_edit_not_even_the_owner(ada, bob, general_with_bob):
    adas = post(ada, "ada's")
    bobs = post(bob, "bob's")
    before = snapshot(general_with_bob)

    with pytest.raises(Forbidden):
        edit(bob, adas.seq, "bob was here")
    with pytest.raises(Forbidden):
        edit(ada, bobs.seq, "the owner was here")  # ada owns the room

    assert snapshot(general_with_bob) == before


def test_a_non_member_may_not_edit_even_their_own_old_message(ada, bob, general_with_bob):
    message = post(bob, "mine")
    services.room_leave(user=bob, room=general_with_bob)

    with pytest.raises(NotAMember):
        edit(bob, message.seq, "still mine")


@pytest.mark.parametrize(
    "target", [5, *NOT_A_MESSAGE.values()], ids=["a deleted message", *NOT_A_MESSAGE]
)
def test_an_edit_of_anything_but_a_live_message_of_this_room_is_invalid(ada, timeline, target):
    before = snapshot(timeline)

    with pytest.raises(InvalidInput):
        edit(ada, target, "new text")

    assert snapshot(timeline) == before


def test_a_reply_may_be_edited(ada, bob, timeline):
    edit(bob, 4, "a better reply")

    assert row(timeline, 4).body == "a better reply"


@pytest.mark.parametrize(
    "body",
    ["", "   \n\t", "\u200b\u200d", "x" * 4001, "nul \x00 inside"],
    ids=["empty", "white space", "invisible", "too long", "NUL"],
)
def test_an_edit_body_follows_the_send_rules(ada, general, body):
    message = post(ada, "hello")
    before = snapshot(general)

    with pytest.raises(InvalidInput):
        edit(ada, message.seq, body)

    assert snapshot(general) == before


def test_an_edit_body_of_exactly_the_limit_is_accepted(ada, general):
    message = post(ada, "hello")

    edit(ada, message.seq, "y" * 4000)

    assert row(general, message.seq).body == "y" * 4000


def test_past_the_edit_window_an_edit_is_forbidden(ada, general, settings):
    settings.PARLEY = {**settings.PARLEY, "EDIT_WINDOW_SECONDS": 60}
    old = post(ada, "old")
    recent = post(ada, "recent")
    Item.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    Item.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(seconds=50))
    before = snapshot(general)

    with pytest.raises(Forbidden):
        edit(ada, old.seq, "too late")

    assert snapshot(general) == before
    edit(ada, recent.seq, "in time")
    assert row(general, recent.seq).body == "in time"


def test_without_an_edit_window_old_messages_may_be_edited(ada, general, settings):
    settings.PARLEY = {**settings.PARLEY, "EDIT_WINDOW_SECONDS": 0}
    old = post(ada, "old")
    Item.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))

    edit(ada, old.seq, "still mine")

    assert row(general, old.seq).body == "still mine"


# --- deletions ---------------------------------------------------------------------------------


@pytest.fixture
def moderated(ada, bob, carol, general_with_bob):
    """`general` with carol a moderator and dave a plain member (seqs 3 and 4 their joins)."""
    services.room_join(user=carol, room=general_with_bob)
    Membership.objects.filter(room=general_with_bob, user=carol).update(
        role=Membership.Role.MODERATOR
    )
    dave = UserFactory(username="dave")
    services.room_join(user=dave, room=general_with_bob)
    return general_with_bob


@pytest.mark.parametrize("who", ["the author", "the owner", "a moderator", "staff"])
def test_the_author_the_owner_a_moderator_and_staff_may_delete(ada, bob, carol, moderated, who):
    message = post(bob, "bob's")
    deleter = {
        "the author": bob,
        "the owner": ada,
        "a moderator": carol,
        "staff": UserFactory(username="root", is_staff=True),  # not a member
    }[who]

    result = delete(deleter, message.seq)

    item = Item.objects.get(pk=result.item.pk)
    assert (item.kind, item.target_seq, item.user) == ("delete", message.seq, deleter)
    stored = row(moderated, message.seq)
    assert stored.deleted is True
    assert stored.state_seq == item.seq
    frame = frame_of(item, moderated)
    assert {k: frame[k] for k in ("type", "target", "user")} == {
        "type": "delete",
        "target": message.seq,
        "user": {"username": deleter.username},
    }


def test_another_member_may_not_delete_and_a_non_member_is_not_a_member(ada, bob, moderated):
    message = post(ada, "ada's")
    dave = Membership.objects.get(room=moderated, user__username="dave").user
    outsider = UserFactory(username="eve")
    before = snapshot(moderated)

    with pytest.raises(Forbidden):
        delete(bob, message.seq)
    with pytest.raises(Forbidden):
        delete(dave, message.seq)
    with pytest.raises(NotAMember):
        delete(outsider, message.seq)

    assert snapshot(moderated) == before


def test_a_moderator_of_another_room_may_not_delete_here(ada, bob, carol, moderated):
    elsewhere = make_room(carol, slug="elsewhere")  # carol owns it
    services.room_join(user=bob, room=elsewhere)
    message = post(bob, "bob's", room="elsewhere")

    with pytest.raises(Forbidden):
        delete(ada, message.seq, room="elsewhere")  # ada owns `general`, is no member here
    assert row(elsewhere, message.seq).deleted is False


def test_an_already_deleted_message_is_invalid(ada, general):
    message = post(ada, "once")
    delete(ada, message.seq)
    before = snapshot(general)

    with pytest.raises(InvalidInput):
        delete(ada, message.seq)

    assert snapshot(general) == before


@pytest.mark.parametrize("target", NOT_A_MESSAGE.values(), ids=NOT_A_MESSAGE)
def test_deleting_anything_but_a_message_of_this_room_is_invalid(ada, timeline, target):
    before = snapshot(timeline)

    with pytest.raises(InvalidInput):
        delete(ada, target)

    assert snapshot(timeline) == before


def test_a_deletion_erases_text_html_mentions_reactions_and_the_edits_text(
    ada, bob, general_with_bob
):
    message = post(ada, "hi @bob and @room")
    assert Mention.objects.filter(item=message).count() == 2
    first_edit = edit(ada, message.seq, "hi again @bob").item
    react(bob, message.seq, "👍")

    delete(ada, message.seq)

    stored = row(general_with_bob, message.seq)
    assert (stored.body, stored.html, stored.mentions, stored.reactions) == ("", "", None, None)
    assert stored.deleted is True
    assert not Mention.objects.filter(item=message).exists()
    erased = Item.objects.get(pk=first_edit.pk)
    assert (erased.body, erased.html, erased.mentions) == ("", "", None)
    frame = frame_of(stored, general_with_bob)
    assert frame["deleted"] is True
    assert (frame["body"], frame["html"]) == ("", "")
    assert "reactions" not in frame and "mentions" not in frame
    assert not Item.objects.filter(room=general_with_bob, body__contains="hi").exists()


def test_a_deletion_keeps_the_replies_of_a_root(ada, bob, general_with_bob):
    root = post(ada, "root")
    reply = post(bob, "reply", thread=root.seq)

    delete(ada, root.seq)

    assert row(general_with_bob, reply.seq).body == "reply"
    assert row(general_with_bob, reply.seq).deleted is False


def test_a_deletion_removes_the_attachment_row_and_the_stored_file_after_commit(
    ada, general, publish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = SimpleUploadedFile("notes.txt", b"secret notes", "text/plain")
        message = services.attachment_post(user=ada, room_slug="general", upload=upload).item
    attachment = Attachment.objects.get(item=message)
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete(ada, message.seq)
        assert storage.exists(name)  # not before the deletion commits
    for callback in callbacks:
        callback()

    assert not storage.exists(name)
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    stored = row(general, message.seq)
    assert stored.has_attachment is False
    assert "attachment" not in frame_of(stored, general)


# --- reactions ---------------------------------------------------------------------------------

VALID_EMOJI = {
    "thumbs up": "👍",
    "ZWJ family": "👨\u200d👩\u200d👧\u200d👦",
    "ZWJ rainbow flag": "🏳️\u200d🌈",
    "skin tone": "👍🏽",
    "flag": "🇫🇷",
    "heart with VS16": "❤\ufe0f",
}
INVALID_EMOJI = {
    "empty": "",
    "text": "ok",
    "a shortcode": ":thumbs_up:",
    "two emoji": "👍😀",
    "the same twice": "👍👍",
    "emoji and text": "👍 ",
    "a lone ZWJ": "\u200d",
    "a lone regional indicator": "🇫",
    "four regional indicators": "🇫🇷🇩🇪",
    "1 KiB of emoji": "👍" * 256,
    "unqualified heart": "❤",
    "a lone skin tone": "🏽",
}


@pytest.mark.parametrize("emoji", VALID_EMOJI.values(), ids=VALID_EMOJI)
def test_one_fully_qualified_emoji_is_a_reaction(ada, bob, general_with_bob, emoji):
    message = post(ada, "react to me")

    result = react(bob, message.seq, emoji)

    item = Item.objects.get(pk=result.item.pk)
    assert (item.kind, item.target_seq, item.emoji, item.op) == (
        "reaction",
        message.seq,
        emoji,
        "add",
    )
    stored = row(general_with_bob, message.seq)
    assert stored.reactions == [{"emoji": emoji, "users": ["bob"]}]
    assert stored.state_seq == item.seq
    frame = frame_of(item, general_with_bob)
    assert {k: frame[k] for k in ("type", "target", "emoji", "op", "user")} == {
        "type": "reaction",
        "target": message.seq,
        "emoji": emoji,
        "op": "add",
        "user": {"username": "bob"},
    }


@pytest.mark.parametrize("emoji", INVALID_EMOJI.values(), ids=INVALID_EMOJI)
def test_anything_but_one_fully_qualified_emoji_is_invalid(ada, general, emoji):
    message = post(ada, "react to me")
    before = snapshot(general)

    with pytest.raises(InvalidInput):
        react(ada, message.seq, emoji)

    assert snapshot(general) == before


@pytest.mark.parametrize("op", ["toggle", "", "ADD"])
def test_an_op_other_than_add_or_remove_is_invalid(ada, general, op):
    message = post(ada, "react to me")
    before = snapshot(general)

    with pytest.raises(InvalidInput):
        react(ada, message.seq, "👍", op)

    assert snapshot(general) == before


def test_adding_twice_or_removing_what_is_not_there_is_invalid(ada, bob, general_with_bob):
    message = post(ada, "react to me")
    react(ada, message.seq, "👍")
    before = snapshot(general_with_bob)

    with pytest.raises(InvalidInput):
        react(ada, message.seq, "👍")
    with pytest.raises(InvalidInput):
        react(ada, message.seq, "😀", "remove")
    with pytest.raises(InvalidInput):
        react(bob, message.seq, "👍", "remove")  # ada's, not bob's

    assert snapshot(general_with_bob) == before


def test_reactions_keep_the_order_each_emoji_was_first_added(ada, bob, general_with_bob):
    message = post(ada, "react to me")
    react(bob, message.seq, "😀")
    react(ada, message.seq, "👍")
    react(ada, message.seq, "😀")
    react(bob, message.seq, "🎉")

    assert row(general_with_bob, message.seq).reactions == [
        {"emoji": "😀", "users": ["bob", "ada"]},
        {"emoji": "👍", "users": ["ada"]},
        {"emoji": "🎉", "users": ["bob"]},
    ]
    react(bob, message.seq, "😀", "remove")
    react(ada, message.seq, "👍", "remove")  # its last user: the emoji goes away
    react(ada, message.seq, "👍")  # added again: now last

    stored = row(general_with_bob, message.seq)
    assert stored.reactions == [
        {"emoji": "😀", "users": ["ada"]},
        {"emoji": "🎉", "users": ["bob"]},
        {"emoji": "👍", "users": ["ada"]},
    ]
    assert frame_of(stored, general_with_bob)["reactions"] == stored.reactions


def test_a_21st_distinct_emoji_is_invalid_but_more_users_of_one_are_not(ada, bob, general_with_bob):
    message = post(ada, "react to me")
    twenty = [
        "😀",
        "😁",
        "😂",
        "🤣",
        "😃",
        "😄",
        "😅",
        "😆",
        "😉",
        "😊",
        "😋",
        "😎",
        "😍",
        "😘",
        "🥰",
        "😗",
        "😙",
        "🥲",
        "😚",
        "🙂",
    ]
    assert len(set(twenty)) == 20
    for emoji in twenty:
        react(ada, message.seq, emoji)
    before = snapshot(general_with_bob)

    with pytest.raises(InvalidInput):
        react(ada, message.seq, "👍")
    with pytest.raises(InvalidInput):
        react(bob, message.seq, "👍")

    assert snapshot(general_with_bob) == before
    react(bob, message.seq, "😀")  # another user of one already there
    assert row(general_with_bob, message.seq).reactions[0]["users"] == ["ada", "bob"]


@pytest.mark.parametrize(
    "target", [5, *NOT_A_MESSAGE.values()], ids=["a deleted message", *NOT_A_MESSAGE]
)
def test_a_reaction_to_anything_but_a_live_message_of_this_room_is_invalid(bob, timeline, target):
    before = snapshot(timeline)

    with pytest.raises(InvalidInput):
        react(bob, target, "🎉")

    assert snapshot(timeline) == before


def test_only_members_react(ada, general, carol):
    message = post(ada, "react to me")
    before = snapshot(general)

    with pytest.raises(NotAMember):
        react(carol, message.seq, "👍")
    with pytest.raises(NotAMember):  # forbidden comes before invalid
        react(carol, message.seq, "not an emoji")

    assert snapshot(general) == before


# --- once per client_id ------------------------------------------------------------------------


def test_an_edit_again_with_its_client_id_answers_the_first_and_stores_nothing(ada, general):
    message = post(ada, "hello")
    first = edit(ada, message.seq, "first", client_id="e1")
    before = snapshot(general)

    again = edit(ada, message.seq, "second", client_id="e1")  # a changed body

    assert (again.created, again.item.pk, again.item.seq) == (False, first.item.pk, first.item.seq)
    assert again.item.created_at == first.item.created_at
    assert snapshot(general) == before
    assert row(general, message.seq).body == "first"


def test_a_delete_again_with_its_client_id_answers_the_first_not_already_deleted(ada, general):
    message = post(ada, "hello")
    first = delete(ada, message.seq, client_id="d1")
    before = snapshot(general)

    again = delete(ada, message.seq, client_id="d1")

    assert (again.created, again.item.pk) == (False, first.item.pk)
    assert snapshot(general) == before


def test_a_reaction_again_with_its_client_id_answers_the_first_whatever_it_says_now(ada, general):
    message = post(ada, "hello")
    first = react(ada, message.seq, "👍", client_id="r1")
    before = snapshot(general)

    for emoji, op in [("👍", "add"), ("👍", "remove"), ("🎉", "add"), ("not emoji", "add")]:
        again = react(ada, message.seq, emoji, op, client_id="r1")
        assert (again.created, again.item.pk) == (False, first.item.pk)

    assert snapshot(general) == before


def test_one_client_id_space_for_send_edit_delete_and_react(ada, general):
    message = post(ada, "hello", client_id="same")

    again = react(ada, message.seq, "👍", client_id="same")

    assert (again.created, again.item.pk) == (False, message.pk)
    assert row(general, message.seq).reactions is None


def test_a_refused_write_does_not_use_up_its_client_id(ada, bob, general_with_bob):
    message = post(ada, "hello")
    with pytest.raises(Forbidden):
        edit(bob, message.seq, "not mine", client_id="x1")

    mine = post(bob, "mine")
    result = edit(bob, mine.seq, "mine, edited", client_id="x1")

    assert result.created is True


# --- mentions ----------------------------------------------------------------------------------


def test_a_mention_of_someone_who_may_read_the_room_is_listed_with_a_mention_row(
    ada, bob, general, carol
):
    # carol is no member of the public room, but may read it.
    message = post(ada, "hi @bob and @carol, not @nobody nor ada@example.org")

    stored = row(general, message.seq)
    assert stored.mentions == ["bob", "carol"]
    assert set(Mention.objects.filter(item=message).values_list("user__username", flat=True)) == {
        "bob",
        "carol",
    }
    assert frame_of(stored, general)["mentions"] == ["bob", "carol"]


def test_a_mention_of_someone_who_may_not_read_a_private_room_is_not_listed(ada, bob, carol):
    secret = make_room(ada, slug="secret", visibility="private")
    services.room_join(user=bob, room=secret)

    message = post(ada, "@bob @carol", room="secret")

    assert row(secret, message.seq).mentions == ["bob"]
    assert list(Mention.objects.filter(item=message).values_list("user__username", flat=True)) == [
        "bob"
    ]


def test_a_room_mention_lists_at_room_not_every_member(ada, bob, general_with_bob):
    message = post(ada, "hey @room")

    assert row(general_with_bob, message.seq).mentions == ["@room"]
    (mention,) = Mention.objects.filter(item=message)
    assert mention.user_id is None


def test_a_message_mentions_at_most_50_users(ada, general):
    people = [UserFactory(username=f"p{n:02d}") for n in range(55)]
    body = " ".join(f"@{p.username}" for p in people)

    message = post(ada, body)

    stored = row(general, message.seq)
    assert stored.mentions == [p.username for p in people[:50]]
    assert stored.body == body  # the body is stored whole
    assert Mention.objects.filter(item=message).count() == 50


def test_an_edit_changes_who_is_mentioned(ada, bob, general_with_bob, carol):
    message = post(ada, "hi @bob")

    edit(ada, message.seq, "hi @carol")

    assert row(general_with_bob, message.seq).mentions == ["carol"]
    assert list(Mention.objects.filter(item=message).values_list("user__username", flat=True)) == [
        "carol"
    ]


def test_the_mention_count_excludes_own_read_and_deleted_messages(ada, bob, general_with_bob):
    read = post(ada, "@bob you have read this")
    services.read_pointer_move(user=bob, room=general_with_bob, seq=read.seq)
    post(ada, "@bob one")
    post(ada, "@room two")
    post(ada, "@bob @room three, counted once")
    gone = post(ada, "@bob deleted")
    delete(ada, gone.seq)
    post(bob, "@bob @room my own")  # moves bob's pointer: read from here on
    general_with_bob.refresh_from_db()

    level, count = selectors.subscriber_state(
        user=bob, room=general_with_bob, last_read=read.seq, upto=general_with_bob.last_seq
    )

    assert (level, count) == ("", 3)
    _, after_reading = selectors.subscriber_state(
        user=bob,
        room=general_with_bob,
        last_read=general_with_bob.last_seq,
        upto=general_with_bob.last_seq,
    )
    assert after_reading == 0


# --- direct rooms ------------------------------------------------------------------------------


def test_the_same_set_of_people_always_gets_the_same_direct_room(ada, bob, carol):
    first = services.direct_room_open(user=ada, usernames=["bob", "carol"])

    assert first.created is True
    assert first.usernames == ["ada", "bob", "carol"]
    assert first.room.is_direct
    for user, names in [
        (ada, ["carol", "bob"]),
        (ada, ["bob", "bob", "carol", "ada"]),
        (bob, ["ada", "carol"]),
        (carol, ["ada", "bob", "carol"]),
    ]:
        again = services.direct_room_open(user=user, usernames=names)
        assert (again.room.pk, again.created, again.usernames) == (
            first.room.pk,
            False,
            ["ada", "bob", "carol"],
        )
    assert Room.objects.filter(visibility=Room.Visibility.DIRECT).count() == 1
    assert services.direct_participants(first.room) == ["ada", "bob", "carol"]
    other = services.direct_room_open(user=ada, usernames=["bob"])
    assert other.room.pk != first.room.pk


def test_invalid_direct_rooms(ada, bob):
    UserFactory(username="gone", is_active=False)
    many = [UserFactory(username=f"m{n}").username for n in range(9)]
    cases = {
        "nobody": [],
        "only oneself": ["ada"],
        "oneself twice": ["ada", "ada"],
        "an unknown user": ["bob", "nobody"],
        "a deactivated user": ["bob", "gone"],
        "9 others": many,
    }
    for case, names in cases.items():
        with pytest.raises(InvalidInput):
            services.direct_room_open(user=ada, usernames=names)
        assert not Room.objects.filter(visibility=Room.Visibility.DIRECT).exists(), case

    assert services.direct_room_open(user=ada, usernames=many[:8]).created is True


@pytest.fixture
def direct(ada, bob):
    return services.direct_room_open(user=ada, usernames=["bob"]).room


def test_join_and_leave_of_a_direct_room_are_forbidden(ada, bob, carol, direct):
    with pytest.raises(Forbidden):
        services.room_leave(user=bob, room=direct)
    with pytest.raises(Forbidden):
        services.room_join_by_slug(user=bob, slug=direct.slug)  # already in it
    with pytest.raises(RoomNotFound):  # carol may not even see it
        services.room_join_by_slug(user=carol, slug=direct.slug)
    with pytest.raises(Forbidden):
        services.room_join(user=carol, room=direct)

    assert services.direct_participants(direct) == ["ada", "bob"]


def test_a_direct_room_is_hidden_from_everyone_else_staff_included(ada, bob, carol, direct):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    message = post(ada, "between us", room=direct.slug)

    for outsider in (carol, staff):
        with pytest.raises(RoomNotFound):
            selectors.access_room(user=outsider, slug=direct.slug)
        with pytest.raises(RoomNotFound):
            selectors.room_history(user=outsider, slug=direct.slug, before=None, limit=50)
        with pytest.raises(RoomNotFound):
            post(outsider, "hi", room=direct.slug)
        with pytest.raises(RoomNotFound):
            delete(outsider, message.seq, room=direct.slug)
        with pytest.raises(RoomNotFound):
            services.notify_level_set(user=outsider, slug=direct.slug, level="all")
        assert direct.pk not in {room.pk for room in selectors.room_list_for_user(outsider)}
    for participant in (ada, bob):
        assert direct.pk in {room.pk for room in selectors.room_list_for_user(participant)}


def test_a_direct_room_page_is_404_to_staff(ada, bob, direct, client):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)

    assert client.get(f"/rooms/{direct.slug}/").status_code == 404
    assert direct.slug not in client.get("/").content.decode()
    client.force_login(bob)
    assert client.get(f"/rooms/{direct.slug}/").status_code == 200


def test_nobody_moderates_a_direct_room(ada, bob, direct):
    message = post(bob, "mine", room=direct.slug)

    with pytest.raises(Forbidden):
        delete(ada, message.seq, room=direct.slug)
    delete(bob, message.seq, room=direct.slug)


# --- notification levels -----------------------------------------------------------------------


def test_the_default_level_is_mentions_and_all_in_a_direct_room(ada, bob, general_with_bob, direct):
    for room in (general_with_bob, direct):
        level, _ = selectors.subscriber_state(user=bob, room=room, last_read=0, upto=0)
        assert level == ""
    assert services.effective_level(room=general_with_bob, level="") == "mentions"
    assert services.effective_level(room=direct, level="") == "all"


@pytest.mark.parametrize("level", ["all", "mentions", "none"])
def test_a_member_sets_their_level(ada, bob, general_with_bob, level):
    room, answer = services.notify_level_set(user=bob, slug="general", level=level)

    assert (room.slug, answer) == ("general", level)
    assert Membership.objects.get(room=general_with_bob, user=bob).level == level
    stored, _ = selectors.subscriber_state(user=bob, room=general_with_bob, last_read=0, upto=0)
    assert services.effective_level(room=general_with_bob, level=stored) == level


@pytest.mark.parametrize("level", ["", "ALL", "some", "mentions "])
def test_another_level_is_invalid(ada, bob, general_with_bob, level):
    with pytest.raises(InvalidInput):
        services.notify_level_set(user=bob, slug="general", level=level)

    assert Membership.objects.get(room=general_with_bob, user=bob).level == ""


def test_a_non_member_may_not_set_a_level(ada, general, carol):
    with pytest.raises(NotAMember):
        services.notify_level_set(user=carol, slug="general", level="all")
    with pytest.raises(NotAMember):  # forbidden before invalid
        services.notify_level_set(user=carol, slug="general", level="loud")
    with pytest.raises(RoomNotFound):
        services.notify_level_set(user=carol, slug="nowhere", level="all")


# --- history by thread and around a seq --------------------------------------------------------


def history(user, **query):
    query.setdefault("before", None)
    query.setdefault("limit", 50)
    _, page = selectors.room_history(user=user, slug="general", **query)
    return page


def test_a_thread_page_is_the_root_then_its_replies_paged_by_before(ada, bob, general_with_bob):
    root = post(ada, "root")  # 3
    replies = []
    for n in range(5):
        post(ada, f"main {n}")
        replies.append(post(bob, f"reply {n}", thread=root.seq))
    post(ada, "another root")

    page = history(bob, thread=root.seq, limit=3)

    assert [i.seq for i in page.items] == [root.seq] + [r.seq for r in replies[2:]]
    assert (page.has_more, page.thread) == (True, root.seq)
    older = history(bob, thread=root.seq, limit=3, before=replies[2].seq)
    assert [i.seq for i in older.items] == [root.seq, replies[0].seq, replies[1].seq]
    assert older.has_more is False
    everything = history(bob, thread=root.seq)
    assert [i.seq for i in everything.items] == [root.seq] + [r.seq for r in replies]
    assert everything.items[0].reply_count == 5


@pytest.mark.parametrize("thread", [4, 1, 6, 7, 0, -1, 2**63, 99], ids=str)
def test_a_thread_page_of_anything_but_a_root_is_invalid(ada, bob, timeline, thread):
    with pytest.raises(InvalidInput):
        history(bob, thread=thread)


def test_a_deleted_roots_thread_can_still_be_read(ada, bob, general_with_bob):
    root = post(ada, "root")
    reply = post(bob, "reply", thread=root.seq)
    delete(ada, root.seq)

    page = history(bob, thread=root.seq)

    assert [i.seq for i in page.items] == [root.seq, reply.seq]
    assert page.items[0].deleted is True


def test_an_around_page_is_centred_on_the_seq_with_has_more_and_has_newer(ada, general):
    for n in range(20):
        post(ada, f"m{n}")  # seqs 2..21

    page = history(ada, around=10, limit=6)

    assert [i.seq for i in page.items] == [7, 8, 9, 10, 11, 12]
    assert (page.has_more, page.has_newer) == (True, True)
    start = history(ada, around=2, limit=6)
    assert [i.seq for i in start.items] == [1, 2, 3, 4, 5, 6]
    assert (start.has_more, start.has_newer) == (False, True)
    end = history(ada, around=21, limit=6)
    assert [i.seq for i in end.items] == [18, 19, 20, 21]
    assert (end.has_more, end.has_newer) == (True, False)


def test_around_with_before_or_a_negative_around_is_invalid(ada, general):
    post(ada, "hello")

    with pytest.raises(InvalidInput):
        history(ada, around=2, before=3)
    with pytest.raises(InvalidInput):
        history(ada, around=-1)


def test_history_shows_each_message_as_it_is_now(ada, bob, general_with_bob):
    edited = post(ada, "first")  # 3
    gone = post(bob, "secret")  # 4
    root = post(ada, "root")  # 5
    reply = post(bob, "reply", thread=root.seq)  # 6
    last_edit = edit(ada, edited.seq, "first, edited").item  # 7
    react(bob, edited.seq, "👍")  # 8
    removal = delete(bob, gone.seq).item  # 9

    shown = {f["seq"]: f for f in (frame_of(i, general_with_bob) for i in history(bob).items)}

    assert shown[3]["body"] == "first, edited"
    assert shown[3]["edited"] == frames.format_ts(last_edit.created_at)
    assert shown[3]["reactions"] == [{"emoji": "👍", "users": ["bob"]}]
    assert shown[3]["state_seq"] == 8
    assert shown[4]["deleted"] is True
    assert (shown[4]["body"], shown[4]["html"], shown[4]["state_seq"]) == ("", "", removal.seq)
    assert shown[5]["replies"] == 1
    assert shown[5]["last_reply_ts"] == frames.format_ts(reply.created_at)
    assert shown[5]["state_seq"] == reply.seq
    assert shown[6]["thread"] == root.seq
    assert "edited" not in shown[5] and "deleted" not in shown[3]
    assert (shown[7]["type"], shown[7]["body"]) == ("edit", "first, edited")
    assert (shown[9]["type"], shown[9]["target"]) == ("delete", 4)


# --- at once, on several connections -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_people_starting_the_same_direct_room_at_once_get_one_room(publish):
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    # Both pass the look-up for an existing room before either creates one.
    both_looked = threading.Barrier(2)

    def look_then_wait(*args, **kwargs):
        both_looked.wait(timeout=30)

    with mock.patch.object(direct_services.ratelimit, "check", side_effect=look_then_wait):
        first, second = run_in_threads(
            lambda: services.direct_room_open(user=ada, usernames=["bob"]),
            lambda: services.direct_room_open(user=bob, usernames=["ada"]),
        )

    assert first.room.pk == second.room.pk
    assert sorted([first.created, second.created]) == [False, True]
    assert Room.objects.filter(visibility=Room.Visibility.DIRECT).count() == 1
    assert Membership.objects.filter(room=first.room).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_reaction_client_id_at_once_is_stored_once(publish):
    ada = UserFactory(username="ada")
    make_room(ada, slug="general")
    message = post(ada, "react to me")
    both_checked = threading.Barrier(2)
    real_check = write_services.check_client_id

    def check_then_wait(client_id):
        real_check(client_id)
        both_checked.wait(timeout=30)

    with mock.patch.object(write_services, "check_client_id", side_effect=check_then_wait):
        results = run_in_threads(
            lambda: react(ada, message.seq, "👍", client_id="race"),
            lambda: react(ada, message.seq, "👍", client_id="race"),
        )

    assert sorted(r.created for r in results) == [False, True]
    assert results[0].item.pk == results[1].item.pk
    assert Item.objects.filter(kind=Item.Kind.REACTION).count() == 1
    assert Item.objects.get(pk=message.pk).reactions == [{"emoji": "👍", "users": ["ada"]}]


@pytest.mark.django_db(transaction=True)
def test_reactions_and_replies_at_once_lose_no_update(publish):
    people = [UserFactory(username=f"p{n}") for n in range(4)]
    room = make_room(people[0], slug="general")
    for person in people[1:]:
        services.room_join(user=person, room=room)
    root = post(people[0], "root")

    run_in_threads(
        *[lambda p=p: react(p, root.seq, "👍") for p in people],
        *[lambda p=p: post(p, "reply", thread=root.seq) for p in people],
    )

    stored = Item.objects.get(pk=root.pk)
    (entry,) = stored.reactions
    assert sorted(entry["users"]) == sorted(p.username for p in people)
    assert stored.reply_count == 4
    room.refresh_from_db()
    assert stored.state_seq == room.last_seq


@pytest.mark.django_db(transaction=True)
def test_a_storage_that_fails_to_remove_a_file_does_not_fail_the_committed_deletion(publish):
    ada = UserFactory(username="ada")
    make_room(ada, slug="general")
    upload = SimpleUploadedFile("notes.txt", b"secret notes", "text/plain")
    message = services.attachment_post(user=ada, room_slug="general", upload=upload).item
    storage = Attachment.objects.get(item=message).file.storage
    storage = getattr(storage, "_wrapped", storage)  # default_storage is a lazy object
    publish.reset_mock()

    with mock.patch.object(type(storage), "delete", side_effect=OSError("storage is down")):
        result = delete(ada, message.seq)

    # The deletion is committed: its item is announced live and answered with an ack.
    assert result.created is True
    assert Item.objects.get(pk=message.pk).deleted is True
    assert not Attachment.objects.filter(item_id=message.pk).exists()
    assert [call.args[1]["seq"] for call in publish.call_args_list] == [result.item.seq]


def test_a_direct_room_with_a_name_holding_a_nul_byte_is_no_such_user(db):
    from parley.core.errors import InvalidInput
    from parley.rooms.services import direct_room_open
    from tests.factories import UserFactory

    ada = UserFactory(username="ada-nul")
    with pytest.raises(InvalidInput, match="No such user"):
        direct_room_open(user=ada, usernames=["bob\x00"])
