"""`/staff/invitations/`: staff make a link (shown once), see who used it, revoke it."""

import re

import pytest
from django.test import Client

from parley.accounts.invitations import invitation_check, invitation_create, invitation_use
from parley.accounts.models import Invitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/staff/invitations/"
LINK_RE = re.compile(
    r"http://testserver/accounts/signup/\?invite=(invite_[A-Za-z0-9]{12}_[\w-]{43})"
)


@pytest.fixture
def staff(db):
    return UserFactory(username="boss", is_staff=True)


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_people_who_are_not_staff_do_not_find_the_page(ada_client, ada, staff):
    invitation, _ = invitation_create(by=staff)

    assert ada_client.get(URL).status_code == 404
    assert ada_client.post(URL, {"max_uses": 1}).status_code == 404
    assert ada_client.post(f"{URL}{invitation.pk}/revoke/").status_code == 404
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().revoked_at is None
    assert "Invitations</a>" not in ada_client.get("/").text
    assert Client().get(URL).status_code == 302  # anonymous: the login page


def test_a_made_link_is_shown_once_and_works(staff_client):
    made = staff_client.post(URL, {"note": "design team", "max_uses": 3, "expires_in_days": 7})

    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    [token] = LINK_RE.findall(made.text)
    assert "shown only this once" in made.text
    invitation = invitation_check(token)
    assert (invitation.note, invitation.max_uses) == ("design team", 3)
    assert invitation.expires_at is not None
    again = staff_client.get(URL)
    assert LINK_RE.findall(again.text) == []
    assert token.rsplit("_", 1)[1] not in again.text
    assert "design team" in again.text and "used 0 of 3" in again.text
    assert "Invitations</a>" in staff_client.get("/").text  # the user menu's link


def test_a_link_without_expiry_and_bad_counts(staff_client):
    never = staff_client.post(URL, {"max_uses": 1, "expires_in_days": ""})
    refused = staff_client.post(URL, {"max_uses": 0})

    assert never.status_code == 200 and LINK_RE.findall(never.text)
    assert Invitation.objects.get().expires_at is None
    assert refused.status_code == 400 and LINK_RE.findall(refused.text) == []
    assert Invitation.objects.count() == 1


def test_the_list_shows_who_used_an_invitation(staff_client, staff):
    invitation, token = invitation_create(by=staff, note="interns", max_uses=2)
    invitation_use(invitation=invitation, user=UserFactory(username="grace"))

    page = staff_client.get(URL).text

    assert "interns" in page
    assert "Made by boss" in page
    assert "used 1 of 2" in page
    assert "Used by grace" in page


def test_revoking_stops_the_link_and_the_page_says_so(staff_client, staff, settings):
    settings.PARLEY_SIGNUP = "invite"
    invitation, token = invitation_create(by=staff, note="old link")

    response = staff_client.post(f"{URL}{invitation.pk}/revoke/", follow=True)

    assert response.status_code == 200
    assert "revoked: its link no longer works" in response.text
    assert "Revoked</span>" in response.text
    assert Client().get(f"/accounts/signup/?invite={token}").status_code == 403
    assert staff_client.get(f"{URL}{invitation.pk}/revoke/").status_code == 405
    assert staff_client.post(f"{URL}999999/revoke/").status_code == 404


def test_revoking_needs_the_csrf_token(staff):
    invitation, _ = invitation_create(by=staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    assert client.post(f"{URL}{invitation.pk}/revoke/").status_code == 403
    assert Invitation.objects.get().revoked_at is None
