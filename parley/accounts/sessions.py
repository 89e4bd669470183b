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

# Filled in with the session model's table and columns (identifiers only) and a placeholder
# per key.
_SQL = "SELECT {key}, {data}, {expires} FROM {table} WHERE {key} IN ({keys}) AND {expires} > %s"


class SessionStore(db.SessionStore):
    # When the session read from the database expires (None until one is read): sockets opened
    # with it are closed then, unless it was extended (parley/realtime/session_expiry.py).
    expire_date: datetime | None = None

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        """The unexpired session row with this key, or None (and no key), as Django's own."""
        key = self.session_key
        row = unexpired_rows(self.model, [key]).get(key) if key else None
        if row is None:
            self._session_key = None
            return None
        self.expire_date = row.expire_date
        return row

    @classmethod
    def load_many(cls, session_keys: list[str]) -> dict[str, SessionStore]:
        """A session for each key, loaded as its `load()` would, all from one query (the
        handshakes that arrive together: parley/realtime/session_users.py)."""
        sessions = {key: cls(key) for key in session_keys}
        # A malformed key is no key (SessionBase's validation): nothing to read, as `load()`.
        keys = [session.session_key for session in sessions.values() if session.session_key]
        rows = unexpired_rows(cls.get_model_class(), keys)
        for key, session in sessions.items():
            row = rows.get(key)
            # `_session_cache` is what SessionBase's first read (`_get_session`) fills from
            # `load()`; no unexpired session: no key, as `_get_session_from_db`.
            if row is None:
                session._session_key = None
                session._session_cache = {}  # type: ignore[attr-defined]
                continue
            session._session_cache = session.decode(row.session_data)  # type: ignore[attr-defined]
            session.expire_date = row.expire_date
        return sessions

    def create_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        """The row `save` writes; its expiry date is the session's from then on."""
        row = super().create_model_instance(data)
        self.expire_date = row.expire_date
        return row


def unexpired_rows(
    model: type[AbstractBaseSession], keys: list[str]
) -> dict[str, AbstractBaseSession]:
    """The unexpired session rows with these keys, by key: one plain query (none for no key)."""
    if not keys:
        return {}
    manager = model._default_manager
    connection = connections[manager.db]
    quote = connection.ops.quote_name
    fields = model._meta
    sql = _SQL.format(
        key=quote(fields.get_field("session_key").column),
        data=quote(fields.get_field("session_data").column),
        expires=quote(fields.get_field("expire_date").column),
        table=quote(fields.db_table),
        keys=", ".join(["%s"] * len(keys)),
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return {row.session_key: row for row in manager.raw(sql, [*keys, now])}


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
