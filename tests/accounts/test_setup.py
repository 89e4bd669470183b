"""First run: the set-up page makes the first account (staff and superuser), names the server
and makes #general, which every new account then joins."""

import threading
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from parley.accounts.bots import bot_create
from parley.accounts.invitations import invitation_create
from parley.accounts.models import SiteSettings
from parley.rooms.models import Item, Membership, Room
from parley.web import setup as setup_view
from tests.factories import UserFactory, make_room
from tests.support.threads import run_in_threads

PASSWORD = "s3cret-pass-123"
User = get_user_model()


def setup_data(**overrides):
    data = {
        "site_name": "Acme Chat",
        "username": "founder",
        "email": "founder@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def signed_in_username(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return None if user_id is None else User.objects.get(pk=user_id).username


def joined(user, room) -> bool:
    return (
        Membership.objects.filter(room=room, user=user).exists()
        and Item.objects.filter(room=room, user=user, kind=Item.Kind.JOIN).count() == 1
    )


@pytest.mark.django_db
def test_on_an_empty_server_the_login_page_leads_to_the_setup_page(client):
    home = client.get("/")
    login = client.get("/accounts/login/")

    assert home.status_code == 302
    assert home["Location"] == "/accounts/login/?next=/"
    assert login.status_code == 200
    assert 'href="/setup/"' in login.text
    assert "This server has no accounts yet" in login.text
    setup = client.get("/setup/")
    assert setup.status_code == 200
    assert 'name="site_name"' in setup.text
    assert 'name="password2"' in setup.text


@pytest.mark.django_db
def test_setup_makes_the_administrator_names_the_server_and_makes_general(client):
    response = client.post("/setup/", setup_data())

    assert response.status_code == 302
    assert response["Location"] == "/"
    founder = User.objects.get(username="founder")
    assert founder.is_staff and founder.is_superuser
    assert founder.email == "founder@example.com"
    assert signed_in_username(client) == "founder"
    site = SiteSettings.objects.get(pk=1)
    assert site.name == "Acme Chat" and site.set_up_at is not None
    general = Room.objects.get(slug="general")
    assert (general.name, general.visibility, general.auto_join) == ("General", "public", True)
    assert general.owner == founder
    assert joined(founder, general)
    home = client.get("/")
    assert "<title>" in home.text and "· Acme Chat</title>" in home.text
    assert "Acme Chat</a>" in home.text  # the header's brand


@pytest.mark.django_db
def test_the_first_accounts_email_gets_its_verification_link(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PARLEY_SITE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/setup/", setup_data())
    [mail] = mailoutbox
    assert mail.to == ["founder@example.com"]
    assert "http://testserver/settings/notifications/verify/" in mail.body


@pytest.mark.django_db
def test_setup_refuses_bad_input_with_the_signup_rules(client):
    response = client.post("/setup/", setup_data(password2="different-1234", site_name=" "))

    assert response.status_code == 200
    assert "didn\u2019t match" in response.text
    assert "This field is required." in response.text or "needs a name" in response.text
    assert not User.objects.exists()
    assert not Room.objects.exists()


@pytest.mark.django_db
def test_setup_is_gone_once_any_account_exists(client):
    UserFactory(username="someone")

    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", setup_data()).status_code == 404
    assert not User.objects.filter(username="founder").exists()
    assert "/setup/" not in client.get("/accounts/login/").text


@pytest.mark.django_db
def test_setup_keeps_an_existing_general_room():
    # A server whose only user was deleted keeps its rooms; nothing is made twice.
    gone = UserFactory(username="gone")
    kept = make_room(gone, slug="general", name="Old general")
    User.objects.filter(pk=gone.pk).delete()
    client = Client()

    assert client.post("/setup/", setup_data()).status_code == 302
    assert Room.objects.filter(slug="general").count() == 1
    kept.refresh_from_db()
    assert kept.name == "Old general" and not kept.auto_join


@pytest.mark.django_db
def test_signup_on_an_empty_server_never_makes_staff(client):
    response = client.post(
        "/accounts/signup/", {"username": "early", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    early = User.objects.get(username="early")
    assert not early.is_staff and not early.is_superuser
    assert client.get("/setup/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_setup_submissions_at_once_make_one_superuser():
    # Both pass the page's "no account yet" check before either writes; the lock in the
    # service then lets one through and refuses the other.
    both_checked = threading.Barrier(2, timeout=30)
    real = setup_view.site_set_up

    def after_both_checked(**kwargs):
        both_checked.wait()
        return real(**kwargs)

    def submit(username):
        return lambda: Client().post("/setup/", setup_data(username=username)).status_code

    with mock.patch.object(setup_view, "site_set_up", after_both_checked):
        statuses = run_in_threads(submit("first"), submit("second"))

    assert sorted(statuses) == [302, 404]
    assert User.objects.count() == 1
    assert User.objects.filter(is_superuser=True).count() == 1
    assert Room.objects.filter(slug="general").count() == 1


@pytest.mark.django_db
def test_a_new_account_joins_general_with_a_join_event(client):
    Client().post("/setup/", setup_data())
    general = Room.objects.get(slug="general")

    response = client.post(
        "/accounts/signup/", {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert joined(newcomer, general)
    assert "General" in client.get("/").text
    # Leaving is allowed.
    assert client.post("/rooms/general/leave/").status_code in (302, 303)
    assert not Membership.objects.filter(room=general, user=newcomer).exists()


@pytest.fixture
def auto_join_rooms(db):
    """#general for everyone and a staff-only room, both auto-join, made by the founder."""
    founder = UserFactory(username="founder", is_staff=True, is_superuser=True)
    rooms = []
    for slug, staff_only in (("general", False), ("staff-news", True)):
        room = make_room(founder, slug=slug, staff_only=staff_only)
        room.auto_join = True
        room.save(update_fields=["auto_join"])
        rooms.append(room)
    return founder, *rooms


def test_an_account_added_in_the_admin_joins_the_rooms_it_may(auto_join_rooms):
    founder, general, staff_only = auto_join_rooms
    admin = Client()
    admin.force_login(founder)

    added = admin.post(
        "/admin/auth/user/add/",
        {"username": "hired", "password1": PASSWORD, "password2": PASSWORD,
         "usable_password": "true"},
    )  # fmt: skip

    assert added.status_code == 302
    hired = User.objects.get(username="hired")
    assert joined(hired, general)
    assert not Membership.objects.filter(room=staff_only, user=hired).exists()


def test_createsuperuser_joins_the_auto_join_rooms_and_a_bot_joins_none(auto_join_rooms):
    founder, general, staff_only = auto_join_rooms

    call_command(
        "createsuperuser",
        interactive=False,
        username="operator",
        email="op@example.com",
        stdout=StringIO(),
    )
    bot = bot_create(username="echo-bot", owner=founder)

    operator = User.objects.get(username="operator")
    assert operator.is_superuser
    assert joined(operator, general) and joined(operator, staff_only)
    assert not Membership.objects.filter(user=bot).exists()


@pytest.mark.django_db
def test_staff_rename_the_server_in_the_admin_and_see_invitations_read_only(client):
    client.post("/setup/", setup_data())
    invitation, _ = invitation_create(by=User.objects.get(), note="for the admin list")

    renamed = client.post("/admin/accounts/sitesettings/1/change/", {"name": "Renamed"})
    blank = client.post("/admin/accounts/sitesettings/1/change/", {"name": "  "})
    listed = client.get("/admin/accounts/invitation/")
    opened = client.get(f"/admin/accounts/invitation/{invitation.pk}/change/")

    assert renamed.status_code == 302
    assert blank.status_code == 200
    assert SiteSettings.objects.get(pk=1).name == "Renamed"
    assert "· Renamed</title>" in client.get("/").text
    assert listed.status_code == 200 and "for the admin list" in listed.text
    assert opened.status_code == 200 and 'name="note"' not in opened.text
    assert client.get("/admin/accounts/invitation/add/").status_code == 403
