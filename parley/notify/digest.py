"""Digest emails for people who were not around (docs/notifications.md, "Email").

Once a message has waited unread for PARLEY_EMAIL_NOTIFY_DELAY, it goes into ONE email per
person per run, with a link to each message, if it is one they would be notified of: the room's
notification level is `all` (the default in direct rooms), or `mentions` (the default elsewhere)
and it mentions them or `@room`; never their own, never in a room set to `none`. Only people
with a verified address, digest emails on, not in do not disturb, active.

EmailedThrough keeps, per person and room, the last seq already emailed. Several server
processes may run this at once: each claims a person's room with a conditional UPDATE from the
seq it read to the seq it will email through, so only one of them wins and nothing goes twice.
A run costs a handful of queries plus one UPDATE per (person, room) with something to send.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import close_old_connections, connection, transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from parley.accounts.models import NotificationPrefs, Profile, SiteSettings
from parley.accounts.profiles import shown_name
from parley.accounts.signed_links import site_url, unsubscribe_url
from parley.core.types import AuthUser
from parley.notify.models import EmailedThrough
from parley.rooms.models import Item, Membership, Mention, Room

logger = logging.getLogger(__name__)

# Messages listed in one email; the rest are counted ("and 12 more").
MAX_LISTED = 50
# Rows one run reads at most; anything past it waits for the next run.
MAX_ROWS = 5000
EXCERPT_CHARS = 200
LOOP_SECONDS = 60.0
UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Pending:
    """A message to tell `user_id` of; `emailed_seq` is their EmailedThrough seq in the room as
    read (None: no row yet)."""

    user_id: int
    room_id: int
    seq: int
    item_id: int
    emailed_seq: int | None


def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def digest_pending(*, now: datetime) -> dict[int, list[Pending]]:
    """What each person is due to be emailed at `now`, by user id, in room and seq order.
    One query: it walks only the unread part of each membership's timeline (item (room, seq))."""
    cutoff = now - timedelta(seconds=settings.PARLEY_EMAIL_NOTIFY_DELAY)
    sql = f"""
        SELECT m.user_id, i.room_id, i.seq, i.id, e.seq
        FROM {_table(Membership)} m
        JOIN {_table(NotificationPrefs)} p ON p.user_id = m.user_id
        JOIN {_table(get_user_model())} u ON u.id = m.user_id
        JOIN {_table(Room)} r ON r.id = m.room_id
        JOIN {_table(Item)} i ON i.room_id = m.room_id AND i.seq > m.last_read_seq
        LEFT JOIN {_table(EmailedThrough)} e ON e.user_id = m.user_id AND e.room_id = m.room_id
        WHERE p.email_notify = %s AND p.email_verified <> '' AND p.email_verified = u.email
          AND u.is_active = %s AND (p.dnd_until IS NULL OR p.dnd_until <= %s)
          AND m.level <> 'none'
          AND i.kind = 'message' AND i.deleted = %s AND i.created_at <= %s
          AND i.seq > COALESCE(e.seq, 0)
          AND (i.user_id IS NULL OR i.user_id <> m.user_id)
          AND (
            m.level = 'all' OR (m.level = '' AND r.visibility = 'direct')
            OR EXISTS (
              SELECT 1 FROM {_table(Mention)} x
              WHERE x.item_id = i.id AND (x.user_id = m.user_id OR x.user_id IS NULL)
            )
          )
        ORDER BY m.user_id, i.room_id, i.seq
        LIMIT %s
    """  # noqa: S608 (table names only; every value is a parameter)
    adapt = connection.ops.adapt_datetimefield_value
    params = [True, True, adapt(now), False, adapt(cutoff), MAX_ROWS]
    pending: dict[int, list[Pending]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for user_id, room_id, seq, item_id, emailed_seq in cursor.fetchall():
            pending[user_id].append(Pending(user_id, room_id, seq, item_id, emailed_seq))
    return dict(pending)


def _claim(rows: list[Pending], *, now: datetime) -> dict[int, tuple[int, int]]:
    """Take one person's rows for this run: {room id: (seq before, seq now)}, or {} when another
    run took them first."""
    through: dict[int, tuple[int, int]] = {}
    for row in rows:
        before = row.emailed_seq or 0
        through[row.room_id] = (before, max(row.seq, through.get(row.room_id, (0, 0))[1]))
    user_id = rows[0].user_id
    missing = {row.room_id for row in rows if row.emailed_seq is None}
    if missing:
        EmailedThrough.objects.bulk_create(
            [EmailedThrough(user_id=user_id, room_id=room_id, seq=0) for room_id in missing],
            ignore_conflicts=True,
        )
    # All of a person's rooms or none, taken in room order: two runs that read the same seqs
    # cannot split one person's digest into two emails. The second run's first UPDATE waits for
    # the first run's transaction (a row lock on PostgreSQL, the write lock on SQLite), then
    # matches nothing, and it gives up the rest.
    try:
        with transaction.atomic():
            for room_id, (before, upto) in sorted(through.items()):
                if not EmailedThrough.objects.filter(
                    user_id=user_id, room_id=room_id, seq=before
                ).update(seq=upto, emailed_at=now):
                    raise _Taken()
    except _Taken:
        return {}
    return through


class _Taken(Exception):
    """Another run claimed part of a person's digest first."""


def _release(user_id: int, claims: dict[int, tuple[int, int]]) -> None:
    """Give back the claims of an email that could not be sent: the next run tries again."""
    for room_id, (before, upto) in claims.items():
        EmailedThrough.objects.filter(user_id=user_id, room_id=room_id, seq=upto).update(seq=before)


def _excerpt(item: Item) -> str:
    text = " ".join(item.body.split())
    if not text:
        return "(a file)" if item.has_attachment else ""
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _zones(user_ids: list[int]) -> dict[int, ZoneInfo]:
    """Each person's profile time zone (UTC where none or unknown): the times in their email."""
    zones = {}
    for user_id, name in Profile.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "time_zone"
    ):
        try:
            zones[user_id] = ZoneInfo(name) if name else UTC_ZONE
        except (ZoneInfoNotFoundError, ValueError):
            zones[user_id] = UTC_ZONE
    return zones


def _entries(
    rows: list[Pending], items: dict[int, Item], site: str, zone: ZoneInfo
) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for row in rows:
        item = items.get(row.item_id)
        if item is None or item.deleted:
            continue
        room = item.room
        author = item.display_name or (shown_name(item.user) if item.user else "someone")
        entries.append(
            {
                "room": "Direct message" if room.is_direct else f"#{room.name}",
                "author": author,
                "excerpt": _excerpt(item),
                "at": item.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
                "url": f"{site}{reverse('room', args=[room.slug])}?seq={item.seq}",
            }
        )
    return entries


def digest_send(pending: dict[int, list[Pending]], *, now: datetime) -> int:
    """Claim and email what `digest_pending` found: one email per person. Returns how many
    emails went out."""
    if not pending:
        return 0
    site = site_url()
    site_name = SiteSettings.objects.filter(pk=1).values_list("name", flat=True).first() or "Parley"
    claimed: dict[int, dict[int, tuple[int, int]]] = {}
    for user_id, rows in pending.items():
        claims = _claim(rows, now=now)
        if claims:
            claimed[user_id] = claims
    if not claimed:
        return 0
    wanted = [row.item_id for uid in claimed for row in pending[uid] if row.room_id in claimed[uid]]
    items = Item.objects.select_related("room", "user__profile").in_bulk(wanted)
    users = get_user_model()._default_manager.in_bulk(list(claimed))
    zones = _zones(list(claimed))
    mail = get_connection()
    try:
        mail.open()
    except (smtplib.SMTPException, OSError):
        # No mail server now: everything claimed waits for the next run.
        for user_id, claims in claimed.items():
            _release(user_id, claims)
        raise
    sent = 0
    try:
        for user_id, claims in claimed.items():
            user = users.get(user_id)
            rows = [row for row in pending[user_id] if row.room_id in claims]
            zone = zones.get(user_id, UTC_ZONE)
            entries = _entries(rows, items, site, zone) if user else []
            if user is None or not entries:
                continue
            message = _message(user=user, entries=entries, site=site, site_name=site_name)
            message.connection = mail
            try:
                message.send()
            except (smtplib.SMTPException, OSError):
                logger.warning("digest email not sent", extra={"event": "email_failed"})
                _release(user_id, claims)
                continue
            sent += 1
    finally:
        mail.close()
    return sent


def _message(
    *, user: AuthUser, entries: list[dict[str, object]], site: str, site_name: str
) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(site=site, user_id=user.pk)
    context = {
        "username": user.get_username(),
        "site_name": site_name,
        "entries": entries[:MAX_LISTED],
        "more": max(0, len(entries) - MAX_LISTED),
        "count": len(entries),
        "settings_url": site + reverse("settings_notifications"),
        "unsubscribe_url": unsubscribe,
    }
    noun = "message" if len(entries) == 1 else "messages"
    message = EmailMultiAlternatives(
        subject=f"{len(entries)} unread {noun} on {site_name}",
        body=render_to_string("notify/email/digest.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("notify/email/digest.html", context), "text/html")
    return message


def send_due_digests(*, now: datetime) -> int:
    """Email everyone what is due at `now` (safe to run in several processes at once).
    Returns how many emails went out."""
    return digest_send(digest_pending(now=now), now=now)


def _run_once() -> int:
    # A thread of the loop's executor: its connection may have been left by the last run.
    close_old_connections()
    try:
        return send_due_digests(now=timezone.now())
    finally:
        connection.close()


async def digest_loop(*, interval: float = LOOP_SECONDS) -> None:
    """Send due digests every `interval` seconds until cancelled, in a thread (it blocks on the
    database and SMTP). A failed run is logged and the loop goes on."""
    while True:
        try:
            await asyncio.to_thread(_run_once)
        except Exception:
            logger.exception("digest run failed", extra={"event": "digest_failed"})
        await asyncio.sleep(interval)
