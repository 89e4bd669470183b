from typing import Any

from django.apps import AppConfig
from django.db import connections, transaction
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "parley.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        post_migrate.connect(_repair_index, sender=self)


def _repair_index(*, using: str, **kwargs: Any) -> None:
    """After `migrate`: the SQLite index's triggers back, if a migration remade rooms_item."""
    from parley.search import index

    connection = connections[using]
    with transaction.atomic(using=using):
        index.repair(connection)
