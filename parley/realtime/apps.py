from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "parley.realtime"
    label = "realtime"

    def ready(self) -> None:
        from parley.core import changes
        from parley.realtime.broadcast import publish_change

        changes.listen(publish_change)
