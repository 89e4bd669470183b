"""/settings/notifications/ (parley/notify/views_settings.py), included from config/urls.py."""

from django.urls import path

from parley.notify import views_settings

urlpatterns = [
    path("", views_settings.notifications_page, name="settings_notifications"),
    path("verify/<str:token>", views_settings.email_verify_view, name="notifications_verify"),
    path(
        "unsubscribe/<str:token>",
        views_settings.unsubscribe_view,
        name="notifications_unsubscribe",
    ),
]
