"""Data for async tests, made through the services in sync code and awaited.

Each helper runs on a database thread (`database_sync_to_async`), so the tests that use them are
marked `django_db(transaction=True)`: the server's threads see only what is committed. Sync
tests build rows with tests/factories.py; the fixtures in tests/conftest.py work for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.db import transaction

from parley.rooms import services
from parley.rooms.models import Item, Room
from tests.factories import UserFactory
from tests.factories import make_room as make_room_sync


@dataclass(frozen=True)
class StoredItem:
    """A timeline row as a test compares it, read once (no lazy relation to await)."""

    seq: int
    kind: str
    username: str | None
    body: str
    client_id: str | None
    id: int


def _user(username: str | None = None, **fields):
    if username is not None:
        fields["username"] = username
    return UserFactory(**fields)


def _room(owner, slug: str, *, visibility="public", staff_only=False, members=()):
    """A room made through the service (the owner's join is seq 1), then each member's join."""
    room = make_room_sync(owner, slug=slug, visibility=visibility, staff_only=staff_only)
    for member in members:
        services.room_join(user=member, room=room)
    return room


def _post(user, slug: str, body: str, client_id: str) -> Item:
    return services.message_post(user=user, room_slug=slug, body=body, client_id=client_id).item


def _post_many(user, slug: str, count: int, *, prefix: str = "bulk") -> None:
    """`count` messages through the service, in one transaction: fast, and announced at commit."""
    with transaction.atomic():
        for n in range(count):
            _post(user, slug, f"{prefix} {n}", f"{prefix}-{n}")


def _join(user, slug: str) -> None:
    services.room_join(user=user, room=Room.objects.get(slug=slug))


def _leave(user, slug: str) -> None:
    services.room_leave(user=user, room=Room.objects.get(slug=slug))


def _remove_member(actor, slug: str, username: str) -> None:
    services.membership_remove(actor=actor, room=Room.objects.get(slug=slug), username=username)


def _stored(slug: str) -> list[StoredItem]:
    return [
        StoredItem(
            seq=item.seq,
            kind=item.kind,
            username=item.user.username if item.user_id else None,
            body=item.body,
            client_id=item.client_id,
            id=item.pk,
        )
        for item in Item.objects.filter(room__slug=slug).select_related("user").order_by("seq")
    ]


make_user = database_sync_to_async(_user)
make_room = database_sync_to_async(_room)
post = database_sync_to_async(_post)
post_many = database_sync_to_async(_post_many)
join = database_sync_to_async(_join)
leave = database_sync_to_async(_leave)
remove_member = database_sync_to_async(_remove_member)
stored = database_sync_to_async(_stored)


async def stored_messages(slug: str) -> list[StoredItem]:
    """The room's messages (not its join and leave events), in seq order."""
    return [item for item in await stored(slug) if item.kind == Item.Kind.MESSAGE]
