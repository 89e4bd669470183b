"""Secret tokens that are shown once and stored only as a digest: access tokens, incoming
webhooks' URLs and invitation links (the one rule for all three).

A token reads `<label><prefix>_<secret>`: `prefix` is 12 characters stored as is, so a presented
token is found by one indexed read; `secret` is 43 URL-safe characters (32 random bytes from
`secrets`). Only the SHA-256 of the whole token is stored, and it is compared with the presented
token's in constant time (`hmac.compare_digest`): neither a database dump nor a timing tells a
working token. A plain hash suffices (no slow key-derivation function): the secret has 256 random
bits, so there is nothing to guess. A presented string that is not exactly of the format (empty,
NUL, 10 KB, a trailing newline) is refused before any database read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass, field

PREFIX_LENGTH = 12
SECRET_BYTES = 32  # token_urlsafe: 43 characters
_SECRET_PATTERN = r"[A-Za-z0-9_-]{43}"  # noqa: S105 (a pattern, not a secret)

MIXED_CASE = string.ascii_letters + string.digits
LOWER_CASE = string.ascii_lowercase + string.digits


def token_digest(raw: str) -> str:
    """The SHA-256 (hex) of a whole token: what is stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def token_matches(raw: str, digest: str) -> bool:
    """Whether `raw` is the token whose digest is `digest`, compared in constant time."""
    return hmac.compare_digest(token_digest(raw), digest)


@dataclass(frozen=True)
class TokenFormat:
    """One kind of token: its fixed `label` ("parley_", "invite_", or "") and the alphabet of its
    prefix (lowercase where the prefix also names something case-insensitive, a bot's username)."""

    label: str
    alphabet: str = MIXED_CASE
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        letters = "a-z0-9" if self.alphabet == LOWER_CASE else "A-Za-z0-9"
        pattern = rf"{re.escape(self.label)}([{letters}]{{{PREFIX_LENGTH}}})_{_SECRET_PATTERN}"
        object.__setattr__(self, "_pattern", re.compile(pattern))

    def new(self) -> tuple[str, str]:
        """A new token: its prefix, and the whole token (to be shown once)."""
        prefix = "".join(secrets.choice(self.alphabet) for _ in range(PREFIX_LENGTH))
        return prefix, self.with_prefix(prefix)

    def with_prefix(self, prefix: str) -> str:
        """A whole new token with a kept prefix and a new secret (regenerating a webhook's URL)."""
        return f"{self.label}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"

    def prefix_of(self, raw: object) -> str | None:
        """The prefix of a presented token of this format, or None when it is not exactly one."""
        match = self._pattern.fullmatch(raw) if isinstance(raw, str) else None
        return match.group(1) if match else None
