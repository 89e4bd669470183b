"""The server's VAPID key pair (RFC 8292): push services learn from it that a push is ours.

A browser subscribes with the public key (`GET /push/key`) and its push service then accepts
only pushes signed with the matching private key, so the pair must outlive restarts: it comes
from the environment (PARLEY_VAPID_PRIVATE_KEY, and optionally PARLEY_VAPID_PUBLIC_KEY to check
it against) or from a PEM file in the data folder, generated on first use like the secret key.
Changing it makes every browser's subscription useless (they must subscribe again).
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02, VapidException  # type: ignore[import-untyped]

# RFC 8292 caps a token's life at 24 hours; half of it leaves room for clocks that disagree.
TOKEN_SECONDS = 12 * 60 * 60
DEFAULT_SUBJECT = "mailto:parley@localhost"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decoded base64url, with or without padding; ValueError when it is not base64url."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not base64url") from exc


@dataclass(frozen=True, slots=True)
class VapidKeys:
    private_key: ec.EllipticCurvePrivateKey
    # The uncompressed P-256 point (65 bytes), base64url without padding: `GET /push/key`.
    public_key: str
    subject: str


def _public_of(key: ec.EllipticCurvePrivateKey) -> str:
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def _parse_private(text: str) -> ec.EllipticCurvePrivateKey:
    """A PEM private key, or the base64url raw 32-byte scalar web-push tools print."""
    try:
        if text.lstrip().startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text.strip())
            if len(raw) != 32:
                raise ValueError("a raw P-256 private key is 32 bytes")
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"PARLEY_VAPID_PRIVATE_KEY is not a P-256 key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ImproperlyConfigured("PARLEY_VAPID_PRIVATE_KEY is not a P-256 (prime256v1) key.")
    return key


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _key_from_file(path: Path) -> ec.EllipticCurvePrivateKey:
    """The key kept in `path`, made there first if there is none. Several processes may start at
    once: the file appears whole (written aside, then linked), and the first link wins."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
        try:
            os.chmod(temporary, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(_pem(ec.generate_private_key(ec.SECP256R1())))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return _parse_private(path.read_text())


def _subject(configured: str) -> str:
    subject = configured or DEFAULT_SUBJECT
    site = settings.PARLEY_SITE_URL
    if not configured and site.startswith("https://"):
        subject = site
    try:
        Vapid02()._base_sign({"sub": subject, "aud": "https://push.example"})
    except VapidException as exc:
        raise ImproperlyConfigured(
            f"PARLEY_VAPID_SUBJECT must be a mailto: address or an https: URL, not {subject!r}."
        ) from exc
    return subject


@lru_cache(maxsize=4)
def _keys(private: str, public: str, subject: str, key_file: str) -> VapidKeys:
    key = _parse_private(private) if private else _key_from_file(Path(key_file))
    derived = _public_of(key)
    if public and public.rstrip("=") != derived:
        raise ImproperlyConfigured(
            "PARLEY_VAPID_PUBLIC_KEY is not the public key of PARLEY_VAPID_PRIVATE_KEY."
        )
    return VapidKeys(private_key=key, public_key=derived, subject=_subject(subject))


def vapid_keys() -> VapidKeys:
    """The server's key pair and subject, as settings.PARLEY_PUSH describes them."""
    config = settings.PARLEY_PUSH
    return _keys(
        config["VAPID_PRIVATE_KEY"],
        config["VAPID_PUBLIC_KEY"],
        config["VAPID_SUBJECT"],
        str(config["VAPID_KEY_FILE"]),
    )


def audience(endpoint: str) -> str:
    """The `aud` claim: the push service's origin (scheme, host and port if not the default)."""
    url = httpx.URL(endpoint)
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def authorization(endpoint: str, *, now: float | None = None) -> str:
    """The `Authorization: vapid t=<JWT>,k=<public key>` header of a push to `endpoint`."""
    keys = vapid_keys()
    issued = time.time() if now is None else now
    claims = {"aud": audience(endpoint), "exp": int(issued) + TOKEN_SECONDS, "sub": keys.subject}
    header: str = Vapid02(private_key=keys.private_key).sign(claims)["Authorization"]
    return header
