"""One Web Push: the payload, its encryption and signature, the POST, and what its answer means.

The payload is JSON {title, body, url, room, seq} encrypted to the browser's keys (RFC 8291,
`aes128gcm`, pywebpush's encoder) and sent with a VAPID `Authorization` (RFC 8292), a `TTL`
and an `Urgency` (`high` for a mention or a direct message, else `normal`), through the
outbound guard (parley/core/outbound.py): the endpoint's address is checked at every push.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from enum import Enum

from django.db.models import F
from django.utils import timezone
from pywebpush import WebPusher  # type: ignore[import-untyped]

from parley.core.outbound import OutboundFailed, OutboundRefused, post
from parley.notify.models import PushSubscription
from parley.notify.vapid import authorization
from parley.rooms.changes import ItemAdded
from parley.rooms.models import Room

log = logging.getLogger(__name__)

USER_AGENT = "Parley (Web Push)"
EXCERPT_CHARS = 140
ELLIPSIS = "…"
# Push services answer with a line or two; the guard reads no more than this.
MAX_ANSWER_BYTES = 4096
# Seconds waited after a 429 or 503 whose Retry-After asks for more than this are capped to it.
MAX_RETRY_AFTER = 60.0


@dataclass(frozen=True, slots=True)
class Notice:
    """What a message tells its recipients: built once per message, whoever they are."""

    room_id: int
    room: str  # slug
    direct: bool
    seq: int
    author: str
    excerpt: str

    @property
    def place(self) -> str:
        return f"#{self.room}"

    @property
    def url(self) -> str:
        return f"/rooms/{self.room}/?seq={self.seq}"


def excerpt(text: str, *, limit: int = EXCERPT_CHARS) -> str:
    """The message's text on one line, cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + ELLIPSIS


def notice_of(change: ItemAdded, room: Room) -> Notice:
    item = change.item
    text = item.body
    if not text.strip() and item.attachment is not None:
        text = f"sent a file: {item.attachment.name}"
    return Notice(
        room_id=room.pk,
        room=room.slug,
        direct=room.is_direct,
        seq=item.seq,
        author=item.display_name or item.username or "someone",
        excerpt=excerpt(text),
    )


def payload(first: Notice, count: int = 1) -> dict[str, object]:
    """The push about `first` and the `count` - 1 messages after it in its room."""
    if count == 1:
        title = first.author if first.direct else f"{first.author} in {first.place}"
        body = first.excerpt
    else:
        title = first.author if first.direct else first.place
        body = f"{count} new messages" + ("" if first.direct else f" in {first.place}")
    return {"title": title, "body": body, "url": first.url, "room": first.room, "seq": first.seq}


@dataclass(frozen=True, slots=True)
class Target:
    """A subscription as the worker carries it (no model instance across threads)."""

    id: int
    endpoint: str
    p256dh: str
    auth: str


class Result(Enum):
    DELIVERED = "delivered"
    GONE = "gone"  # 404 or 410: the browser unsubscribed; forget the subscription
    RETRY = "retry"  # a timeout, a connection error, 429 or 5xx: try again later
    FAILED = "failed"  # refused otherwise: trying the same push again would not help


@dataclass(frozen=True, slots=True)
class Outcome:
    result: Result
    detail: str = ""
    retry_after: float | None = None


def encrypted(target: Target, data: dict[str, object]) -> bytes:
    info = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
    raw = json.dumps(data, ensure_ascii=False).encode()
    body: bytes = WebPusher(info).encode(raw, content_encoding="aes128gcm")["body"]
    return body


def _retry_after(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None
    return min(float(value.strip()), MAX_RETRY_AFTER)


async def push_send(
    target: Target, data: dict[str, object], *, urgency: str, ttl: int, deadline: float
) -> Outcome:
    """POST one push to `target`; what came of it. Never raises for the push service's or the
    subscription's doing; a VAPID key misconfigured raises (ImproperlyConfigured), counted
    against no subscription."""
    signed = authorization(target.endpoint)
    try:
        body = encrypted(target, data)
    except Exception as exc:  # keys the browser gave that encryption cannot use
        return Outcome(Result.FAILED, f"cannot encrypt to this subscription: {exc}")
    headers = {
        "Content-Type": "application/octet-stream",
        "Content-Encoding": "aes128gcm",
        "TTL": str(ttl),
        "Urgency": urgency,
        "Authorization": signed,
    }
    try:
        response = await post(
            target.endpoint,
            body,
            headers=headers,
            timeout_seconds=deadline,
            max_bytes=MAX_ANSWER_BYTES,
            user_agent=USER_AGENT,
        )
    except OutboundRefused as exc:
        return Outcome(Result.FAILED, str(exc))
    except OutboundFailed as exc:
        return Outcome(Result.RETRY, str(exc))
    status = response.status
    if 200 <= status < 300:
        return Outcome(Result.DELIVERED)
    if status in (404, 410):
        return Outcome(Result.GONE, f"the push service answered {status}")
    if status == 429 or status >= 500:
        return Outcome(
            Result.RETRY,
            f"the push service answered {status}",
            retry_after=_retry_after(response.headers.get("retry-after")),
        )
    return Outcome(Result.FAILED, f"the push service answered {status}: {response.text[:200]}")


# -- what an outcome changes in the database (run on a database thread) ---------------------


def targets_of(user_id: int) -> list[Target]:
    return [
        Target(id=pk, endpoint=endpoint, p256dh=p256dh, auth=auth)
        for pk, endpoint, p256dh, auth in PushSubscription.objects.filter(
            user_id=user_id
        ).values_list("pk", "endpoint", "p256dh", "auth")
    ]


def outcome_record(target: Target, outcome: Outcome, *, max_failures: int) -> None:
    """A delivered push resets the subscription's failures; a gone one deletes it; a failure
    (retries spent) counts, and past `max_failures` in a row deletes it."""
    subscriptions = PushSubscription.objects.filter(pk=target.id)
    if outcome.result is Result.DELIVERED:
        subscriptions.update(last_success_at=timezone.now(), failures=0)
        return
    log.info(
        "push to subscription %s: %s (%s)",
        target.id,
        outcome.result.value,
        outcome.detail,
        extra={"event": "push_failed", "subscription": target.id},
    )
    if outcome.result is Result.GONE:
        subscriptions.delete()
        return
    subscriptions.update(failures=F("failures") + 1)
    subscriptions.filter(failures__gte=max_failures).delete()
