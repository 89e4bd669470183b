"""PARLEY_SIGNUP: `open` (anyone), `invite` (an invitation link only), `closed` (nobody)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from parley.accounts.invitations import invitation_create
from parley.accounts.models import Invitation
from parley.rooms.models import Item, Membership
from tests.factories import UserFactory, make_room

pytestmark = pytest.mark.django_db

PASSWORD = "s3cret-pass-123"
User = get_user_model()


def signup_data(username="newcomer", **extra):
    return {"username": username, "password1": PASSWORD, "password2": PASSWORD, **extra}


@pytest.fixture
def staff(db):
    return UserFactory(username="boss", is_staff=True)


@pytest.fixture
def invite_mode(settings):
    settings.PARLEY_SIGNUP = "invite"


@pytest.fixture
def closed_mode(settings):
    settings.PARLEY_SIGNUP = "closed"


def test_open_signup_takes_an_optional_email_and_never_makes_staff(client):
    page = client.get("/accounts/signup/")
    response = client.post("/accounts/signup/", signup_data(email="new@example.com"))

    assert page.status_code == 200
    for field in ("username", "email", "password1", "password2"):
        assert f'name="{field}"' in page.text
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.email == "new@example.com"
    assert not newcomer.is_staff and not newcomer.is_superuser


def test_open_signup_refuses_a_bad_email_with_the_form_again(client):
    response = client.post("/accounts/signup/", signup_data(email="not an address"))

    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert not User.objects.filter(username="newcomer").exists()


def test_open_signup_joins_the_auto_join_rooms(client, staff):
    general = make_room(staff, slug="general")
    general.auto_join = True
    general.save(update_fields=["auto_join"])
    make_room(staff, slug="elsewhere")

    client.post("/accounts/signup/", signup_data())

    newcomer = User.objects.get(username="newcomer")
    assert list(Membership.objects.filter(user=newcomer).values_list("room__slug", flat=True)) == [
        "general"
    ]
    assert Item.objects.filter(room=general, user=newcomer, kind=Item.Kind.JOIN).exists()


def test_invite_mode_without_an_invitation_says_one_is_needed(client, invite_mode):
    page = client.get("/accounts/signup/")
    posted = client.post("/accounts/signup/", signup_data())

    assert page.status_code == posted.status_code == 403
    assert "Sign-up needs an invitation" in page.text
    assert 'name="password1"' not in page.text
    assert not User.objects.filter(username="newcomer").exists()
    assert "Create an account" not in client.get("/accounts/login/").text


def test_invite_mode_signs_up_through_a_link_and_records_the_use(client, invite_mode, staff):
    invitation, token = invitation_create(by=staff, note="design team")

    page = client.get(f"/accounts/signup/?invite={token}")
    hidden = re.search(r'<input type="hidden" name="invite" value="([^"]+)">', page.text)
    response = client.post("/accounts/signup/", signup_data(invite=hidden.group(1)))

    assert page.status_code == 200
    assert "You were invited by" in page.text
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_staff
    invitation.refresh_from_db()
    assert invitation.uses == 1
    assert [use.user for use in invitation.used_by.all()] == [newcomer]


def test_invite_mode_keeps_the_invitation_when_the_form_is_refused(client, invite_mode, staff):
    invitation, token = invitation_create(by=staff)

    response = client.post("/accounts/signup/", signup_data(invite=token, password2="nope-1234"))

    assert response.status_code == 200
    assert f'name="invite" value="{token}"' in response.text
    invitation.refresh_from_db()
    assert invitation.uses == 0


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        pytest.param(lambda inv: inv.__class__.objects.filter(pk=inv.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)), "expired", id="expired"),
        pytest.param(lambda inv: inv.__class__.objects.filter(pk=inv.pk).update(uses=1),
                     "used as many times", id="used-up"),
        pytest.param(lambda inv: inv.__class__.objects.filter(pk=inv.pk).update(
            revoked_at=timezone.now()), "withdrawn", id="revoked"),
    ],
)  # fmt: skip
def test_invite_mode_refuses_a_dead_link_and_says_why(client, invite_mode, staff, spoil, message):
    invitation, token = invitation_create(by=staff, expires_in=timedelta(days=7))
    spoil(invitation)

    page = client.get(f"/accounts/signup/?invite={token}")
    posted = client.post("/accounts/signup/", signup_data(invite=token))

    assert page.status_code == posted.status_code == 403
    assert message in page.text
    assert 'name="password1"' not in page.text
    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize("token", ["garbage", "invite_abcdefghijkl_" + "A" * 43])
def test_invite_mode_refuses_a_forged_link(client, invite_mode, staff, token):
    invitation_create(by=staff)

    page = client.get(f"/accounts/signup/?invite={token}")

    assert page.status_code == 403
    assert "not valid" in page.text


def test_a_link_used_up_between_the_form_and_its_post_makes_no_account(client, invite_mode, staff):
    invitation, token = invitation_create(by=staff)
    client.get(f"/accounts/signup/?invite={token}")
    Invitation.objects.filter(pk=invitation.pk).update(uses=1)  # someone else took it

    response = client.post("/accounts/signup/", signup_data(invite=token))

    assert response.status_code == 403
    assert not User.objects.filter(username="newcomer").exists()


def test_closed_mode_refuses_everyone_even_with_an_invitation(client, closed_mode, staff):
    _, token = invitation_create(by=staff)

    page = client.get("/accounts/signup/")
    with_link = client.get(f"/accounts/signup/?invite={token}")
    posted = client.post("/accounts/signup/", signup_data(invite=token))

    assert page.status_code == with_link.status_code == posted.status_code == 403
    assert "Sign-up is closed" in page.text
    assert not User.objects.filter(username="newcomer").exists()


def test_an_unknown_mode_is_closed(client, settings):
    settings.PARLEY_SIGNUP = "opne"

    assert client.get("/accounts/signup/").status_code == 403


def test_the_header_offers_sign_up_only_when_anyone_may(client, settings):
    settings.PARLEY_SIGNUP = "open"
    assert 'href="/accounts/signup/"' in client.get("/accounts/login/").content.decode()

    for mode in ("invite", "closed"):
        settings.PARLEY_SIGNUP = mode
        page = client.get("/accounts/login/").content.decode()
        assert 'href="/accounts/signup/"' not in page, mode
