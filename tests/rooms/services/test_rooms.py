"""room_create: the owner is the first member, names are cleaned, slugs are addresses."""

import json
from unittest import mock

import pytest

from parley.core.errors import InvalidInput
from parley.realtime import broadcast
from parley.rooms import services
from parley.rooms.models import Item, Membership, Room
from parley.rooms.services.rooms import check_room_name, check_room_slug, check_visibility
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create(owner=None, *, name="General", slug="general", **options) -> Room:
    return services.room_create(owner=owner or UserFactory(), name=name, slug=slug, **options)


def test_creator_owns_the_room_and_is_its_first_member():
    ada = UserFactory(username="ada")

    room = create(ada, name="General", slug="general")

    stored = Room.objects.get(slug="general")
    assert stored.pk == room.pk
    assert (stored.name, stored.owner, stored.visibility, stored.staff_only) == (
        "General",
        ada,
        "public",
        False,
    )
    assert list(Membership.objects.filter(room=room).values_list("user__username", flat=True)) == [
        "ada"
    ]
    join = Item.objects.get(room=room)
    assert (join.seq, join.kind, join.user, join.client_id) == (1, "join", ada, None)
    assert stored.last_seq == room.last_seq == 1


def test_private_room_is_created_private():
    room = create(visibility="private")

    assert Room.objects.get(pk=room.pk).visibility == "private"
    assert room.is_private


def test_unknown_visibility_is_refused():
    with pytest.raises(InvalidInput):
        create(visibility="secret")

    assert not Room.objects.exists()


def test_staff_creates_a_staff_only_room():
    room = create(UserFactory(is_staff=True), staff_only=True)

    assert Room.objects.get(pk=room.pk).staff_only is True


def test_non_staff_cannot_create_a_staff_only_room():
    with pytest.raises(InvalidInput):
        create(UserFactory(), staff_only=True)

    assert not Room.objects.exists()
    assert not Item.objects.exists()


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("  Team chat \n", "Team chat"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("\u2067Lobby\u2069", "Lobby"),
        ("\u200fname\u200e\u061c", "name"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFD in, NFC stored
        ("<b>bold</b>", "<b>bold</b>"),  # markup is text; templates escape it
        ("Ελληνικά 😀", "Ελληνικά 😀"),
    ],
)
def test_room_name_is_cleaned(name, stored):
    room = create(name=name)

    assert Room.objects.get(pk=room.pk).name == stored


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "\u202e\u2066 \u2069",
        "x" * 81,
        "x" * 10_000,
        "a\x00b",
        "line\nbreak",
        "tab\there",
    ],
    ids=["empty", "blank", "only-bidi", "81", "10k", "nul", "newline", "tab"],
)
def test_bad_room_name_is_refused(name):
    with pytest.raises(InvalidInput):
        create(name=name)

    assert not Room.objects.exists()


def test_name_of_80_characters_after_cleaning_is_accepted():
    name = "\u202e" + "x" * 80 + "  "

    assert create(name=name).name == "x" * 80


def test_check_room_name_returns_the_cleaned_name():
    assert check_room_name(" \u2066Caf\u0065\u0301\u2069 ") == "Caf\u00e9"


# --- slugs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["a", "general", "team-42", "a-b-c", "0", "x" * 50, "a--b"])
def test_good_slug_is_accepted(slug):
    assert create(slug=slug).slug == slug


@pytest.mark.parametrize(
    "slug",
    [
        "",
        "../etc",
        "..",
        "a/b",
        "/",
        "General",
        "two words",
        "x" * 51,
        "-leading",
        "trailing-",
        "under_score",
        "caf\u00e9",
        "general\n",
        "gen\x00",
        "\uff47eneral",  # fullwidth g
    ],
    ids=lambda slug: repr(slug)[:20],
)
def test_bad_slug_is_refused(slug):
    with pytest.raises(InvalidInput):
        create(slug=slug)

    assert not Room.objects.exists()


def test_duplicate_slug_is_refused():
    first = create(slug="general")

    with pytest.raises(InvalidInput, match="taken"):
        create(name="Another", slug="general")

    assert list(Room.objects.values_list("pk", flat=True)) == [first.pk]
    assert Item.objects.count() == 1


def test_slug_taken_between_check_and_insert_is_refused_cleanly():
    create(slug="general")

    # The existence check passes, as when another request creates the room just after it.
    with (
        mock.patch("parley.rooms.services.rooms.check_room_slug", side_effect=lambda slug: slug),
        pytest.raises(InvalidInput, match="taken"),
    ):
        create(name="Second", slug="general")

    assert Room.objects.count() == 1
    assert Membership.objects.count() == 1


def test_check_room_slug_is_the_forms_rule():
    assert check_room_slug("free") == "free"
    create(slug="taken")
    with pytest.raises(InvalidInput):
        check_room_slug("taken")


def test_check_visibility():
    assert check_visibility("public") == "public"
    assert check_visibility("private") == "private"
    with pytest.raises(InvalidInput):
        check_visibility("Public")


# --- broadcasting --------------------------------------------------------------------------


def test_room_create_publishes_the_join_once_after_commit(django_capture_on_commit_callbacks):
    ada = UserFactory(username="ada")

    with mock.patch.object(broadcast, "publish_from_sync") as publish:
        with django_capture_on_commit_callbacks() as callbacks:
            room = create(ada, slug="general")
        assert len(callbacks) == 1
        publish.assert_not_called()  # registered for after the commit, not sent from inside it
        callbacks[0]()
    publish.assert_called_once()
    group, message = publish.call_args.args
    assert group == f"parley.room.{room.pk}"
    assert (message["type"], message["seq"], message["revoke"]) == ("room.item", 1, None)
    frame = json.loads(message["frame"])
    assert (frame["type"], frame["kind"], frame["seq"]) == ("event", "join", 1)
    assert (frame["room"], frame["user"]) == ("general", {"username": "ada"})


def test_refused_room_create_publishes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidInput):
        create(slug="Bad Slug")

    assert callbacks == []
