"""Whatever ends a session ends its open sockets (4403), and nothing else does.

A socket keeps the user it was opened with (Channels fixes `scope["user"]` at the handshake), so
the server pushes the end of a session to it: log-out, a password change (the page or the
admin), deactivation, deletion; and it closes them when the session expires.
"""

import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.utils import timezone

from parley.wire.codes import CloseCode
from tests.support.data import make_user
from tests.support.sessions import browser_session, cookie_of, session_key_of
from tests.support.socket import connect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "s3cret-pass-123"
NEW_PASSWORD = "an0ther-Long-passphrase"


def change_password_on_the_page(http: HttpClient) -> None:
    response = http.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content


async def test_a_password_change_closes_the_other_sessions_sockets_and_keeps_this_ones():
    ada = await make_user("ada")
    http, this_cookie = await database_sync_to_async(browser_session)(ada)
    _, other_cookie = await database_sync_to_async(browser_session)(ada)

    async with (
        connect(cookie=this_cookie) as this_tab,
        connect(cookie=this_cookie) as this_other_tab,
        connect(cookie=other_cookie) as other_device,
    ):
        await database_sync_to_async(change_password_on_the_page)(http)

        assert await other_device.close_code(within=2) == CloseCode.SESSION_ENDED == 4403
        # Not closed: the end of a session is published at commit, so a close would come
        # before a hub marker published now (and the answer to a ping).
        await this_tab.assert_quiet()
        await this_tab.ping_works()
        await this_other_tab.ping_works()

    # The other session is over for good: its cookie now opens only anonymous sockets...
    async with connect(cookie=other_cookie) as again:
        assert await again.wait_closed() == (CloseCode.UNAUTHENTICATED, [])
    # ...while this browser, whose session key Django renewed, carries on.
    async with connect(cookie=cookie_of(http)) as renewed:
        await renewed.ping_works()


async def test_a_password_set_in_the_admin_closes_every_socket_of_the_user():
    ada = await make_user("ada")
    root = await make_user("root", is_staff=True, is_superuser=True)
    admin, _ = await database_sync_to_async(browser_session)(root)

    def set_password_in_admin():
        response = admin.post(
            f"/admin/auth/user/{ada.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
        assert response.status_code == 302, response.content

    async with connect(ada) as first, connect(ada) as second, connect(root) as staff:
        await database_sync_to_async(set_password_in_admin)()
        assert await first.close_code(within=2) == CloseCode.SESSION_ENDED
        assert await second.close_code(within=2) == CloseCode.SESSION_ENDED
        await staff.ping_works()


async def test_deactivating_a_user_closes_their_sockets():
    ada, bob = await make_user("ada"), await make_user("bob")

    def deactivate():
        user = get_user_model().objects.get(pk=ada.pk)
        user.is_active = False
        user.save()

    async with connect(ada) as client, connect(bob) as other:
        await database_sync_to_async(deactivate)()
        assert await client.close_code(within=2) == CloseCode.SESSION_ENDED
        await other.ping_works()
    async with connect(ada) as again:
        assert await again.wait_closed() == (CloseCode.UNAUTHENTICATED, [])


async def test_deleting_a_user_closes_their_sockets():
    ada = await make_user("ada")
    async with connect(ada) as client:
        await database_sync_to_async(get_user_model().objects.filter(pk=ada.pk).delete)()
        assert await client.close_code(within=2) == CloseCode.SESSION_ENDED


async def test_logging_out_closes_only_that_sessions_sockets():
    ada = await make_user("ada")
    http, cookie = await database_sync_to_async(browser_session)(ada)
    _, other_cookie = await database_sync_to_async(browser_session)(ada)
    async with connect(cookie=cookie) as this_tab, connect(cookie=other_cookie) as other:
        await database_sync_to_async(http.post)("/accounts/logout/")
        assert await this_tab.close_code(within=2) == CloseCode.SESSION_ENDED
        await other.assert_quiet()  # not closed (as above)
        await other.ping_works()


async def test_logging_in_elsewhere_or_saving_the_user_closes_nothing():
    ada = await make_user("ada")

    def log_in_and_rename():
        http = HttpClient()
        response = http.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
        assert response.status_code == 302
        user = get_user_model().objects.get(pk=ada.pk)
        user.first_name = "Ada"
        user.save()

    async with connect(ada) as client:
        await database_sync_to_async(log_in_and_rename)()
        # Nothing was published that closes it: nothing comes before a hub marker published
        # after the log-in and the save, nor before the answer to a ping.
        await client.assert_quiet()
        await client.ping_works()


def test_logging_in_gives_a_new_session_key(db):
    """Session fixation: a key planted before the log-in is not the key after it."""
    from django.contrib.sessions.backends.db import SessionStore

    get_user_model().objects.create_user("ada", password=PASSWORD)
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    http = HttpClient()
    http.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key

    response = http.post("/accounts/login/", {"username": "ada", "password": PASSWORD})

    assert response.status_code == 302
    key = http.cookies[settings.SESSION_COOKIE_NAME].value
    assert key and key != planted.session_key
    assert http.session.get("_auth_user_id")
    assert not SessionStore().exists(planted.session_key)


def test_session_cookies_are_http_only():
    assert settings.SESSION_COOKIE_HTTPONLY is True


def _expire_session(key: str, *, in_seconds: float) -> None:
    expire_date = timezone.now() + timedelta(seconds=in_seconds)
    assert Session.objects.filter(session_key=key).update(expire_date=expire_date) == 1


async def test_a_session_that_expires_closes_its_sockets_within_seconds():
    ada = await make_user("ada")
    _, cookie = await database_sync_to_async(browser_session)(ada)
    _, other_cookie = await database_sync_to_async(browser_session)(ada)
    # Long enough for the handshake on a busy machine to read it unexpired.
    await database_sync_to_async(_expire_session)(session_key_of(cookie), in_seconds=3)

    async with connect(cookie=cookie) as expiring, connect(cookie=other_cookie) as other:
        await expiring.ping_works()  # signed in until then
        # The hub's sweep (PARLEY_SWEEP_SECONDS) finds it past its date.
        sweep = settings.PARLEY["SWEEP_SECONDS"]
        assert await expiring.close_code(within=3 + sweep + 3) == CloseCode.SESSION_ENDED
        await other.ping_works()  # the user's other session carries on
    async with connect(cookie=cookie) as again:
        assert await again.wait_closed() == (CloseCode.UNAUTHENTICATED, [])


async def test_a_session_extended_before_its_date_keeps_its_sockets_open():
    from parley.realtime.hub import get_hub

    ada = await make_user("ada")
    _, cookie = await database_sync_to_async(browser_session)(ada)
    key = session_key_of(cookie)
    await database_sync_to_async(_expire_session)(key, in_seconds=3600)
    async with connect(cookie=cookie) as client:
        hub = await get_hub()
        # An hour on, the date read at the handshake has passed; a page saved the session
        # meanwhile, so the database has a later one.
        hub.clock = lambda: time.time() + 3600
        await database_sync_to_async(_expire_session)(key, in_seconds=7200)
        await hub.end_expired_sessions()
        await client.ping_works()
        assert hub.sessions.due(time.time() + 7199) == []  # the new date is kept
        # Two hours on it has run out in the database too: the socket is closed.
        await database_sync_to_async(_expire_session)(key, in_seconds=-1)
        hub.clock = lambda: time.time() + 7200
        await hub.end_expired_sessions()
        assert await client.close_code(within=2) == CloseCode.SESSION_ENDED
