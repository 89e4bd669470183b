"""The search index of messages (parley/search/index.py): FTS5 and triggers on SQLite, a pg_trgm
GIN index on PostgreSQL; existing messages are indexed."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from parley.search import index


def create_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    index.create(schema_editor.connection)


def drop_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    index.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("rooms", "0005_room_topic")]

    operations = [migrations.RunPython(create_index, drop_index)]
