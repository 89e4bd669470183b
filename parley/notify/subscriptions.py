"""Browsers' Web Push subscriptions: kept for their user, checked before anything is stored.

An endpoint is a URL someone else chose that the server will POST to, so it meets the outbound
guard's rule at once (parley/core/outbound.py): `https` on a public address, unless
PARLEY_ALLOW_PRIVATE_TARGETS is on (then `http` and private addresses are taken too). The guard
checks the address again at every push, so a name that later resolves elsewhere gains nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parley.core.errors import InvalidInput
from parley.core.outbound import OutboundError, checked_addresses
from parley.core.types import AuthUser
from parley.notify.models import PushSubscription
from parley.notify.vapid import b64url_decode

MAX_ENDPOINT_CHARS = 2000
P256DH_BYTES = 65
AUTH_BYTES = 16
# Resolving the endpoint's host at subscription time: a slow resolver must not hold a request.
RESOLVE_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    endpoint: str
    p256dh: str
    auth: str


def _allow_private() -> bool:
    return bool(settings.PARLEY_ALLOW_PRIVATE_TARGETS)


def check_endpoint(endpoint: object) -> str:
    """The endpoint if its form is acceptable (InvalidInput otherwise); no resolution here."""
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidInput("`endpoint` is the subscription's URL (a non-empty string).")
    if len(endpoint) > MAX_ENDPOINT_CHARS:
        raise InvalidInput(f"`endpoint` is longer than {MAX_ENDPOINT_CHARS} characters.")
    try:
        url = httpx.URL(endpoint)
    except (httpx.InvalidURL, ValueError) as exc:
        raise InvalidInput(f"`endpoint` is not a URL: {exc}") from exc
    schemes = ("https", "http") if _allow_private() else ("https",)
    if url.scheme not in schemes or not url.host:
        raise InvalidInput("`endpoint` must be an https URL.")
    if url.userinfo:
        raise InvalidInput("`endpoint` must not hold a user name or password.")
    return endpoint


def check_endpoint_address(endpoint: str) -> None:
    """InvalidInput unless the endpoint's host resolves to addresses the guard allows."""

    async def resolve() -> None:
        async with asyncio.timeout(RESOLVE_SECONDS):
            await checked_addresses(httpx.URL(endpoint))

    try:
        asyncio.run(resolve())
    except TimeoutError as exc:
        raise InvalidInput("`endpoint`'s host did not resolve in time.") from exc
    except OutboundError as exc:
        raise InvalidInput(f"`endpoint` is not allowed: {exc}.") from exc


def _check_key(value: object, *, name: str, size: int) -> bytes:
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"`keys.{name}` is base64url text.")
    try:
        raw = b64url_decode(value)
    except ValueError as exc:
        raise InvalidInput(f"`keys.{name}` is not base64url.") from exc
    if len(raw) != size:
        raise InvalidInput(f"`keys.{name}` is {size} bytes, not {len(raw)}.")
    return raw


def check_subscription(data: object) -> SubscriptionInfo:
    """A browser's PushSubscription JSON ({endpoint, keys: {p256dh, auth}}) checked in form:
    the endpoint's URL, a P-256 public point of 65 bytes and an auth secret of 16."""
    if not isinstance(data, dict):
        raise InvalidInput('The body is {"endpoint", "keys": {"p256dh", "auth"}}.')
    endpoint = check_endpoint(data.get("endpoint"))
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise InvalidInput('`keys` is {"p256dh", "auth"}.')
    p256dh = _check_key(keys.get("p256dh"), name="p256dh", size=P256DH_BYTES)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), p256dh)
    except ValueError as exc:
        raise InvalidInput("`keys.p256dh` is not a point of the P-256 curve.") from exc
    _check_key(keys.get("auth"), name="auth", size=AUTH_BYTES)
    return SubscriptionInfo(endpoint=endpoint, p256dh=keys["p256dh"], auth=keys["auth"])


def subscription_add(*, user: AuthUser, data: object) -> PushSubscription:
    """Keep the subscription `data` for `user` (InvalidInput for one refused). An endpoint already
    known moves to `user` with its new keys (one browser profile, whoever subscribed last). A
    user keeps at most PARLEY_PUSH["MAX_SUBSCRIPTIONS_PER_USER"]: the oldest go first."""
    info = check_subscription(data)
    check_endpoint_address(info.endpoint)
    cap = max(1, settings.PARLEY_PUSH["MAX_SUBSCRIPTIONS_PER_USER"])
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=info.endpoint,
            defaults={
                "user": user,
                "p256dh": info.p256dh,
                "auth": info.auth,
                "created_at": timezone.now(),
                "failures": 0,
            },
        )
        kept = PushSubscription.objects.filter(user=user).order_by("-created_at", "-id")
        beyond = list(kept.values_list("pk", flat=True)[cap:])
        if beyond:
            PushSubscription.objects.filter(pk__in=beyond).delete()
    return subscription


def subscription_remove(*, user: AuthUser, endpoint: object) -> bool:
    """Forget `user`'s subscription at `endpoint`; whether there was one (InvalidInput for an
    endpoint that is not a string)."""
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT_CHARS:
        raise InvalidInput("`endpoint` is the subscription's URL (a non-empty string).")
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted > 0
