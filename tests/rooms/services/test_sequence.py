"""The room sequence: every item gets the room's next seq, 1, 2, 3, … with no gap and no repeat."""

from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from parley.core.errors import InvalidInput, NotAMember
from parley.realtime import broadcast
from parley.rooms import services
from parley.rooms.models import Item, Room
from parley.rooms.services import writes as message_services
from parley.rooms.services.sequence import item_append, next_seq
from tests.factories import UserFactory, make_room
from tests.support.threads import run_in_threads


def timeline(room: Room) -> list[tuple[int, str, str]]:
    return [
        (item.seq, item.kind, item.user.username)
        for item in Item.objects.filter(room=room).select_related("user").order_by("seq")
    ]


def stored_last_seq(room: Room) -> int:
    return Room.objects.values_list("last_seq", flat=True).get(pk=room.pk)


def post(user, room: Room, client_id: str, body: str = "hello"):
    return services.message_post(user=user, room_slug=room.slug, body=body, client_id=client_id)


@pytest.mark.django_db(transaction=True)
def test_next_seq_refuses_to_run_outside_a_transaction():
    room = make_room(UserFactory(), slug="general")

    with pytest.raises(RuntimeError, match="inside a transaction"):
        next_seq(room.pk)

    assert stored_last_seq(room) == 1


@pytest.mark.django_db(transaction=True)
def test_item_append_refuses_to_run_outside_a_transaction():
    ada = UserFactory()
    room = make_room(ada, slug="general")

    with pytest.raises(RuntimeError):
        item_append(room=room, kind=Item.Kind.MESSAGE, user=ada, body="hi", client_id="c1")

    assert Item.objects.filter(room=room).count() == 1
    assert stored_last_seq(room) == 1


@pytest.mark.django_db
def test_next_seq_reserves_the_following_numbers():
    room = make_room(UserFactory(), slug="general")

    with transaction.atomic():
        reserved = [next_seq(room.pk), next_seq(room.pk)]

    assert reserved == [2, 3]
    assert stored_last_seq(room) == 3


@pytest.mark.django_db
def test_next_seq_of_a_deleted_room_raises_does_not_exist():
    room = make_room(UserFactory(), slug="general")
    room_id = room.pk
    room.delete()

    with pytest.raises(Room.DoesNotExist), transaction.atomic():
        next_seq(room_id)


@pytest.mark.django_db
def test_messages_and_membership_events_share_one_gapless_sequence():
    ada = UserFactory(username="ada")
    bob = UserFactory(username="bob")
    room = make_room(ada, slug="general")

    services.room_join(user=bob, room=room)
    post(ada, room, "a1")
    post(bob, room, "b1")
    services.room_leave(user=bob, room=room)
    post(ada, room, "a2")

    assert timeline(room) == [
        (1, "join", "ada"),
        (2, "join", "bob"),
        (3, "message", "ada"),
        (4, "message", "bob"),
        (5, "leave", "bob"),
        (6, "message", "ada"),
    ]
    assert stored_last_seq(room) == 6


@pytest.mark.django_db
def test_item_append_keeps_the_room_object_in_step():
    ada = UserFactory()
    room = make_room(ada, slug="general")
    assert room.last_seq == 1

    with transaction.atomic():
        item = item_append(room=room, kind=Item.Kind.MESSAGE, user=ada, body="hi", client_id="c")

    assert item.seq == room.last_seq == stored_last_seq(room) == 2


@pytest.mark.django_db
def test_refused_posts_take_no_number():
    ada = UserFactory()
    outsider = UserFactory()
    room = make_room(ada, slug="general")

    with pytest.raises(InvalidInput):
        post(ada, room, "c1", body="   ")
    with pytest.raises(InvalidInput):
        post(ada, room, "c2", body="x" * 4001)
    with pytest.raises(NotAMember):
        post(outsider, room, "c3")

    assert stored_last_seq(room) == 1
    assert post(ada, room, "c4").item.seq == 2
    assert [seq for seq, _, _ in timeline(room)] == [1, 2]


@pytest.mark.django_db
def test_a_rolled_back_savepoint_gives_its_number_back():
    ada = UserFactory()
    room = make_room(ada, slug="general")
    post(ada, room, "dup")

    # The unique client_id refuses the row after the counter was bumped in the same savepoint.
    with pytest.raises(IntegrityError), transaction.atomic():
        item_append(room=room, kind=Item.Kind.MESSAGE, user=ada, body="again", client_id="dup")

    assert stored_last_seq(room) == 2
    assert post(ada, room, "next").item.seq == 3
    assert [seq for seq, _, _ in timeline(room)] == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_gives_its_number_back():
    ada = UserFactory()
    room = make_room(ada, slug="general")

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        item_append(room=room, kind=Item.Kind.MESSAGE, user=ada, body="lost", client_id="c1")
        1 / 0  # noqa: B018

    assert stored_last_seq(room) == 1
    assert not Item.objects.filter(room=room, client_id="c1").exists()
    assert post(ada, room, "c2").item.seq == 2


@pytest.mark.django_db
def test_a_post_that_loses_the_client_id_race_leaves_no_gap():
    ada = UserFactory()
    room = make_room(ada, slug="general")
    original = post(ada, room, "c1").item
    real_existing = message_services._existing
    lookups = []

    def existing_after_a_race(**kwargs):
        # The first lookup misses, as when another connection commits the same client_id
        # just after it; the insert then meets the unique constraint.
        lookups.append(kwargs)
        return None if len(lookups) == 1 else real_existing(**kwargs)

    with mock.patch.object(message_services, "_existing", side_effect=existing_after_a_race):
        retry = post(ada, room, "c1", body="retry")

    assert len(lookups) == 2
    assert retry.created is False
    assert retry.item.pk == original.pk
    assert stored_last_seq(room) == 2
    assert post(ada, room, "c2").item.seq == 3
    assert [seq for seq, _, _ in timeline(room)] == [1, 2, 3]


@pytest.mark.django_db
def test_rooms_count_their_own_sequences():
    ada = UserFactory()
    first = make_room(ada, slug="first")
    second = make_room(ada, slug="second")

    seqs = [
        post(ada, first, "f1").item.seq,
        post(ada, second, "s1").item.seq,
        post(ada, first, "f2").item.seq,
        post(ada, first, "f3").item.seq,
        post(ada, second, "s2").item.seq,
    ]

    assert seqs == [2, 2, 3, 4, 3]
    assert (stored_last_seq(first), stored_last_seq(second)) == (4, 3)


THREADS = 8
POSTS_PER_THREAD = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_posters_get_every_seq_exactly_once(tmp_path):
    users = [UserFactory() for _ in range(THREADS)]
    room = make_room(users[0], slug="busy")
    for user in users[1:]:
        services.room_join(user=user, room=room)
    first_post_seq = THREADS + 1

    def poster(user, index):
        def run():
            seqs = []
            for n in range(POSTS_PER_THREAD):
                result = post(user, room, f"t{index}-{n}", body=f"{index}/{n}")
                assert result.created
                seqs.append(result.item.seq)
            return seqs

        return run

    # The channel layer is not under test here; every commit must still announce its item once.
    with mock.patch.object(broadcast, "publish_from_sync") as publish:
        per_thread = run_in_threads(*(poster(user, i) for i, user in enumerate(users)))

    total = THREADS + THREADS * POSTS_PER_THREAD
    stored = list(Item.objects.filter(room=room).order_by("seq").values_list("seq", flat=True))
    assert stored == list(range(1, total + 1))
    assert stored_last_seq(room) == total
    acked = sorted(seq for seqs in per_thread for seq in seqs)
    assert acked == list(range(first_post_seq, total + 1))
    # One connection's posts commit one after another, so its own seqs only grow.
    assert all(seqs == sorted(seqs) for seqs in per_thread)
    assert Item.objects.filter(room=room, kind=Item.Kind.MESSAGE).count() == (
        THREADS * POSTS_PER_THREAD
    )
    published = sorted(call.args[1]["seq"] for call in publish.call_args_list)
    assert published == acked
