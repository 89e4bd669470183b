from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "parley.bots"
    label = "bots"

    def ready(self) -> None:
        from parley.bots.dispatch import on_change
        from parley.core import changes

        changes.listen(on_change)
