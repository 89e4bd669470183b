"""A person's profile on the socket (issues 21/22): a change of display name, status, picture or
"do not disturb" reaches the subscribers of every room the person is in as a `profile` frame (and
nobody else); `subscribed` lists each member with what a member list shows of them, right again
after a change; and `subscribed` says when the room is read-only or archived."""

import io
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from parley.accounts.avatars import avatar_clear, avatar_set
from parley.accounts.notification_prefs import dnd_set
from parley.accounts.profiles import profile_update
from parley.realtime.member_lists import MemberLists
from parley.realtime.presence import Status
from parley.rooms import services
from parley.rooms.models import Room
from parley.rooms.selectors import MemberProfile
from parley.wire import frames
from tests.support.data import make_room, make_user
from tests.support.socket import connect

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def describe(user, *, display_name="", status_emoji="", status_text="") -> None:
    profile_update(
        user=user,
        display_name=display_name,
        time_zone="",
        status_emoji=status_emoji,
        status_text=status_text,
    )


@sync_to_async
def do_not_disturb(user, until: datetime | None) -> None:
    dnd_set(user=user, until=until, now=datetime.now(UTC))


@sync_to_async
def picture(user) -> None:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (1, 2, 3)).save(out, format="PNG")
    avatar_set(user=user, upload=SimpleUploadedFile("p.png", out.getvalue()))


@sync_to_async
def change_room(service: str, actor, **fields) -> None:
    getattr(services, service)(actor=actor, room=Room.objects.get(slug="general"), **fields)


def is_profile(frame: dict) -> bool:
    return frame["type"] == "profile"


def by_name(reply: dict) -> dict[str, dict]:
    return {member["username"]: member for member in reply["members"]}


async def test_a_profile_change_reaches_a_shared_room_and_not_an_unrelated_one(
    ada, bob, general_with_bob
):
    carol = await make_user("carol")
    await make_room(carol, "elsewhere")
    async with connect(ada) as mate, connect(carol) as stranger:
        await mate.subscribe("general")
        await stranger.subscribe("elsewhere")
        await describe(bob, display_name="Bob Builder", status_emoji="🚧", status_text="busy")
        frame = await mate.wait_for(is_profile)
        assert frame == {
            "type": "profile",
            "user": {
                "username": "bob",
                "display_name": "Bob Builder",
                "status": {"emoji": "🚧", "text": "busy"},
            },
        }
        await stranger.assert_quiet()


async def test_a_direct_room_hears_its_participants_changes(ada, bob):
    async with connect(ada) as reader:
        direct = await reader.request({"type": "dm", "users": ["bob"]})
        await reader.subscribe(direct["room"])
        await describe(bob, display_name="Robert")
        assert (await reader.wait_for(is_profile))["user"] == {
            "username": "bob",
            "display_name": "Robert",
        }


async def test_do_not_disturb_and_the_picture_show_in_the_frame_and_clearing_removes_them(
    ada, bob, general_with_bob
):
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    async with connect(ada) as reader:
        await reader.subscribe("general")
        await do_not_disturb(bob, until)
        user = (await reader.wait_for(is_profile))["user"]
        assert user == {"username": "bob", "dnd_until": frames.format_ts(until)}

        await picture(bob)
        user = (await reader.wait_for(is_profile))["user"]
        assert user["avatar"].startswith(f"/avatars/{bob.pk}/")

        await do_not_disturb(bob, None)
        await sync_to_async(avatar_clear)(user=bob)
        await reader.wait_for(is_profile)  # do not disturb ended
        assert (await reader.wait_for(is_profile))["user"] == {"username": "bob"}


async def test_subscribed_lists_display_name_status_and_do_not_disturb_of_members(
    ada, bob, general_with_bob
):
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    await describe(bob, display_name="Bob Builder", status_text="on a roof")
    await do_not_disturb(bob, until)
    async with connect(ada) as reader:
        members = by_name(await reader.subscribe("general"))
    assert members["bob"] == {
        "username": "bob",
        "online": False,
        "idle": False,
        "display_name": "Bob Builder",
        "status": {"emoji": "", "text": "on a roof"},
        "dnd_until": frames.format_ts(until),
    }
    # Nothing set: the entry is as it always was.
    assert members["ada"] == {"username": "ada", "online": True, "idle": False}


async def test_the_member_list_kept_for_a_room_is_built_again_after_a_change(
    ada, bob, general_with_bob
):
    async with connect(ada) as reader:
        first = await reader.subscribe("general")
        assert "display_name" not in by_name(first)["bob"]
        assert (await reader.subscribe("general"))["members"] == first["members"]  # kept
        await describe(bob, display_name="Bob Builder")
        await reader.wait_for(is_profile)
        assert by_name(await reader.subscribe("general"))["bob"]["display_name"] == "Bob Builder"


async def test_subscribed_says_when_the_room_is_read_only_or_archived(ada, bob, general_with_bob):
    async with connect(bob) as reader:
        plain = await reader.subscribe("general")
        assert "read_only" not in plain and "archived" not in plain
        await change_room("room_read_only_set", ada, on=True)
        read_only = await reader.subscribe("general")
        assert read_only["read_only"] is True and "archived" not in read_only
        await change_room("room_archive", ada, archived=True)
        assert (await reader.subscribe("general"))["archived"] is True


# -- the kept lists (member_lists.py) -----------------------------------------------------------

V1 = (1, datetime(2026, 1, 1, tzinfo=UTC))


def decoded(fragment) -> list[dict]:
    return orjson.loads(orjson.dumps(fragment))


def test_a_kept_list_goes_stale_when_a_do_not_disturb_in_it_ends(monkeypatch):
    lists = MemberLists()
    now = datetime.now(UTC)
    ends = now + timedelta(minutes=5)
    profiles = {"ada": MemberProfile("", "", "", ends)}
    built = lists.encoded(V1, 5, ["ada"], [Status.OFFLINE], epoch=1, profiles=profiles)
    assert decoded(built)[0]["dnd_until"] == frames.format_ts(ends)
    assert lists.current(V1, 5, 1) is built
    monkeypatch.setattr("parley.realtime.member_lists._now", lambda: ends + timedelta(seconds=1))
    assert lists.current(V1, 5, 1) is None
    assert lists.profiles(V1, 5) is None  # read again


def test_profiles_read_across_a_change_serve_once_and_are_not_kept():
    lists = MemberLists()
    since = lists.mark(1)
    lists.forget(1)  # a member's change arrived while the profiles were read
    old = {"ada": MemberProfile("Ada", "", "", None)}
    built = lists.encoded(V1, 5, ["ada"], [Status.OFFLINE], profiles=old, since=since)
    assert decoded(built)[0]["display_name"] == "Ada"
    assert lists.profiles(V1, 5) is None
    kept = lists.encoded(V1, 5, ["ada"], [Status.OFFLINE], profiles={}, since=lists.mark(1))
    assert lists.profiles(V1, 5) == {}
    # Another status: built again from the profiles kept, without reading them.
    again = lists.encoded(V1, 5, ["ada"], [Status.ACTIVE])
    assert again is not kept and decoded(again) == [
        {"username": "ada", "online": True, "idle": False}
    ]
