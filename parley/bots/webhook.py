"""One outgoing webhook delivery: which bots hear a message, what they are sent, what is posted.

A bot user with an `outgoing_url` (parley.accounts.models.Bot) hears a message when it is a
member of the room and the message mentions it, or the room is a direct room: Parley POSTs

    {"bot": {"username"}, "user": {"username"}, "room": {"slug", "name"},
     "message": {"seq", "body", "html", "thread"}, "reply_url"}

to the URL through the outbound guard (parley/core/outbound.py). A `200` answer of `text/plain`
or `text/markdown` (or `application/json` {"text": …}) that is not blank is posted as the bot's
message in the same thread, through `message_post` with the client_id `bot-reply-<room>-<seq>`,
so a second delivery of the same message can never post twice. Messages of bots are never
delivered (no bot answers a bot, itself included: no loops).

Each delivery is tried once: no retry. A failure (refused target, timeout, an answer that is not
2xx, too big, unreadable, or a reply the room refuses) is logged and stored on the Bot
(`last_error`, `last_error_at`) for its owner to see.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from parley.accounts.models import Bot
from parley.core.errors import ParleyError
from parley.core.outbound import OutboundError, OutboundResponse, post_json_blocking
from parley.rooms.changes import ItemAdded
from parley.rooms.mentions import ROOM
from parley.rooms.models import Room
from parley.rooms.services.messages import message_post

log = logging.getLogger(__name__)

# Answers posted as the bot's message.
TEXT_TYPES = frozenset({"text/plain", "text/markdown"})
JSON_TYPE = "application/json"
# The slug prefix of direct rooms (parley/rooms/services/direct.py): a cheap first sieve only.
DIRECT_SLUG_PREFIX = "dm-"
LAST_ERROR_MAX_CHARS = 500


class BadAnswer(Exception):
    """The bot answered, but not with something Parley posts or ignores."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one bot is sent about one message."""

    bot_user_id: int
    bot_username: str
    url: str
    room_slug: str
    payload: dict[str, object]
    reply_thread: int
    client_id: str


def may_concern_bots(change: object) -> bool:
    """Whether a change could be delivered to a bot, decided without the database: a message by
    a user that mentions someone, or in a room that may be a direct one."""
    if not isinstance(change, ItemAdded) or change.user_id is None:
        return False
    item = change.item
    if not item.is_message or item.deleted:
        return False
    named = any(name != ROOM for name in item.mentions)
    return named or item.room.startswith(DIRECT_SLUG_PREFIX)


def reply_url(room_slug: str) -> str:
    """Where a bot posts with its token (the REST API), absolute when PARLEY_SITE_URL is set."""
    return f"{settings.PARLEY_SITE_URL}/api/v1/rooms/{room_slug}/messages"


def deliveries_for(change: ItemAdded) -> list[Delivery]:
    """The bots to tell about the message of `change` (queries the database)."""
    if change.user_id is None or Bot.objects.filter(pk=change.user_id).exists():
        return []
    room = Room.objects.filter(pk=change.room_id).first()
    if room is None:
        return []
    item = change.item
    heard = Q(user__username__in=[name for name in item.mentions if name != ROOM])
    if room.is_direct:
        heard = Q()
    bots = (
        Bot.objects.filter(heard, user__memberships__room=room, user__is_active=True)
        .exclude(outgoing_url="")
        .exclude(pk=change.user_id)
        .select_related("user")
    )
    thread = item.thread if item.thread is not None else item.seq
    payload_base: dict[str, object] = {
        "user": {"username": item.username},
        "room": {"slug": room.slug, "name": room.name},
        "message": {
            "seq": item.seq,
            "body": item.body,
            "html": item.html,
            "thread": item.thread,
        },
        "reply_url": reply_url(room.slug),
    }
    return [
        Delivery(
            bot_user_id=bot.pk,
            bot_username=bot.user.username,
            url=bot.outgoing_url,
            room_slug=room.slug,
            payload={"bot": {"username": bot.user.username}, **payload_base},
            reply_thread=thread,
            client_id=f"bot-reply-{room.pk}-{item.seq}",
        )
        for bot in bots
    ]


def answer_text(response: OutboundResponse) -> str:
    """The text to post from a bot's answer ("" to post nothing); BadAnswer when it is neither
    a reply nor an empty answer."""
    if not 200 <= response.status < 300:
        raise BadAnswer(f"the bot answered HTTP {response.status}")
    if response.status != 200 or not response.text.strip():
        return ""
    text: object
    if response.content_type in TEXT_TYPES:
        text = response.text
    elif response.content_type == JSON_TYPE:
        try:
            data = json.loads(response.text)
        except ValueError as exc:
            raise BadAnswer(f"the bot's JSON answer does not parse: {exc}") from exc
        text = data.get("text", "") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise BadAnswer('the bot\'s JSON answer is not an object with a string "text"')
    else:
        raise BadAnswer(
            f"the bot answered {response.content_type or 'no content type'};"
            ' Parley posts text/plain, text/markdown or JSON {"text": …}'
        )
    assert isinstance(text, str)
    return text if text.strip() else ""


def failure_record(bot_user_id: int, reason: str) -> None:
    """Log a delivery's failure and show it to the bot's owner (Bot.last_error)."""
    log.warning(
        "outgoing webhook of bot %s failed: %s",
        bot_user_id,
        reason,
        extra={"event": "bot_webhook_failed", "bot": bot_user_id},
    )
    Bot.objects.filter(pk=bot_user_id).update(
        last_error=reason[:LAST_ERROR_MAX_CHARS], last_error_at=timezone.now()
    )


def deliver(delivery: Delivery) -> None:
    """POST one delivery and post the bot's answer; failures are recorded, never raised."""
    limits = settings.PARLEY_BOTS
    try:
        response = post_json_blocking(
            delivery.url,
            delivery.payload,
            timeout_seconds=limits["TIMEOUT_SECONDS"],
            max_bytes=limits["MAX_ANSWER_BYTES"],
        )
        text = answer_text(response)
    except (OutboundError, BadAnswer) as exc:
        failure_record(delivery.bot_user_id, str(exc))
        return
    if not text:
        return
    bot = Bot.objects.select_related("user").filter(pk=delivery.bot_user_id).first()
    if bot is None or not bot.user.is_active:
        return
    try:
        message_post(
            user=bot.user,
            room_slug=delivery.room_slug,
            body=text,
            client_id=delivery.client_id,
            thread=delivery.reply_thread,
        )
    except ParleyError as exc:
        failure_record(delivery.bot_user_id, f"the answer was not posted: {exc}")
