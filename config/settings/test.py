"""Settings for the test suite: the same stack, fast password hashing, static files from finders.

DATABASE_URL and REDIS_URL switch the suite to PostgreSQL and channels-redis like everywhere else.
"""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, PARLEY, PARLEY_RATE_LIMITS, STORAGES

SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PARLEY = {**PARLEY}

# The suite must not keep connections open in the database thread between tests (PostgreSQL
# cannot drop a test database someone is still connected to).
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Nor a pool: pytest-django's test database is made after the settings are read, and a pool
# would hold connections to the database it drops. (Live servers the suite starts use the
# local settings, pool included.)
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)

# A file, not SQLite's shared in-memory database: there a second writer fails at once with
# "table is locked" instead of queuing on the busy timeout as the server's connections do.
# One file per run, so concurrent runs on one machine do not meet.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"parley-test-{os.getpid()}.sqlite3")
    }

# A presence snapshot of a test run's own (hubs in tests read and delete it at start), never the
# one a server in this folder left (tests that restart a server give it their own path).
PARLEY["PRESENCE_SNAPSHOT_PATH"] = os.path.join(
    tempfile.gettempdir(), f"parley-test-presence-{os.getpid()}.json"
)

# Uploaded files of a test run go to a folder of their own.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"parley-test-media-{os.getpid()}"

# Rate limits and log-in lock-outs are off for the suite, which sends bursts and logs in with
# Client.login() (no request for django-axes); tests/security turns them on where it proves them.
PARLEY_RATE_LIMITS = {**PARLEY_RATE_LIMITS, "ENABLED": False}
AXES_ENABLED = False

# Anyone may sign up, as the contract's tests expect; tests of the other modes set it themselves.
PARLEY_SIGNUP = "open"

# Mail stays in django.core.mail.outbox; tests/notify points the SMTP backend at a real server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# No digest loop in the test processes and live servers: tests run digests when they mean to.
PARLEY_EMAIL_DIGESTS = False
