from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "parley.notify"
    label = "notify"
    verbose_name = "Notifications"
