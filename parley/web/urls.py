from django.urls import path

from parley.web import files, profile, pwa, tokens, views
from parley.web import invitations as staff_invitations
from parley.web import setup as first_run
from parley.web.export import room_export_view

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("emoji.json", views.emoji_list, name="emoji_list"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("rooms/new/", views.room_create, name="room_create"),
    path("messages/new/", views.direct_new, name="direct_new"),
    path("mentions/", views.mentions_page, name="mentions"),
    path("setup/", first_run.setup_page, name="setup"),
    path("staff/invitations/", staff_invitations.invitations_page, name="staff_invitations"),
    path(
        "staff/invitations/<int:invitation_id>/revoke/",
        staff_invitations.invitation_revoke_view,
        name="staff_invitation_revoke",
    ),
    path("settings/profile/", profile.profile_page, name="settings_profile"),
    path("avatars/<int:user_id>/<str:name>", profile.avatar_download, name="avatar"),
    path("settings/tokens/", tokens.tokens_page, name="settings_tokens"),
    path(
        "settings/tokens/<int:token_id>/revoke/",
        tokens.token_revoke_view,
        name="settings_token_revoke",
    ),
    path("rooms/<str:slug>/", views.room_detail, name="room"),
    path("rooms/<str:slug>/files/", files.room_upload, name="room_upload"),
    path("files/<int:attachment_id>/<str:name>", files.attachment_download, name="attachment"),
    path("rooms/<str:slug>/settings/", views.room_settings, name="room_settings"),
    path("rooms/<str:slug>/export.json", room_export_view, name="room_export"),
    path("rooms/<str:slug>/people/", views.room_people, name="room_people"),
    path("rooms/<str:slug>/join/", views.room_membership, {"action": "join"}, name="room_join"),
    path("rooms/<str:slug>/leave/", views.room_membership, {"action": "leave"}, name="room_leave"),
]
