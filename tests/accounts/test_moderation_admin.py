"""Moderation in the admin (parley/accounts/admin_moderation.py): the user list's deactivation
actions with their confirmation page, the change page's "Active" box, and the read-only audit
log."""

import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from parley.accounts.avatars import avatar_set
from parley.accounts.models import AuditEntry, Profile
from parley.accounts.moderation import profile_reset, user_deactivate
from parley.accounts.profiles import profile_update
from parley.core.errors import Forbidden
from parley.rooms import services
from parley.rooms.models import Item
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

USERS = "/admin/auth/user/"
AUDIT = "/admin/accounts/auditentry/"


def run_action(client, action: str, users, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [user.pk for user in users], **extra}
    return client.post(USERS, data)


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def change_form_data(user, **changes) -> dict:
    """What the user's change page posts back, unchanged but for `changes` (a checkbox left out
    is unticked)."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "is_active": "on",
    }
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


# -- the actions -----------------------------------------------------------------------------


def test_deactivating_asks_for_confirmation_first_and_changes_nothing_yet(admin_client, bob):
    page = run_action(admin_client, "deactivate_users", [bob])

    assert page.status_code == 200
    html = page.content.decode()
    assert "bob" in html
    assert 'name="reason"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'value="deactivate_users"' in html
    bob.refresh_from_db()
    assert bob.is_active
    assert not AuditEntry.objects.exists()


def test_confirming_deactivates_and_records_the_reason(admin_client, bob):
    response = run_action(
        admin_client, "deactivate_users", [bob], post="yes", reason="posting spam links"
    )

    assert response.status_code == 302
    bob.refresh_from_db()
    assert not bob.is_active
    entry = AuditEntry.objects.get()
    assert (entry.actor.username, entry.action, entry.target_user) == (
        "admin",
        "user_deactivate",
        bob,
    )
    assert entry.detail["reason"] == "posting spam links"
    assert "1 user(s) deactivated; their sockets are closed." in shown(response)


def test_deactivating_with_messages_shows_what_goes_then_deletes_it(
    admin_client, ada, bob, general_with_bob
):
    for n in range(2):
        services.message_post(user=bob, room_slug="general", body=f"spam {n}", client_id=f"s{n}")
    services.message_post(user=ada, room_slug="general", body="ada stays", client_id="a1")

    page = run_action(admin_client, "deactivate_users_and_messages", [bob])
    assert page.status_code == 200
    assert "2 messages to delete" in page.content.decode()

    response = run_action(
        admin_client, "deactivate_users_and_messages", [bob], post="yes", reason="spam"
    )

    assert response.status_code == 302
    left = Item.objects.filter(kind=Item.Kind.MESSAGE, deleted=False)
    assert list(left.values_list("body", flat=True)) == ["ada stays"]
    summary = AuditEntry.objects.get(action="messages_delete_all")
    assert (summary.detail["deleted"], summary.detail["reason"]) == (2, "spam")


def test_a_refused_deactivation_is_shown_and_the_others_go_on(admin_client, ada, bob):
    admin = AuditEntry._meta.apps.get_model("auth", "User").objects.get(username="admin")
    page = run_action(admin_client, "deactivate_users", [admin, bob])
    assert "not possible: You cannot deactivate or reactivate your own account." in (
        page.content.decode()
    )

    response = run_action(admin_client, "deactivate_users", [admin, bob], post="yes")

    admin.refresh_from_db()
    bob.refresh_from_db()
    assert (admin.is_active, bob.is_active) == (True, False)
    assert "admin: You cannot deactivate or reactivate your own account." in shown(response)


def test_reactivating_lets_the_user_in_again(admin_client, bob):
    admin = AuditEntry._meta.apps.get_model("auth", "User").objects.get(username="admin")
    user_deactivate(user=bob, by=admin)

    response = run_action(admin_client, "reactivate_users", [bob])

    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.is_active
    assert AuditEntry.objects.filter(action="user_reactivate", target_user=bob).exists()


def test_staff_without_the_change_permission_do_not_get_the_actions(client, bob):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        AuditEntry._meta.apps.get_model("auth", "Permission").objects.get(codename="view_user")
    )
    client.force_login(viewer)
    page = client.get(USERS)
    assert page.status_code == 200
    assert "deactivate_users" not in page.content.decode()
    run_action(client, "deactivate_users", [bob], post="yes")
    bob.refresh_from_db()
    assert bob.is_active


# -- the change page -------------------------------------------------------------------------


def test_unticking_active_on_the_change_page_deactivates_through_the_service(admin_client, bob):
    response = admin_client.post(f"{USERS}{bob.pk}/change/", change_form_data(bob, is_active=None))

    assert response.status_code == 302, response.content.decode()[:3000]
    bob.refresh_from_db()
    assert not bob.is_active
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_user) == ("user_deactivate", bob)

    admin_client.post(f"{USERS}{bob.pk}/change/", change_form_data(bob))
    bob.refresh_from_db()
    assert bob.is_active
    assert AuditEntry.objects.filter(action="user_reactivate").count() == 1


def test_unticking_your_own_active_box_is_a_form_error(admin_client):
    admin = AuditEntry._meta.apps.get_model("auth", "User").objects.get(username="admin")
    data = change_form_data(admin, is_active=None, is_staff="on", is_superuser="on")

    response = admin_client.post(f"{USERS}{admin.pk}/change/", data)

    assert response.status_code == 200
    assert "You cannot deactivate or reactivate your own account." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert not AuditEntry.objects.exists()


# -- the audit log ---------------------------------------------------------------------------


def test_the_audit_log_lists_entries_and_filters_and_searches_them(admin_client, ada, bob):
    admin = AuditEntry._meta.apps.get_model("auth", "User").objects.get(username="admin")
    user_deactivate(user=bob, by=admin, reason="spam")
    user_deactivate(user=ada, by=admin, reason="other")

    page = admin_client.get(AUDIT)
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert [(row.action, row.target_user.username) for row in rows] == [
        ("user_deactivate", "ada"),
        ("user_deactivate", "bob"),
    ]
    found = admin_client.get(AUDIT, {"q": "bob"}).context["cl"].result_list
    assert [row.target_user.username for row in found] == ["bob"]
    filtered = admin_client.get(AUDIT, {"action": "user_reactivate"}).context["cl"].result_list
    assert list(filtered) == []


def test_the_audit_log_cannot_be_added_to_changed_or_deleted(admin_client, bob):
    admin = AuditEntry._meta.apps.get_model("auth", "User").objects.get(username="admin")
    user_deactivate(user=bob, by=admin, reason="spam")
    entry = AuditEntry.objects.get()

    assert admin_client.get(f"{AUDIT}add/").status_code == 403
    assert admin_client.get(f"{AUDIT}{entry.pk}/delete/").status_code == 403
    view = admin_client.get(f"{AUDIT}{entry.pk}/change/")
    assert view.status_code == 200  # shown, read-only
    assert 'name="_save"' not in view.content.decode()
    changed = admin_client.post(f"{AUDIT}{entry.pk}/change/", {"action": "nothing"})
    assert changed.status_code == 403
    listing = admin_client.get(AUDIT)
    assert "delete_selected" not in listing.content.decode()
    entry.refresh_from_db()
    assert (entry.action, entry.detail["reason"]) == ("user_deactivate", "spam")


# -- clearing a profile -------------------------------------------------------------------------


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_staff_clear_an_offensive_name_status_and_picture_and_it_is_logged(admin_client, bob):
    profile_update(
        user=bob,
        display_name="Rude Name",
        time_zone="Europe/Paris",
        status_emoji="😀",
        status_text="rude status",
    )
    avatar_set(user=bob, upload=SimpleUploadedFile("me.png", _png(), "image/png"))

    response = run_action(admin_client, "reset_profiles", [bob])

    assert response.status_code == 302
    assert "1 profile(s) cleared." in shown(response)
    profile = Profile.objects.get(user=bob)
    assert (profile.display_name, profile.status_emoji, profile.status_text) == ("", "", "")
    assert not profile.avatar
    assert profile.time_zone == "Europe/Paris"
    entry = AuditEntry.objects.get(action="profile_reset")
    assert entry.target_user == bob
    assert entry.detail["display_name"] == "Rude Name"
    assert entry.detail["avatar"] is True
    again = run_action(admin_client, "reset_profiles", [bob])
    assert "0 profile(s) cleared." in shown(again)
    assert AuditEntry.objects.filter(action="profile_reset").count() == 1


def test_only_a_superuser_clears_a_staff_accounts_profile(bob):
    staff = UserFactory(is_staff=True)
    other_staff = UserFactory(is_staff=True)
    profile_update(
        user=other_staff, display_name="Boss", time_zone="", status_emoji="", status_text=""
    )
    with pytest.raises(Forbidden):
        profile_reset(user=other_staff, by=staff)
    with pytest.raises(Forbidden):
        profile_reset(user=staff, by=bob)
    assert Profile.objects.get(user=other_staff).display_name == "Boss"
