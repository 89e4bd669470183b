"""The search index of messages, per database: created by the migration, kept in step by the
database itself, in the transaction of every write, whatever makes it (services, bulk inserts,
queryset updates, the admin).

Indexed: rows of rooms_item with kind 'message' that are not deleted, by their current body.

- SQLite: `search_item_fts`, an FTS5 table with the trigram tokenizer (substrings of 3 or more
  characters, case-insensitive), external content on rooms_item (it keeps the index only, the
  text stays in rooms_item), kept by three triggers. An external-content row is removed by
  passing exactly the values it was indexed with, so a trigger removes the old row only if it
  was indexed and adds the new one only if it is indexable. Dropping rooms_item drops its
  triggers (Django's SQLite schema editor remakes a table to alter it): `repair` puts them back
  and rebuilds the index after any migration that did (SearchConfig's post_migrate).
- PostgreSQL: a partial GIN index of pg_trgm trigrams on rooms_item.body, which PostgreSQL
  keeps in step itself. The extension stays when the migration is reversed (other objects may
  use it).
- Other databases: no index; search scans (parley/search/engines.py).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

FTS_TABLE = "search_item_fts"
TRIGGERS = ("search_item_fts_insert", "search_item_fts_update", "search_item_fts_delete")
PG_INDEX = "search_item_body_trgm"

# Whether a row of rooms_item, as `row` (new or old), belongs in the index.
_INDEXED = "{row}.kind = 'message' AND NOT {row}.deleted"
_OLD = _INDEXED.format(row="old")
_NEW = _INDEXED.format(row="new")

_SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "body, content='rooms_item', content_rowid='id', tokenize='trigram')"
)
_SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER search_item_fts_insert AFTER INSERT ON rooms_item
    WHEN {_NEW}
    BEGIN
        INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body);
    END""",  # noqa: S608 (identifiers only: nothing here comes from outside)
    # Only when what the index holds may change: an update of reactions or reply counts costs
    # nothing here.
    f"""CREATE TRIGGER search_item_fts_update AFTER UPDATE OF id, kind, body, deleted ON rooms_item
    WHEN (({_OLD}) OR ({_NEW}))
        AND (old.id IS NOT new.id OR old.kind IS NOT new.kind OR old.body IS NOT new.body
             OR old.deleted IS NOT new.deleted)
    BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body)
            SELECT 'delete', old.id, old.body WHERE {_OLD};
        INSERT INTO {FTS_TABLE}(rowid, body) SELECT new.id, new.body WHERE {_NEW};
    END""",
    f"""CREATE TRIGGER search_item_fts_delete AFTER DELETE ON rooms_item
    WHEN {_OLD}
    BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body);
    END""",  # noqa: S608
)
_ROOMS_ITEM_INDEXED = _INDEXED.format(row="rooms_item")
_SQLITE_BACKFILL = f"INSERT INTO {FTS_TABLE}(rowid, body) SELECT id, body FROM rooms_item WHERE {_ROOMS_ITEM_INDEXED}"  # noqa: E501, S608

_PG_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON rooms_item USING gin (body gin_trgm_ops) "
    "WHERE kind = 'message' AND NOT deleted",
)


def create(connection: BaseDatabaseWrapper) -> None:
    """Create the index of `connection`'s database and fill it with the existing messages."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(_SQLITE_TABLE)
            for trigger in _SQLITE_TRIGGERS:
                cursor.execute(trigger)
            cursor.execute(_SQLITE_BACKFILL)
        elif connection.vendor == "postgresql":
            for statement in _PG_CREATE:
                cursor.execute(statement)


def drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for trigger in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")


def sqlite_triggers(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of the index's triggers that exist (SQLite)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'rooms_item'"
        )
        return {name for (name,) in cursor.fetchall()} & set(TRIGGERS)


def repair(connection: BaseDatabaseWrapper) -> bool:
    """On SQLite, when the index exists but a trigger is gone (rooms_item was remade by a
    migration): create the triggers again and rebuild the index. True if it did."""
    if connection.vendor != "sqlite" or FTS_TABLE not in connection.introspection.table_names():
        return False
    if sqlite_triggers(connection) == set(TRIGGERS):
        return False
    with connection.cursor() as cursor:
        for trigger in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")  # noqa: S608
        for trigger in _SQLITE_TRIGGERS:
            cursor.execute(trigger)
        cursor.execute(_SQLITE_BACKFILL)
    return True
