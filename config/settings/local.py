"""Settings for `make run` on one machine: a real server (DEBUG off) that needs no set-up.

The secret key is generated on first run and kept in the data folder, so sessions survive
restarts without anyone having to invent a key.
"""

import secrets

from .base import *  # noqa: F403
from .base import DATA_DIR, env


def _secret_key_from_data_dir() -> str:
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _secret_key_from_data_dir()

# `make run`: anyone may sign up, as before (PARLEY_SIGNUP in the environment changes it).
PARLEY_SIGNUP = env.str("PARLEY_SIGNUP", default="open")
