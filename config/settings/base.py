"""Settings shared by every environment.

Everything an operator may change is read from the environment here, with a safe default for a
single machine. The README's configuration table lists each variable.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from csp.constants import NONE, SELF

# Django's classes that django-stubs makes generic (ModelAdmin[Room], ModelForm[Room]) take their
# type arguments at run time too, as Parley's annotations write them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# The data folder holds the SQLite database, the generated secret key and uploaded files.
DATA_DIR = Path(env.str("PARLEY_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # First, so Parley's registration/ templates win over the admin's.
    "parley.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "csp",
    "parley.core",
    "parley.accounts",
    "parley.rooms",
    "parley.search",
    "parley.realtime",
    # Outgoing webhooks of bots: listens to posted messages (parley/bots/apps.py).
    "parley.bots",
    # Web Push and email digests for people who are away (parley/notify/apps.py).
    "parley.notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a lock-out found by the authentication backend into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env(url: str | None = None) -> dict[str, Any]:
    """One database from DATABASE_URL (or SQLite in the data folder), tuned for its engine."""
    default_url = f"sqlite:///{DATA_DIR / 'parley.sqlite3'}"
    config: dict[str, Any] = environ.Env.db_url_config(
        url or env.str("DATABASE_URL", default=default_url)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue on the busy timeout instead of failing with "database is locked".
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("PARLEY_SQLITE_TIMEOUT", default=20),
        }
        # Keep the connection: closing the last one to a WAL database checkpoints it (an fsync)
        # on every call from the socket thread, ~2 ms per message (docs/performance.md).
        config["CONN_MAX_AGE"] = None
        config["CONN_HEALTH_CHECKS"] = True
    else:
        options = config.setdefault("OPTIONS", {})
        # A statement that cannot finish in time becomes an `unavailable` error, not a hang.
        options.setdefault("connect_timeout", env.int("PARLEY_DB_CONNECT_TIMEOUT", default=5))
        pool_size = env.int("PARLEY_DB_POOL_SIZE", default=20)
        if pool_size > 0:
            # Under ASGI each HTTP request runs in a thread context of its own, so Django's
            # per-thread connection was opened and closed per request (~18 ms on PostgreSQL,
            # docs/performance.md). A psycopg pool per process keeps them open; Django then
            # hands a connection back at the end of each request (CONN_MAX_AGE must be 0).
            # A short wait and a quick reconnect: a request while the database is down fails
            # as `unavailable` within seconds, and the pool is back soon after it is.
            options["pool"] = {
                "min_size": 1,
                "max_size": pool_size,
                "timeout": env.float("PARLEY_DB_POOL_TIMEOUT", default=3.0),
                "reconnect_timeout": 2.0,
            }
            config["CONN_MAX_AGE"] = 0
        else:
            config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")


def channel_layers_from_env(redis_url: str) -> dict[str, Any]:
    """The in-process layer by default; channels-redis when REDIS_URL is set.

    Parley publishes once per room and process (see parley.realtime.hub), so a process channel
    carries every room's traffic: its capacity is raised well above the per-consumer default.
    Anything the layer still drops is refilled from the database by sequence number.
    """
    capacity = env.int("PARLEY_LAYER_CAPACITY", default=10_000)
    # redis-py reads with a 5 s socket timeout by default, exactly channels-redis's blocking
    # receive (BRPOP 5 s): an idle listener would fail every 5 s (channels_redis#422). Longer.
    host = {"address": redis_url, "socket_timeout": 15}
    if redis_url and env.str("PARLEY_REDIS_LAYER", default="core") == "pubsub":
        # One PUBLISH per group_send, no capacity, no expiry (docs/deployment.md compares).
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {
                    "hosts": [host],
                    "prefix": env.str("PARLEY_REDIS_PREFIX", default="parley"),
                },
            }
        }
    if redis_url:
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [host],
                    "capacity": capacity,
                    "expiry": 30,
                    "prefix": env.str("PARLEY_REDIS_PREFIX", default="parley"),
                },
            }
        }
    return {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": capacity, "expiry": 30},
        }
    }


CHANNEL_LAYERS = channel_layers_from_env(REDIS_URL)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Who may sign up at /accounts/signup/: "open" (anyone), "invite" (only with an invitation link
# staff made on /staff/invitations/) or "closed" (nobody; staff add people in the admin).
# An unknown value counts as "closed" (parley/accounts/views.py). Production defaults to "invite".
PARLEY_SIGNUP = env.str("PARLEY_SIGNUP", default="open")

# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failed log-ins for one username from
# one address, that pair is locked out for the cool-off time, whether or not the user exists;
# every failure during a lock-out starts the cool-off again. Attempts live in the database, so
# every server process counts them together.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("PARLEY_LOGIN_LOCKOUT", default=True)
AXES_FAILURE_LIMIT = env.int("PARLEY_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("PARLEY_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "parley.accounts.lockout.lockout_response"
# The address is REMOTE_ADDR only: behind a proxy, uvicorn (--proxy-headers with
# FORWARDED_ALLOW_IPS) has already put the client's address there; a raw X-Forwarded-For
# header from the client would let anyone pick a fresh address per guess.
AXES_CLIENT_IP_CALLABLE = "parley.accounts.lockout.client_address"
# Successful log-ins are not recorded: Parley keeps no login history.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Sessions live in the database, so they survive a server restart.
# Django's database sessions, read by a plain query (parley/accounts/sessions.py).
SESSION_ENGINE = "parley.accounts.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))


def file_storage_from_env() -> dict[str, Any]:
    """Uploads in MEDIA_ROOT, or in an S3-compatible bucket when PARLEY_S3_BUCKET is set.

    S3 needs `pip install ".[s3]"` (django-storages). Files stay private either way: the bucket
    is read with signed requests by the server only, and people download through Parley's own
    authorising view, never from a bucket URL.
    """
    bucket = env.str("PARLEY_S3_BUCKET", default="")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env.str("PARLEY_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("PARLEY_S3_REGION", default="") or None,
            "access_key": env.str("PARLEY_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("PARLEY_S3_SECRET_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": file_storage_from_env(),
    "staticfiles": {"BACKEND": "parley.web.storage.StaticFilesStorage"},
}

# Security headers on every response (SecurityMiddleware, XFrameOptionsMiddleware, django-csp).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Scripts, styles, images and sockets come from this host only: no inline script or style can
# run, so markup that slipped into a page could still not execute. Page data reaches scripts
# through json_script (<script type="application/json">), which is not executed. `'self'` covers
# ws:// and wss:// to the page's own host in connect-src (CSP Level 3; docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Parley's own limits (docs/protocol.md defaults).
PARLEY = {
    "MAX_BODY_CHARS": env.int("PARLEY_MAX_BODY_CHARS", default=4000),
    # How long after sending an author may edit a message; 0 = always (docs/protocol.md).
    "EDIT_WINDOW_SECONDS": env.int("PARLEY_EDIT_WINDOW_SECONDS", default=0),
    "MAX_FRAME_BYTES": env.int("PARLEY_MAX_FRAME_BYTES", default=64 * 1024),
    "REPLAY_LIMIT": env.int("PARLEY_REPLAY_LIMIT", default=500),
    "PAGE_ITEMS": env.int("PARLEY_PAGE_ITEMS", default=50),
    # Frames queued for one socket before it counts as a slow reader and is closed; it then
    # resumes from the database with `after`, so nothing is lost and memory stays bounded.
    "MAX_QUEUED_FRAMES": env.int("PARLEY_MAX_QUEUED_FRAMES", default=2000),
    # Largest upload, inclusive (docs/protocol.md: 25 MiB).
    "MAX_UPLOAD_BYTES": env.int("PARLEY_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024),
    # Largest body of any other POST (Parley's forms and the admin's, a few KiB each), refused
    # before it is read (parley/web/asgi_limits.py); routes that take no body allow 0.
    "MAX_FORM_BYTES": env.int("PARLEY_MAX_FORM_BYTES", default=64 * 1024),
    # How often each process checks the database for items its channel layer never delivered.
    "SWEEP_SECONDS": env.float("PARLEY_SWEEP_SECONDS", default=2.0),
    # Presence (parley/realtime/presence.py; docs/protocol.md "Live features"). A user whose
    # last socket closes is announced offline after the grace, unless a socket of theirs opens
    # again meanwhile (a reload): a flap within the grace is never announced.
    "PRESENCE_GRACE_SECONDS": env.float("PARLEY_PRESENCE_GRACE_SECONDS", default=5.0),
    # With REDIS_URL: each process renews its presence entry every TTL/3; the users of a process
    # that stopped renewing (killed) are reaped once its entry is TTL old, by one process, which
    # checks every REAP seconds.
    "PRESENCE_TTL_SECONDS": env.float("PARLEY_PRESENCE_TTL_SECONDS", default=40.0),
    "PRESENCE_REAP_SECONDS": env.float("PARLEY_PRESENCE_REAP_SECONDS", default=5.0),
    "PRESENCE_KEY_PREFIX": env.str("PARLEY_REDIS_PREFIX", default="parley") + ":presence",
    # A user's presence changes are written and announced at most once per this interval;
    # changes in between are coalesced into the latest state.
    "PRESENCE_MIN_INTERVAL_SECONDS": env.float("PARLEY_PRESENCE_MIN_INTERVAL_SECONDS", default=1.0),
    # Without REDIS_URL: where a graceful stop writes who was online, for the next process to
    # keep them online-but-leaving for the rest of their grace (realtime/presence/snapshot.py);
    # "" = off.
    "PRESENCE_SNAPSHOT_PATH": env.str(
        "PARLEY_PRESENCE_SNAPSHOT", default=str(DATA_DIR / "presence-snapshot.json")
    ),
    # Big rooms (docs/protocol.md "Big rooms"): a room of more than BIG_ROOM_MEMBERS lists only
    # the first MEMBERS_PAGE members in `subscribed` (online first) with `members_total`; the
    # client pages the rest with `members`. Presence frames are batched per room, at most one a
    # PRESENCE_BATCH_SECONDS; in a room of more than PRESENCE_WATCH_MEMBERS they go only to the
    # sockets that sent `presence_watch`.
    "BIG_ROOM_MEMBERS": env.int("PARLEY_BIG_ROOM_MEMBERS", default=500),
    "MEMBERS_PAGE": env.int("PARLEY_MEMBERS_PAGE", default=100),
    "PRESENCE_BATCH_SECONDS": env.float("PARLEY_PRESENCE_BATCH_SECONDS", default=1.0),
    "PRESENCE_WATCH_MEMBERS": env.int("PARLEY_PRESENCE_WATCH_MEMBERS", default=1000),
    # One `typing` frame per user and room is forwarded per this interval (per process).
    "TYPING_MIN_INTERVAL_SECONDS": env.float("PARLEY_TYPING_MIN_INTERVAL_SECONDS", default=2.0),
    # A socket with more live frames than this waiting gets no `typing` frames (shed first).
    "TYPING_SHED_QUEUE": env.int("PARLEY_TYPING_SHED_QUEUE", default=100),
    # Rooms of at most this many members get read receipts (`read_by`, `receipt`); 0: none.
    "RECEIPTS_MAX_MEMBERS": env.int("PARLEY_RECEIPTS_MAX_MEMBERS", default=20),
    # Threads for the sockets' database calls, each with its own connection: 1 on SQLite (one
    # writer at a time), 4 on PostgreSQL (parley/realtime/database.py).
    "DATABASE_THREADS": env.int(
        "PARLEY_DATABASE_THREADS",
        default=1 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 4,
    ),
}

# /metrics is served to staff sessions, or to a scraper sending `Authorization: Bearer <token>`.
PARLEY_METRICS_TOKEN = env.str("PARLEY_METRICS_TOKEN", default="")

# Outgoing requests (bots' webhooks: parley/core/outbound.py) refuse private, loopback,
# link-local and other non-public addresses unless this is true (development and tests only).
PARLEY_ALLOW_PRIVATE_TARGETS = env.bool("PARLEY_ALLOW_PRIVATE_TARGETS", default=False)
# The address people reach Parley at ("https://chat.example.com"): the absolute `reply_url` an
# outgoing webhook is sent, and the start of every link in emails. Empty: the `reply_url` is a
# path ("/api/v1/rooms/<slug>/messages"); emails sent from the settings page link to the host it
# was asked for, other emails to http://localhost:8000 (set it wherever emails go out).
PARLEY_SITE_URL = env.str("PARLEY_SITE_URL", default="").rstrip("/")


def duration_seconds(value: str) -> int:
    """A duration as seconds: a number of seconds ("600"), or "90s", "10m", "2h", "1d"."""
    value = value.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if value and value[-1] in units:
        return int(float(value[:-1]) * units[value[-1]])
    return int(float(value))


# Email (parley/notify/digest.py, parley/accounts/notification_prefs.py): Django's backend from
# EMAIL_URL (django-environ: smtp://user:pass@host:587, smtp+tls://…, smtp+ssl://…); the console
# backend by default, so `make run` needs no mail server. Unset parts keep Django's defaults.
vars().update(
    {
        key: value
        for key, value in env.email_url("EMAIL_URL", default="consolemail://").items()
        if value not in (None, "")
    }
)
DEFAULT_FROM_EMAIL = env.str("PARLEY_EMAIL_FROM", default="Parley <parley@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# How long a mention or direct message stays unread before it goes into a digest email.
PARLEY_EMAIL_NOTIFY_DELAY = duration_seconds(env.str("PARLEY_EMAIL_NOTIFY_DELAY", default="600"))
# Whether each server process sends the due digests every minute (parley/notify/background.py);
# off, `manage.py send_digests` run by cron does it.
PARLEY_EMAIL_DIGESTS = env.bool("PARLEY_EMAIL_DIGESTS", default=True)

# Outgoing webhooks of bots (parley/bots): the total seconds a bot has to answer, the answer's
# byte limit, the requests made at once per process and the ones waiting (more are dropped).
PARLEY_BOTS = {
    "TIMEOUT_SECONDS": env.float("PARLEY_BOT_TIMEOUT_SECONDS", default=5.0),
    "MAX_ANSWER_BYTES": env.int("PARLEY_BOT_MAX_ANSWER_BYTES", default=64 * 1024),
    "WORKERS": env.int("PARLEY_BOT_WORKERS", default=4),
    "MAX_PENDING": env.int("PARLEY_BOT_MAX_PENDING", default=100),
}

# Web Push (parley/notify, docs/notifications.md). The VAPID key pair comes from the environment
# (PARLEY_VAPID_PRIVATE_KEY, base64url of the raw 32-byte key or a PEM; the public key is derived
# from it, and PARLEY_VAPID_PUBLIC_KEY, if given, must match) or is generated on first use into
# VAPID_KEY_FILE in the data folder. SUBJECT is the contact push services see (mailto: or https:).
PARLEY_PUSH = {
    "VAPID_PRIVATE_KEY": env.str("PARLEY_VAPID_PRIVATE_KEY", default=""),
    "VAPID_PUBLIC_KEY": env.str("PARLEY_VAPID_PUBLIC_KEY", default=""),
    "VAPID_SUBJECT": env.str("PARLEY_VAPID_SUBJECT", default=""),
    "VAPID_KEY_FILE": env.str(
        "PARLEY_VAPID_KEY_FILE", default=str(DATA_DIR / "vapid_private_key.pem")
    ),
    # At most one push per room per user per this many seconds; more are summed up in one.
    "COALESCE_SECONDS": env.float("PARLEY_PUSH_COALESCE_SECONDS", default=5.0),
    # How long a push service keeps a push for a device that is off (the TTL header).
    "TTL_SECONDS": env.int("PARLEY_PUSH_TTL_SECONDS", default=86400),
    # Requests to push services at once per process, each within TIMEOUT_SECONDS in all.
    "WORKERS": env.int("PARLEY_PUSH_WORKERS", default=8),
    "TIMEOUT_SECONDS": env.float("PARLEY_PUSH_TIMEOUT_SECONDS", default=5.0),
    # A failed push is tried again this many times, waiting BACKOFF_SECONDS, then twice that...
    "RETRIES": env.int("PARLEY_PUSH_RETRIES", default=3),
    "BACKOFF_SECONDS": env.float("PARLEY_PUSH_BACKOFF_SECONDS", default=2.0),
    # A subscription whose pushes failed this many times in a row (retries spent) is dropped.
    "MAX_FAILURES": env.int("PARLEY_PUSH_MAX_FAILURES", default=5),
    # Messages waiting to be decided on; more are not pushed (logged): memory stays bounded.
    "MAX_PENDING": env.int("PARLEY_PUSH_MAX_PENDING", default=1000),
    "MAX_SUBSCRIPTIONS_PER_USER": env.int("PARLEY_PUSH_MAX_SUBSCRIPTIONS", default=20),
    # Whether a user whose every socket reports idle (no use for 5 minutes) is pushed to.
    "PUSH_WHEN_IDLE": env.bool("PARLEY_PUSH_WHEN_IDLE", default=True),
}

# Rate limits (parley/core/ratelimit.py), each "BURST,COUNT/PERIOD" or "off": BURST requests at
# once, then COUNT per PERIOD (s, m, h, e.g. 10m). Counted in Redis when REDIS_URL is set (shared
# by every process), else in each process. PARLEY_RATE_LIMITS=off turns off every limit and cap
# below, for load tests and for operators who limit at their proxy.
PARLEY_RATE_LIMITS = {
    "ENABLED": env.bool("PARLEY_RATE_LIMITS", default=True),
    "RATES": {
        "send": env.str("PARLEY_RATE_SEND", default="20,5/s"),
        "membership": env.str("PARLEY_RATE_JOIN", default="10,1/s"),
        "room_create": env.str("PARLEY_RATE_ROOM_CREATE", default="5,5/10m"),
        "read": env.str("PARLEY_RATE_READ", default="100,20/s"),
        "search": env.str("PARLEY_RATE_SEARCH", default="30,3/s"),
        # Verification emails per user: nobody mails a stranger's address over and over.
        "email": env.str("PARLEY_RATE_EMAIL", default="3,5/h"),
        "connect_user": env.str("PARLEY_RATE_CONNECT_USER", default="30,1/s"),
        "connect_address": env.str("PARLEY_RATE_CONNECT_ADDRESS", default="200,10/s"),
    },
    # A socket refused this many times in a row with rate_limited is closed with 4429 at the
    # next refusal: a client that ignores retry_after.
    "MAX_STRIKES": env.int("PARLEY_RATE_MAX_STRIKES", default=20),
    # Open sockets at once per user and per client address, in each server process.
    "MAX_SOCKETS_PER_USER": env.int("PARLEY_MAX_SOCKETS_PER_USER", default=50),
    "MAX_SOCKETS_PER_ADDRESS": env.int("PARLEY_MAX_SOCKETS_PER_ADDRESS", default=200),
    "KEY_PREFIX": env.str("PARLEY_REDIS_PREFIX", default="parley") + ":rate",
}

# The ASGI server (`manage.py serve`, which runs uvicorn).
PARLEY_SERVER = {
    "WS_MAX_SIZE": env.int("PARLEY_WS_MAX_SIZE", default=256 * 1024),
    # Server pings: a half-open socket is closed within interval + timeout (50 s), so that its
    # user is announced offline within 60 s with the presence grace (PARLEY["PRESENCE_*"]).
    "WS_PING_INTERVAL": env.float("PARLEY_WS_PING_INTERVAL", default=30.0),
    "WS_PING_TIMEOUT": env.float("PARLEY_WS_PING_TIMEOUT", default=20.0),
    "WS_PER_MESSAGE_DEFLATE": env.bool("PARLEY_WS_DEFLATE", default=False),
    # uvicorn's WebSocket implementation and event loop; `auto` is websockets-sansio and uvloop
    # (measured against the others and daphne: docs/performance.md, "ASGI server and WebSocket
    # implementation").
    "WS_IMPLEMENTATION": env.str("PARLEY_WS_IMPLEMENTATION", default="auto"),
    "LOOP": env.str("PARLEY_SERVER_LOOP", default="auto"),
    "GRACEFUL_SHUTDOWN_SECONDS": env.int("PARLEY_GRACEFUL_SHUTDOWN_SECONDS", default=5),
    # Slow clients (docs/deployment.md, "Slow and oversized requests"): a request's head must be
    # complete within HEADER_TIMEOUT of the server starting to wait for it, however it trickles
    # (parley/core/http_deadline.py); idle kept-alive connections close after KEEP_ALIVE_TIMEOUT.
    "HEADER_TIMEOUT": env.float("PARLEY_HEADER_TIMEOUT", default=10.0),
    "KEEP_ALIVE_TIMEOUT": env.float("PARLEY_KEEP_ALIVE_TIMEOUT", default=5.0),
    # Connections (WebSockets included) past which a new HTTP request is answered 503: a cap
    # short of the open-file limit, not the defence. 0: that limit less FD_RESERVE (serve.py).
    "LIMIT_CONCURRENCY": env.int("PARLEY_LIMIT_CONCURRENCY", default=0),
    "FORWARDED_ALLOW_IPS": env.str("FORWARDED_ALLOW_IPS", default="127.0.0.1"),
    "ACCESS_LOG": env.bool("PARLEY_ACCESS_LOG", default=False),
    "LOG_LEVEL": env.str("PARLEY_SERVER_LOG_LEVEL", default="info"),
}

# Logs go to stderr, one line per record: `plain` for people, `json` for log shippers. Parley's
# own events (connects, disconnects, refused sockets, error frames) carry an `event` field and
# ids, never message bodies or secrets.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "filters": {"drop_socket_lines": {"()": "parley.core.log_filters.DropSocketLines"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        # uvicorn's own dictConfig (at start) keeps a logger's filters.
        "uvicorn.error": {"filters": ["drop_socket_lines"]},
        # httpx logs each request's URL at INFO, and a bot's URL may hold a secret.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
