"""Users, sessions, rooms and memberships for the benchmark, made in bulk inside Parley.

Signing 10,000 users up over HTTP would take longer than the benchmark, so this runs inside
`manage.py shell` (see bench/servers.py): users are bulk-inserted with one shared password
hash, each gets a database session exactly like a log-in makes (user id, backend, session
auth hash), and the session keys are written to a JSON file for the load generator's cookies.

Rooms are made with Parley's own `room_create`. Memberships of the big rooms are bulk-inserted
rather than made one by one with `room_join` (one transaction and one `join` item each): the
benchmark measures messages, and at 10,000 users `room_join` alone takes minutes here.

    room "bench": users 0..members-1 are members (the fan-out scenarios).
    room "lobby": only users 0..lobby_members-1 are members; anyone may subscribe to a public
    room, so the 10,000-connection scenario subscribes everyone without a 10,000-name member
    list in each `subscribed` reply.

The big-room scenarios (bench/bigrooms.py) add theirs when they run (`room_of`, `many_rooms`):
rooms whose members are exactly users 0..N-1, and one user in 200 rooms with unread messages.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from parley.rooms.models import Item, Membership, Room
from parley.rooms.services import message_post, room_create

BATCH = 1000
BACKEND = "django.contrib.auth.backends.ModelBackend"


def username(index: int) -> str:
    return f"u{index:05d}"


def _users(count: int) -> list:
    User = get_user_model()
    password = make_password(secrets.token_urlsafe(16))
    User.objects.bulk_create(
        [User(username=username(i), password=password) for i in range(count)], batch_size=BATCH
    )
    return list(User.objects.filter(username__startswith="u").order_by("username")[:count])


def _sessions(users: list) -> list[str]:
    """One logged-in database session per user, as `django.contrib.auth.login` stores it."""
    store = SessionStore()
    auth_hash = users[0].get_session_auth_hash()  # the same password hash for every user
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, keys = [], []
    for user in users:
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: BACKEND,
            HASH_SESSION_KEY: auth_hash,
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=BATCH)
    return keys


def _members(room: Room, users: list) -> None:
    Membership.objects.bulk_create(
        [Membership(room=room, user=user) for user in users if user.pk != room.owner_id],
        batch_size=BATCH,
    )


def seed(*, users: int, members: int, lobby_members: int, out: str) -> None:
    """Make the users and rooms and write {"sessions": [key of user i, …]} to `out`."""
    with transaction.atomic():
        people = _users(users)
        keys = _sessions(people)
    bench = room_create(owner=people[0], name="Bench", slug="bench")
    lobby = room_create(owner=people[0], name="Lobby", slug="lobby")
    with transaction.atomic():
        _members(bench, people[:members])
        _members(lobby, people[:lobby_members])
    Path(out).write_text(json.dumps({"sessions": keys}))


def room_of(*, slug: str, members: int) -> None:
    """A public room `slug` whose members are exactly users 0..members-1 (user 0 owns it), made
    once: a second call with the same slug does nothing."""
    if Room.objects.filter(slug=slug).exists():
        return
    people = list(
        get_user_model().objects.filter(username__startswith="u").order_by("username")[:members]
    )
    room = room_create(owner=people[0], name=slug.title(), slug=slug)
    with transaction.atomic():
        _members(room, people)


MANY_USER = "many"


def many_rooms(*, slugs: list[str], unread: int) -> None:
    """User "many", a member of the rooms `slugs` (every other one private; user 0 owns them, and
    wrote `unread` messages in each that "many" has not read), made once; prints a new session
    key of "many" (the last line of output).

    Bulk-inserted as `room_create` and `message_post` would leave them (the owner's and "many"'s
    memberships, the owner's `join` item as seq 1, the messages after it, `last_seq`), without
    their 200 transactions and change events: nothing is subscribed while seeding.
    """
    User = get_user_model()
    owner = User.objects.get(username=username(0))
    many, made = User.objects.get_or_create(
        username=MANY_USER, defaults={"password": owner.password}
    )
    if made:
        with transaction.atomic():
            _many_rooms(owner, many, slugs, unread)
    print(_sessions([many])[0])


def _many_rooms(owner, many, slugs: list[str], unread: int) -> None:
    now = timezone.now()
    Room.objects.bulk_create(
        [
            Room(
                name=slug.title(),
                slug=slug,
                visibility=Room.Visibility.PRIVATE if n % 2 else Room.Visibility.PUBLIC,
                owner=owner,
                last_seq=1 + unread,
            )
            for n, slug in enumerate(slugs)
        ],
        batch_size=BATCH,
    )
    made = list(Room.objects.filter(slug__in=slugs))
    Membership.objects.bulk_create(
        [Membership(room=room, user=person) for room in made for person in (owner, many)],
        batch_size=BATCH,
    )
    items = []
    for room in made:
        items.append(Item(room=room, seq=1, kind=Item.Kind.JOIN, user=owner, created_at=now))
        items += [
            Item(
                room=room,
                seq=seq,
                kind=Item.Kind.MESSAGE,
                user=owner,
                body=f"unread {seq}",
                html=f"<p>unread {seq}</p>",
                created_at=now,
            )
            for seq in range(2, unread + 2)
        ]
    Item.objects.bulk_create(items, batch_size=BATCH)


def post(*, count: int, room: str = "bench") -> None:
    """Post `count` messages as user 0 (Parley's own service) and print the room's last seq."""
    author = get_user_model().objects.get(username=username(0))
    batch = secrets.token_hex(4)
    for n in range(count):
        message_post(user=author, room_slug=room, body=f"away {n}", client_id=f"away-{batch}-{n}")
    print(Room.objects.get(slug=room).last_seq)
