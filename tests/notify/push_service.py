"""A fake push service on 127.0.0.1 for the Web Push tests, and browsers that subscribe to it.

The service is tests/core/http_target.py's server (every request recorded, answers set per
path, `hang` until the test ends). A `Browser` holds what a real one does: a P-256 key pair and
an auth secret; it decrypts what the server pushed (RFC 8291, with http_ece) and checks the VAPID
token (RFC 8292) against the server's public key with `cryptography`, as a push service would.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.core.http_target import HttpTarget, Received


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TimedList(list):
    """The target's record of requests, with when each arrived (time.monotonic)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item) -> None:
        self.times.append(time.monotonic())
        super().append(item)


class PushService(HttpTarget):
    def __init__(self) -> None:
        super().__init__()
        self.received = TimedList()

    def to(self, path: str) -> list[Received]:
        return [request for request in list(self.received) if request.path == path]


@dataclass
class Token:
    header: dict
    claims: dict
    key: str  # the `k` parameter: the server's public key, base64url


class Browser:
    """One browser profile subscribed at `path` of the push service."""

    def __init__(self, service: PushService, path: str, *, status: int = 201) -> None:
        self.service = service
        self.path = path
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        service.answer(path, b"", status=status)

    @property
    def endpoint(self) -> str:
        return self.service.url(self.path)

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self) -> dict:
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def received(self) -> list[Received]:
        return self.service.to(self.path)

    def decrypt(self, request: Received) -> dict:
        assert request.headers["Content-Encoding"] == "aes128gcm"
        plain = http_ece.decrypt(
            request.body,
            private_key=self.private_key,
            auth_secret=self.auth,
            version="aes128gcm",
        )
        return json.loads(plain)

    def payloads(self) -> list[dict]:
        return [self.decrypt(request) for request in self.received()]


def vapid_token(request: Received, *, server_key: str) -> Token:
    """The VAPID token of a push, its signature verified against `server_key` (base64url of the
    uncompressed point `GET /push/key` gave); AssertionError if it does not verify."""
    scheme, _, params = request.headers["Authorization"].partition(" ")
    assert scheme == "vapid", scheme
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    jwt, key = parts["t"], parts["k"]
    signing_input, _, signature = jwt.rpartition(".")
    raw = unb64url(signature)
    assert len(raw) == 64, "ES256 signatures are r || s, 32 bytes each"
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(server_key))
    try:
        public.verify(
            encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
            signing_input.encode(),
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature as exc:
        raise AssertionError("the VAPID signature does not verify with /push/key") from exc
    header_part, claims_part = signing_input.split(".")
    return Token(
        header=json.loads(unb64url(header_part)),
        claims=json.loads(unb64url(claims_part)),
        key=key,
    )
