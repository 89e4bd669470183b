"""Data for the socket tests, made in sync code and awaited from async tests."""

from channels.db import database_sync_to_async

from parley.rooms import services
from parley.rooms.models import Item, Room
from tests.factories import UserFactory
from tests.factories import make_room as make_room_sync


@database_sync_to_async
def make_user(username: str, **fields):
    return UserFactory(username=username, **fields)


@database_sync_to_async
def make_room(owner, slug: str, *, visibility="public", staff_only=False, members=()):
    room = make_room_sync(owner, slug=slug, visibility=visibility, staff_only=staff_only)
    for member in members:
        services.room_join(user=member, room=room)
    return room


@database_sync_to_async
def join(user, slug: str) -> None:
    services.room_join(user=user, room=Room.objects.get(slug=slug))


@database_sync_to_async
def post(user, slug: str, body: str, client_id: str) -> Item:
    return services.message_post(user=user, room_slug=slug, body=body, client_id=client_id).item


@database_sync_to_async
def stored_messages(slug: str) -> list[Item]:
    return list(Item.objects.filter(room__slug=slug, kind=Item.Kind.MESSAGE).order_by("seq"))
