"""message_post: who may post, what is refused, idempotency by client_id, and its broadcast."""

import dataclasses
import json
import threading
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from parley.core.errors import Forbidden, InvalidInput, NotAMember, RoomNotFound
from parley.realtime import broadcast
from parley.rooms import services
from parley.rooms.models import Item, Membership, Room
from parley.rooms.services import writes as message_services
from parley.rooms.services.sequence import next_seq
from tests.factories import UserFactory, make_room
from tests.support.threads import run_in_threads


def post(user, room_slug: str, *, body: str = "hello", client_id: str = "c1"):
    return services.message_post(user=user, room_slug=room_slug, body=body, client_id=client_id)


def messages_in(room: Room) -> list[Item]:
    return list(Item.objects.filter(room=room, kind=Item.Kind.MESSAGE).order_by("seq"))


# --- a successful post ---------------------------------------------------------------------


def test_member_posts_a_message(ada, general):
    result = post(ada, "general", body="hi there", client_id="c1")

    assert result.created is True
    stored = Item.objects.get(pk=result.item.pk)
    assert (stored.room_id, stored.seq, stored.kind) == (general.pk, 2, "message")
    assert (stored.user, stored.body, stored.client_id) == (ada, "hi there", "c1")


@pytest.mark.parametrize(
    "body",
    [
        "👨‍👩‍👧‍👦 family",  # a ZWJ sequence
        "\u05e9\u05dc\u05d5\u05dd \u200f!",  # Hebrew with a right-to-left mark
        "e\u0301 (NFD)",  # a combining mark, not normalised
        "zero\u200bwidth",
        "<script>alert(1)</script>",
        "  leading and trailing space  ",
    ],
)
def test_body_is_stored_exactly_as_sent(ada, general, body):
    item = post(ada, "general", body=body).item

    assert Item.objects.get(pk=item.pk).body == body


def test_body_of_exactly_the_limit_is_accepted(ada, general):
    assert post(ada, "general", body="x" * 4000).created is True


def test_body_limit_counts_code_points_not_bytes(ada, general):
    # 4000 emoji are 16,000 UTF-8 bytes and 8,000 UTF-16 units, but 4000 characters.
    assert post(ada, "general", body="😀" * 4000).created is True
    with pytest.raises(InvalidInput):
        post(ada, "general", body="😀" * 4001, client_id="c2")


def test_client_id_of_64_characters_is_accepted(ada, general):
    assert post(ada, "general", client_id="k" * 64).item.client_id == "k" * 64


def test_body_limit_follows_the_setting(ada, general, settings):
    settings.PARLEY = {**settings.PARLEY, "MAX_BODY_CHARS": 10}

    assert post(ada, "general", body="x" * 10).created is True
    with pytest.raises(InvalidInput, match="10"):
        post(ada, "general", body="x" * 11, client_id="c2")


# --- who may post --------------------------------------------------------------------------


def test_non_member_cannot_post_to_a_public_room(general):
    bob = UserFactory()

    with pytest.raises(NotAMember) as refused:
        post(bob, "general")

    assert refused.value.code == "forbidden"
    assert isinstance(refused.value, Forbidden)
    assert messages_in(general) == []


def test_former_member_cannot_post(ada, general):
    bob = UserFactory()
    services.room_join(user=bob, room=general)
    services.room_leave(user=bob, room=general)

    with pytest.raises(NotAMember):
        post(bob, "general")


def test_unknown_room_is_not_found(ada):
    with pytest.raises(RoomNotFound) as refused:
        post(ada, "nowhere")

    assert refused.value.code == "room_not_found"


@pytest.mark.parametrize("slug", ["", "../general", "General", "general\n", "gen\x00", "x" * 51])
def test_malformed_slug_is_not_found(ada, general, slug):
    with pytest.raises(RoomNotFound):
        post(ada, slug)

    assert messages_in(general) == []


def test_private_room_is_not_found_for_a_non_member(ada):
    make_room(ada, slug="secret", visibility="private")

    with pytest.raises(RoomNotFound):
        post(UserFactory(), "secret")


def test_private_room_member_can_post(ada):
    room = make_room(ada, slug="secret", visibility="private")
    bob = UserFactory()
    services.membership_add(actor=ada, room=room, username=bob.username)

    assert post(bob, "secret").created is True


def test_staff_only_room_is_not_found_for_non_staff(db):
    boss = UserFactory(is_staff=True)
    make_room(boss, slug="staff", staff_only=True)

    with pytest.raises(RoomNotFound):
        post(UserFactory(), "staff")
    assert post(boss, "staff").created is True


def test_staff_who_is_not_a_member_cannot_post(ada):
    make_room(ada, slug="secret", visibility="private")

    with pytest.raises(NotAMember):
        post(UserFactory(is_staff=True), "secret")


# --- what is refused -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ["", " ", "\n\t  \r\n", "\u3000", "x" * 4001, "a\x00b", "\x00"],
    ids=["empty", "space", "whitespace", "ideographic-space", "too-long", "nul", "only-nul"],
)
def test_bad_body_is_invalid_and_stores_nothing(ada, general, body):
    with pytest.raises(InvalidInput) as refused:
        post(ada, "general", body=body)

    assert refused.value.code == "invalid"
    assert messages_in(general) == []
    assert Room.objects.get(pk=general.pk).last_seq == 1


@pytest.mark.parametrize("client_id", ["", "k" * 65, "a\x00b"], ids=["empty", "too-long", "nul"])
def test_bad_client_id_is_invalid_and_stores_nothing(ada, general, client_id):
    with pytest.raises(InvalidInput):
        post(ada, "general", client_id=client_id)

    assert messages_in(general) == []


def test_not_found_wins_over_forbidden_and_invalid(ada):
    make_room(ada, slug="secret", visibility="private")
    bob = UserFactory()

    with pytest.raises(RoomNotFound):
        post(bob, "secret", body="", client_id="")
    with pytest.raises(RoomNotFound):
        post(bob, "nowhere", body="x" * 5000, client_id="k" * 100)


def test_forbidden_wins_over_invalid(general):
    with pytest.raises(NotAMember):
        post(UserFactory(), "general", body="\x00", client_id="")


def test_invalid_body_is_reported_when_the_room_and_membership_are_fine(ada, general):
    with pytest.raises(InvalidInput):
        post(ada, "general", body="", client_id="k" * 65)


# --- idempotency by client_id --------------------------------------------------------------


def test_same_client_id_twice_stores_one_message(ada, general):
    first = post(ada, "general", client_id="once")
    again = post(ada, "general", client_id="once")

    assert (first.created, again.created) == (True, False)
    assert again.item.pk == first.item.pk
    assert again.item.seq == first.item.seq
    assert again.item.created_at == first.item.created_at
    assert len(messages_in(general)) == 1
    assert Room.objects.get(pk=general.pk).last_seq == 2


def test_same_client_id_with_another_body_returns_the_original(ada, general):
    first = post(ada, "general", body="original", client_id="once")
    again = post(ada, "general", body="changed", client_id="once")

    assert again.created is False
    assert again.item.pk == first.item.pk
    assert again.item.body == "original"
    assert [item.body for item in messages_in(general)] == ["original"]


def test_resend_is_answered_even_with_a_body_that_would_be_refused(ada, general):
    first = post(ada, "general", client_id="once")

    again = post(ada, "general", body="", client_id="once")

    assert (again.created, again.item.pk) == (False, first.item.pk)


def test_resend_after_leaving_gets_the_original_item(ada, general):
    bob = UserFactory()
    services.room_join(user=bob, room=general)
    first = post(bob, "general", client_id="once")
    services.room_leave(user=bob, room=general)

    again = post(bob, "general", client_id="once")

    assert (again.created, again.item.pk) == (False, first.item.pk)
    assert len(messages_in(general)) == 1


def test_resend_after_losing_a_private_room_is_told_the_room_does_not_exist(ada):
    """Visibility outranks the re-send rule: the original ack would tell bob the room exists."""
    room = make_room(ada, slug="secret", visibility="private")
    bob = UserFactory()
    services.membership_add(actor=ada, room=room, username=bob.username)
    post(bob, "secret", client_id="once")
    services.membership_remove(actor=ada, room=room, username=bob.username)

    with pytest.raises(RoomNotFound):
        post(bob, "secret", client_id="once")
    with pytest.raises(RoomNotFound):
        post(bob, "secret", client_id="new")


def test_same_client_id_in_another_room_is_another_message(ada, general):
    make_room(ada, slug="random")

    first = post(ada, "general", client_id="same")
    other = post(ada, "random", client_id="same")

    assert other.created is True
    assert other.item.pk != first.item.pk
    assert other.item.room.slug == "random"


def test_same_client_id_by_another_user_is_another_message(ada, general):
    bob = UserFactory()
    services.room_join(user=bob, room=general)

    first = post(ada, "general", body="from ada", client_id="same")
    other = post(bob, "general", body="from bob", client_id="same")

    assert other.created is True
    assert other.item.pk != first.item.pk
    assert [(item.user, item.body) for item in messages_in(general)] == [
        (ada, "from ada"),
        (bob, "from bob"),
    ]


def test_database_refuses_a_duplicate_client_id(ada, general):
    with transaction.atomic():
        Item.objects.create(
            room=general, seq=next_seq(general.pk), kind="message", user=ada, client_id="dup"
        )

    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(
            room=general, seq=next_seq(general.pk), kind="message", user=ada, client_id="dup"
        )

    assert Item.objects.filter(room=general, client_id="dup").count() == 1


def test_database_allows_many_items_without_client_id(ada, general):
    with transaction.atomic():
        for kind in ("leave", "join", "leave"):
            Item.objects.create(room=general, seq=next_seq(general.pk), kind=kind, user=ada)

    assert Item.objects.filter(room=general, user=ada, client_id__isnull=True).count() == 4


def test_database_refuses_a_duplicate_seq(ada, general):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(room=general, seq=1, kind="message", user=ada, client_id="c9")


@pytest.mark.django_db(transaction=True)
def test_same_client_id_racing_on_two_connections_stores_one_message(tmp_path):
    ada = UserFactory()
    room = make_room(ada, slug="general")
    # Both posts pass the look-up for an earlier copy before either inserts.
    both_checked = threading.Barrier(2)
    real_check = message_services.check_client_id

    def check_then_wait(client_id):
        real_check(client_id)
        both_checked.wait(timeout=30)

    def send():
        return post(ada, "general", body="racing", client_id="race")

    with (
        mock.patch.object(message_services, "check_client_id", side_effect=check_then_wait),
        mock.patch.object(broadcast, "publish_from_sync") as publish,
    ):
        results = run_in_threads(send, send)

    assert sorted(result.created for result in results) == [False, True]
    assert results[0].item.pk == results[1].item.pk
    assert results[0].item.seq == results[1].item.seq == 2
    assert Item.objects.filter(room=room, client_id="race").count() == 1
    assert Room.objects.get(pk=room.pk).last_seq == 2
    # Only the stored copy is announced.
    assert [call.args[1]["seq"] for call in publish.call_args_list] == [2]


# --- broadcasting after commit -------------------------------------------------------------


def test_post_publishes_its_item_once_after_commit(
    ada, general, publish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        item = post(ada, "general", body="hi <b>", client_id="c1").item

    assert len(callbacks) == 1
    publish.assert_not_called()  # registered for after the commit, not sent from inside it

    callbacks[0]()

    publish.assert_called_once()
    group, message = publish.call_args.args
    assert group == f"parley.room.{general.pk}"
    assert message["type"] == "room.item"
    assert (message["room_id"], message["seq"], message["revoke"]) == (general.pk, 2, None)
    frame = json.loads(message["frame"])
    assert frame["type"] == "message"
    assert frame["room"] == "general"
    assert (frame["seq"], frame["id"]) == (2, item.pk)
    assert frame["author"] == {"username": "ada"}
    assert (frame["body"], frame["client_id"]) == ("hi <b>", "c1")
    assert frame["ts"].endswith("Z")


def test_post_in_a_committed_transaction_publishes(
    ada, general, publish, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(ada, "general")

    assert len(callbacks) == 1
    assert publish.call_count == 1
    assert json.loads(publish.call_args.args[1]["frame"])["body"] == "hello"


def test_refused_post_publishes_nothing(ada, general, publish, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(InvalidInput):
            post(ada, "general", body="")
        with pytest.raises(NotAMember):
            post(UserFactory(), "general")
        with pytest.raises(RoomNotFound):
            post(ada, "nowhere")

    assert callbacks == []
    publish.assert_not_called()


def test_resend_publishes_nothing(ada, general, publish, django_capture_on_commit_callbacks):
    post(ada, "general", client_id="once")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post(ada, "general", client_id="once")

    assert callbacks == []
    publish.assert_not_called()


def test_post_that_loses_a_race_publishes_nothing(
    ada, general, publish, django_capture_on_commit_callbacks
):
    original = post(ada, "general", client_id="once").item
    real_existing = message_services._existing
    lookups = []

    def miss_first(**kwargs):
        lookups.append(kwargs)
        return None if len(lookups) == 1 else real_existing(**kwargs)

    with (
        mock.patch.object(message_services, "_existing", side_effect=miss_first),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        result = post(ada, "general", client_id="once")

    assert result.item.pk == original.pk
    # The callback registered before the insert failed went with the rolled-back savepoint.
    assert callbacks == []
    publish.assert_not_called()


# --- what a post costs ---------------------------------------------------------------------


def statements(captured: CaptureQueriesContext) -> list[str]:
    """The first word of each captured statement but transaction control (BEGIN, SAVEPOINT…)."""
    control = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}
    words = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    return [word for word in words if word not in control]


def test_post_reads_once_then_writes_seq_item_and_read_pointer(ada, general):
    with CaptureQueriesContext(connection) as captured:
        post(ada, "general", client_id="c1")

    # The room, the user's access to it and an earlier copy: one read, before the write. On
    # PostgreSQL the seq, the item and the read pointer are one statement (its own transaction).
    if connection.vendor == "postgresql":
        assert statements(captured) == ["SELECT", "WITH"]
    else:
        assert statements(captured) == ["SELECT", "UPDATE", "INSERT", "UPDATE"]
    item = Item.objects.get(room=general, client_id="c1")
    pointer = Membership.objects.get(room=general, user=ada).last_read_seq
    assert (item.seq, pointer) == (general.items.count(), item.seq)


def test_resend_reads_twice_and_writes_nothing(ada, general):
    first = post(ada, "general", client_id="c1").item

    with CaptureQueriesContext(connection) as captured:
        again = post(ada, "general", client_id="c1")
        room, author = again.item.room, again.item.user

    assert statements(captured) == ["SELECT", "SELECT"]
    assert (again.created, again.item.pk, room, author) == (False, first.pk, general, ada)


def test_post_whose_look_up_missed_the_stored_copy_answers_with_it(
    ada, general, publish, django_capture_on_commit_callbacks
):
    """As when the copy commits on another connection between the look-up and the insert."""
    original = post(ada, "general", client_id="once").item
    real_access = message_services.lookup_room_access

    def before_the_copy(**kwargs):
        return dataclasses.replace(real_access(**kwargs), existing_id=None)

    with (
        mock.patch.object(message_services, "lookup_room_access", side_effect=before_the_copy),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        result = post(ada, "general", client_id="once")

    assert (result.created, result.item.pk, result.item.seq) == (False, original.pk, 2)
    assert (result.item.room, result.item.user) == (general, ada)
    assert callbacks == []
    publish.assert_not_called()
    assert len(messages_in(general)) == 1
    assert Room.objects.get(pk=general.pk).last_seq == 2
