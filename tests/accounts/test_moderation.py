"""Staff deactivate an account (parley/accounts/moderation.py): its sockets close with 4403, its
sessions end, its tokens and password stop working, and on request every message it wrote
outside direct rooms is deleted for everyone through the delete service."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from parley.accounts.moderation import user_deactivate, user_reactivate
from parley.accounts.tokens import token_create
from parley.core.errors import Forbidden
from parley.rooms import services
from parley.rooms.models import Item
from parley.wire.codes import CloseCode
from tests.factories import UserFactory, make_room
from tests.support.data import make_room as make_room_async
from tests.support.data import make_user
from tests.support.sessions import browser_session, signed_in_client
from tests.support.socket import connect

PASSWORD = "s3cret-pass-123"  # tests/factories.py


def post(user, room, body: str, client_id: str) -> Item:
    return services.message_post(
        user=user, room_slug=room.slug, body=body, client_id=client_id
    ).item


def sessions_of(user) -> list[str]:
    return [
        session.session_key
        for session in Session.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]


@pytest.fixture
def staff(db):
    return UserFactory(username="mod", is_staff=True)


# -- who may ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_who_is_not_staff_cannot_deactivate_anyone(ada, bob):
    with pytest.raises(Forbidden):
        user_deactivate(user=bob, by=ada)
    bob.refresh_from_db()
    assert bob.is_active


@pytest.mark.django_db
def test_staff_cannot_deactivate_themselves(staff):
    with pytest.raises(Forbidden):
        user_deactivate(user=staff, by=staff)
    staff.refresh_from_db()
    assert staff.is_active


@pytest.mark.django_db
def test_only_a_superuser_deactivates_a_staff_account_or_a_superuser(staff):
    other_staff = UserFactory(is_staff=True)
    root = UserFactory(is_staff=True, is_superuser=True)
    for target in (other_staff, root):
        with pytest.raises(Forbidden):
            user_deactivate(user=target, by=staff)
    assert user_deactivate(user=other_staff, by=root).deactivated
    other_staff.refresh_from_db()
    assert not other_staff.is_active


@pytest.mark.django_db
def test_deactivating_twice_changes_nothing_the_second_time(staff, bob):
    assert user_deactivate(user=bob, by=staff).deactivated
    assert not user_deactivate(user=bob, by=staff).deactivated


# -- what ends -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivation_ends_the_users_sessions_and_their_browser_gets_the_login_page(
    staff, ada, bob
):
    bob_browser, ada_browser = signed_in_client(bob), signed_in_client(ada)
    assert bob_browser.get("/").status_code == 200
    assert len(sessions_of(bob)) == 1

    result = user_deactivate(user=bob, by=staff)

    assert result.sessions_ended == 1
    assert sessions_of(bob) == []
    response = bob_browser.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert ada_browser.get("/").status_code == 200  # nobody else is signed out
    assert len(sessions_of(ada)) == 1


@pytest.mark.django_db
def test_a_deactivated_users_token_gets_401_on_the_api(staff, bob, general_with_bob):
    _, raw = token_create(user=bob, name="script")
    client = Client()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/search?q=abc", headers=headers).status_code == 200

    user_deactivate(user=bob, by=staff)

    response = client.get("/api/v1/search?q=abc", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.django_db
def test_a_deactivated_user_cannot_log_in_until_reactivated(staff, bob):
    user_deactivate(user=bob, by=staff)
    browser = Client()
    refused = browser.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert refused.status_code == 200  # the form again, with its error
    assert browser.get("/").status_code == 302

    assert user_reactivate(user=bob, by=staff)
    signed_in = browser.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert browser.get("/").status_code == 200


# -- deleting all their messages ---------------------------------------------------------------


@pytest.mark.django_db
def test_deleting_all_messages_deletes_each_through_the_service_as_staff(staff, ada, bob):
    general = make_room(ada, slug="general")
    secret = make_room(ada, slug="secret", visibility="private")
    for room in (general, secret):
        services.room_join(user=bob, room=room)
    spam = [post(bob, general, f"spam {n}", f"s{n}") for n in range(3)]
    spam.append(post(bob, secret, "spam in private", "p1"))
    already = post(bob, general, "gone already", "g1")
    services.message_delete(user=bob, room_slug="general", target=already.seq, client_id="own")
    kept = post(ada, general, "ada stays", "a1")

    result = user_deactivate(user=bob, by=staff, delete_messages=True, reason="spam")

    assert (result.messages_deleted, result.messages_failed) == (4, 0)
    for message in spam:
        message.refresh_from_db()
        assert (message.deleted, message.body, message.html) == (True, "", "")
        deletion = Item.objects.get(
            room=message.room, kind=Item.Kind.DELETE, target_seq=message.seq
        )
        assert (deletion.user, deletion.client_id) == (staff, f"mod-del-{message.pk}")
    # The one bob deleted himself was skipped: one deletion only.
    assert Item.objects.filter(kind=Item.Kind.DELETE, target_seq=already.seq).count() == 1
    kept.refresh_from_db()
    assert (kept.deleted, kept.body) == (False, "ada stays")


@pytest.mark.django_db
def test_running_the_deletion_again_stores_nothing_twice(staff, bob, general_with_bob):
    post(bob, general_with_bob, "spam", "s1")
    user_deactivate(user=bob, by=staff, delete_messages=True)
    deletions = Item.objects.filter(kind=Item.Kind.DELETE).count()

    again = user_deactivate(user=bob, by=staff, delete_messages=True)

    assert (again.deactivated, again.messages_deleted) == (False, 0)
    assert Item.objects.filter(kind=Item.Kind.DELETE).count() == deletions


@pytest.mark.django_db
def test_messages_in_direct_rooms_are_kept_and_counted(staff, ada, bob):
    direct = services.direct_room_open(user=bob, usernames=["ada"]).room
    message = post(bob, direct, "hello ada", "d1")

    result = user_deactivate(user=bob, by=staff, delete_messages=True)

    assert (result.messages_deleted, result.direct_messages_kept) == (0, 1)
    message.refresh_from_db()
    assert (message.deleted, message.body) == (False, "hello ada")


# -- through the sockets ---------------------------------------------------------------------


async def _deactivate(user, by, **kwargs):
    return await database_sync_to_async(user_deactivate)(user=user, by=by, **kwargs)


@pytest.mark.django_db(transaction=True)
async def test_deactivation_closes_the_users_open_sockets_with_4403():
    staff = await make_user("mod", is_staff=True)
    bob = await make_user("bob")
    _, raw = await database_sync_to_async(token_create)(user=bob, name="script")
    bearer = [(b"authorization", f"Bearer {raw}".encode())]
    _, cookie = await database_sync_to_async(browser_session)(bob)
    async with (
        connect(cookie=cookie) as browser,
        connect(None, origin=None, headers=bearer) as script,
    ):
        await browser.ping_works()
        await script.ping_works()
        await _deactivate(bob, staff)
        assert await browser.close_code() == CloseCode.SESSION_ENDED == 4403
        assert await script.close_code() == 4403
    # The browser reconnects with its cookie: its session is gone, the socket is anonymous.
    async with connect(cookie=cookie) as again:
        assert await again.close_code() == CloseCode.UNAUTHENTICATED
    async with connect(None, origin=None, headers=bearer, accepted=False):
        pass  # the token is refused at the handshake


@pytest.mark.django_db(transaction=True)
async def test_subscribers_see_each_deletion_live_and_the_text_is_gone():
    staff = await make_user("mod", is_staff=True)
    ada = await make_user("ada")
    bob = await make_user("bob")
    await make_room_async(ada, "general", members=[bob])

    def spam() -> list[int]:
        return [
            services.message_post(
                user=bob, room_slug="general", body=f"spam {n}", client_id=f"s{n}"
            ).item.seq
            for n in range(2)
        ]

    seqs = await database_sync_to_async(spam)()
    async with connect(ada) as watcher:
        await watcher.subscribe("general", after=max(seqs))
        await _deactivate(bob, staff, delete_messages=True)
        deletions = [
            await watcher.wait_for(lambda f: f["type"] == "delete" and f["room"] == "general")
            for _ in seqs
        ]
        assert sorted(frame["target"] for frame in deletions) == seqs
        assert {frame["user"]["username"] for frame in deletions} == {"mod"}
        history = await watcher.request({"type": "history", "room": "general", "before": 99})
    messages = {item["seq"]: item for item in history["items"] if item["type"] == "message"}
    for seq in seqs:
        assert (messages[seq]["body"], messages[seq].get("deleted")) == ("", True)
