from django.contrib import admin
from django.urls import include, path

from parley.api.api import urls as api_urls
from parley.core.views import metrics
from parley.hooks.views import incoming_webhook

urlpatterns = [
    path("admin/", admin.site.urls),
    path("metrics", metrics, name="metrics"),
    path("accounts/", include("parley.accounts.urls")),
    path("api/v1/", api_urls()),
    # Slack-compatible incoming webhooks (docs/api.md): the token is the whole credential.
    path("hooks/<str:token>", incoming_webhook, name="incoming_webhook"),
    # Web Push: the server's VAPID key and browsers' subscriptions (docs/notifications.md).
    path("push/", include("parley.notify.urls")),
    path("settings/notifications/", include("parley.notify.settings_urls")),
    path("", include("parley.web.urls")),
]
