from django.contrib import admin
from django.urls import include, path

from parley.api.api import urls as api_urls
from parley.core.views import metrics

urlpatterns = [
    path("admin/", admin.site.urls),
    path("metrics", metrics, name="metrics"),
    path("accounts/", include("parley.accounts.urls")),
    path("api/v1/", api_urls()),
    path("", include("parley.web.urls")),
]
