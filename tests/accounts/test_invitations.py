"""Invitations: made by staff, checked, used (counted once per sign-up, never past the limit),
revoked; each dead link refused with its own reason."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from parley.accounts.invitations import (
    InvitationExpired,
    InvitationRevoked,
    InvitationUnknown,
    InvitationUsedUp,
    invitation_check,
    invitation_create,
    invitation_revoke,
    invitation_use,
)
from parley.accounts.models import Invitation, InvitationUse
from parley.core.errors import Forbidden, InvalidInput
from tests.factories import UserFactory
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(username="boss", is_staff=True)


def test_a_made_invitation_is_found_by_its_token_which_is_not_stored(staff):
    invitation, token = invitation_create(by=staff, note="design team")

    assert invitation_check(token) == invitation
    assert token.startswith(f"invite_{invitation.prefix}_")
    assert token not in invitation.digest and len(invitation.digest) == 64
    assert (invitation.max_uses, invitation.uses, invitation.expires_at) == (1, 0, None)


def test_only_staff_make_or_revoke_invitations(staff):
    someone = UserFactory()
    invitation, _ = invitation_create(by=staff)

    with pytest.raises(Forbidden):
        invitation_create(by=someone)
    with pytest.raises(Forbidden):
        invitation_revoke(invitation=invitation, by=someone)
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    "options",
    [
        {"max_uses": 0},
        {"max_uses": 1001},
        {"expires_in": timedelta(0)},
        {"expires_in": timedelta(days=400)},
        {"note": "x" * 101},
        {"note": "two\nlines"},
    ],
)
def test_bad_invitation_settings_are_refused(staff, options):
    with pytest.raises(InvalidInput):
        invitation_create(by=staff, **options)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), id="secret"),
        pytest.param(lambda token: token.replace("invite_", "invite_X", 1), id="prefix"),
        pytest.param(lambda token: token[:-5], id="truncated"),
        pytest.param(lambda token: token + "\n", id="newline"),
        pytest.param(lambda token: "", id="empty"),
        pytest.param(lambda token: "x" * 10_000, id="huge"),
        pytest.param(lambda token: "invite_abcdefghijkl_" + "A" * 43, id="unknown"),
    ],
)
def test_a_forged_or_malformed_token_is_unknown(staff, forge):
    _, token = invitation_create(by=staff)

    with pytest.raises(InvitationUnknown, match="not valid"):
        invitation_check(forge(token))


def test_an_expired_invitation_is_refused_as_expired(staff):
    invitation, token = invitation_create(by=staff, expires_in=timedelta(days=1))
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    with pytest.raises(InvitationExpired, match="expired"):
        invitation_check(token)
    with pytest.raises(InvitationExpired):
        invitation_use(invitation=invitation, user=UserFactory())
    assert not InvitationUse.objects.exists()


def test_a_revoked_invitation_is_refused_as_revoked(staff):
    invitation, token = invitation_create(by=staff, max_uses=5)

    assert invitation_revoke(invitation=invitation, by=staff) is True
    assert invitation_revoke(invitation=invitation, by=staff) is False  # once is enough
    with pytest.raises(InvitationRevoked, match="withdrawn"):
        invitation_check(token)


def test_a_multi_use_invitation_counts_each_use_and_stops_at_its_limit(staff):
    invitation, token = invitation_create(by=staff, max_uses=3)
    people = [UserFactory() for _ in range(3)]

    for person in people:
        invitation_use(invitation=invitation_check(token), user=person)

    invitation.refresh_from_db()
    assert invitation.uses == 3
    assert [use.user for use in invitation.used_by.order_by("pk")] == people
    with pytest.raises(InvitationUsedUp, match="used as many times"):
        invitation_check(token)


def test_a_use_checked_before_the_last_use_was_taken_is_refused(staff):
    # Two sign-ups both passed the check; the conditional update lets only the first count.
    invitation, token = invitation_create(by=staff)
    first, second = invitation_check(token), invitation_check(token)

    invitation_use(invitation=first, user=UserFactory(username="quick"))
    with pytest.raises(InvitationUsedUp):
        invitation_use(invitation=second, user=UserFactory(username="slow"))

    invitation.refresh_from_db()
    assert invitation.uses == 1
    assert [use.user.username for use in invitation.used_by.all()] == ["quick"]


@pytest.mark.django_db(transaction=True)
def test_two_signups_racing_for_the_last_use_cannot_both_win():
    staff = UserFactory(username="boss", is_staff=True)
    invitation, token = invitation_create(by=staff, max_uses=2)
    invitation_use(invitation=invitation, user=UserFactory(username="early"))
    racers = [UserFactory(username=name) for name in ("left", "right")]
    checked = [invitation_check(token) for _ in racers]  # both see one use left

    def sign_up(index):
        def call():
            try:
                with transaction.atomic():
                    invitation_use(invitation=checked[index], user=racers[index])
            except InvitationUsedUp:
                return "refused"
            return "used"

        return call

    results = run_in_threads(sign_up(0), sign_up(1))

    assert sorted(results) == ["refused", "used"]
    invitation.refresh_from_db()
    assert invitation.uses == 2
    assert InvitationUse.objects.filter(invitation=invitation).count() == 2
