"""Parley's session engine (SESSION_ENGINE): Django's database sessions, read by a plain query.

Everything is Django's `db.SessionStore` (the table, the signing, expiry, cycling, flushing)
except how a session is read: `Session.objects.get(...)` builds its SQL anew on every call, and
every WebSocket handshake reads one, so a restart's thousands of resuming sockets spent more
time building that query than running it (docs/performance.md, "The fourth round"). The class
keeps Django's name, which salts the session's signature: sessions written under Django's
engine stay valid under this one and back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connections
from django.utils import timezone

# Filled in with the session model's table and columns (identifiers only).
_SQL = "SELECT {key}, {data}, {expires} FROM {table} WHERE {key} = %s AND {expires} > %s"


class SessionStore(db.SessionStore):
    # When the session read from the database expires (None until one is read): sockets opened
    # with it are closed then, unless it was extended (parley/realtime/session_expiry.py).
    expire_date: datetime | None = None

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        """The unexpired session row with this key, or None (and no key), as Django's own."""
        model = self.model
        manager = model._default_manager
        connection = connections[manager.db]
        quote = connection.ops.quote_name
        fields = model._meta
        sql = _SQL.format(
            key=quote(fields.get_field("session_key").column),
            data=quote(fields.get_field("session_data").column),
            expires=quote(fields.get_field("expire_date").column),
            table=quote(fields.db_table),
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = list(manager.raw(sql, [self.session_key, now]))
        if not rows:
            self._session_key = None
            return None
        self.expire_date = rows[0].expire_date
        return rows[0]

    def create_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        """The row `save` writes; its expiry date is the session's from then on."""
        row = super().create_model_instance(data)
        self.expire_date = row.expire_date
        return row


# Session keys per query (sessions made at once expire at once: keep each IN list short).
EXPIRY_BATCH = 500


def session_expiry_dates(session_keys: list[str]) -> dict[str, datetime]:
    """The sessions among these that have not expired, with their expiry dates."""
    manager = SessionStore.get_model_class()._default_manager
    now = timezone.now()
    dates: dict[str, datetime] = {}
    for start in range(0, len(session_keys), EXPIRY_BATCH):
        batch = session_keys[start : start + EXPIRY_BATCH]
        unexpired = manager.filter(session_key__in=batch, expire_date__gt=now)
        dates.update(unexpired.values_list("session_key", "expire_date"))
    return dates
