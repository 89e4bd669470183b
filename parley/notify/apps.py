from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "parley.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from parley.core import changes
        from parley.notify.worker import on_change

        changes.listen(on_change)
