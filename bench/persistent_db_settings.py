"""Parley's own settings plus one change it does not make (yet): persistent SQLite connections.

Only for measuring what that change would buy (`python -m bench.profile --settings
bench.persistent_db_settings`, docs/performance.md). With SQLite, `database_from_env` leaves
CONN_MAX_AGE at 0, so Channels' `database_sync_to_async` closes the connection after every call;
closing the last connection to a WAL database checkpoints it (with an fsync) and deletes the WAL.
"""

from config.settings.local import *  # noqa: F403
from config.settings.local import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
