from django.urls import path

from parley.notify import views

app_name = "push"

urlpatterns = [
    path("key", views.push_key, name="key"),
    path("subscriptions", views.push_subscriptions, name="subscriptions"),
]
