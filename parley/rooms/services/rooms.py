"""Creating, changing and deleting rooms."""

import unicodedata

from django.db import IntegrityError, transaction

from parley.core import changes, ratelimit
from parley.core.errors import InvalidInput
from parley.core.text import clean_display_name, is_valid_slug
from parley.core.types import AuthUser
from parley.rooms.changes import RoomAccessChanged, item_added
from parley.rooms.models import Item, Membership, Room
from parley.rooms.services.memberships import check_can_manage_members
from parley.rooms.services.sequence import item_append

ROOM_NAME_MAX = 80
# The model's column sizes, read from the model so the forms' limits cannot drift from them.
ROOM_SLUG_MAX: int = Room._meta.get_field("slug").max_length  # type: ignore[assignment]
ROOM_TOPIC_MAX: int = Room._meta.get_field("topic").max_length  # type: ignore[assignment]


def check_room_name(name: str) -> str:
    """The cleaned name, or InvalidInput. Forms call this too, so the rule lives once."""
    cleaned = clean_display_name(name)
    if not cleaned:
        raise InvalidInput("A room needs a name.")
    if len(cleaned) > ROOM_NAME_MAX:
        raise InvalidInput(f"A room name has at most {ROOM_NAME_MAX} characters.")
    # NUL cannot be stored in PostgreSQL text; tabs, newlines and the like have no place in a name.
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidInput("A room name cannot contain control characters.")
    return cleaned


def check_room_topic(topic: str) -> str:
    """The cleaned topic ("" for none), or InvalidInput: one line of text, at most 250 long."""
    cleaned = clean_display_name(topic)
    if len(cleaned) > ROOM_TOPIC_MAX:
        raise InvalidInput(f"A room topic has at most {ROOM_TOPIC_MAX} characters.")
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise InvalidInput("A room topic is one line, without control characters.")
    return cleaned


def check_slug_format(slug: str) -> str:
    if not is_valid_slug(slug):
        raise InvalidInput(
            "A slug is 1 to 50 lowercase letters, digits and dashes, "
            "starting and ending with a letter or digit."
        )
    return slug


def check_room_slug(slug: str) -> str:
    check_slug_format(slug)
    if Room.objects.filter(slug=slug).exists():
        raise InvalidInput("That slug is taken.")
    return slug


# What a room can be made as, or changed to: direct rooms are made by `dm` only.
ROOM_VISIBILITIES = (Room.Visibility.PUBLIC, Room.Visibility.PRIVATE)


def check_visibility(visibility: str) -> str:
    if visibility not in ROOM_VISIBILITIES:
        raise InvalidInput("Visibility is public or private.")
    return visibility


def check_staff_only(*, owner: AuthUser, staff_only: bool) -> None:
    if staff_only and not owner.is_staff:
        raise InvalidInput("Only staff can create staff-only rooms.")


def check_room_create_rate(*, actor: AuthUser) -> None:
    """One more room asked for by `actor`: RateLimited when too many. Staff are not limited.

    Every attempt that reaches the service counts, a taken slug included: slugs are one
    namespace, so "taken" would otherwise let anyone probe for private rooms' slugs unthrottled.
    """
    if not actor.is_staff:
        ratelimit.check(ratelimit.Action.ROOM_CREATE, user=actor)


def room_create(
    *,
    owner: AuthUser,
    name: str,
    slug: str,
    visibility: str = Room.Visibility.PUBLIC,
    topic: str = "",
    staff_only: bool = False,
    actor: AuthUser | None = None,
) -> Room:
    """Create a room; its creator becomes its owner and first member (the join event is seq 1).

    `actor` is who asks: the owner, unless staff create the room for someone in the admin. The
    attempt counts against the actor's room limit (RateLimited) before anything is judged.
    """
    check_room_create_rate(actor=actor or owner)
    name = check_room_name(name)
    slug = check_room_slug(slug)
    visibility = check_visibility(visibility)
    topic = check_room_topic(topic)
    check_staff_only(owner=owner, staff_only=staff_only)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                name=name,
                slug=slug,
                visibility=visibility,
                topic=topic,
                staff_only=staff_only,
                owner=owner,
            )
            Membership.objects.create(room=room, user=owner)
            event = item_append(room=room, kind=Item.Kind.JOIN, user=owner)
            changes.emit_on_commit(item_added(event, room=room))
    except IntegrityError:
        raise InvalidInput("That slug is taken.") from None
    return room


# Changing one of these changes who may see the room.
ACCESS_FIELDS = frozenset({"visibility", "staff_only"})


def room_update(*, room: Room, fields: list[str] | tuple[str, ...]) -> None:
    """Save the room's changed `fields` (the admin's edit; the caller validated them).

    Only those fields are written: a full save would write back a `last_seq` read before a
    message posted meanwhile. Emits, after commit, when visibility or staff-only changed: a
    re-check of every open subscription to the room, in every server process, which ends
    those of users who may no longer see it (`unsubscribed`, then nothing of the room).
    """
    fields = list(fields)
    if not fields:
        return
    with transaction.atomic():
        room.save(update_fields=fields)
        if ACCESS_FIELDS.intersection(fields):
            changes.emit_on_commit(RoomAccessChanged(room.pk))


def room_topic_set(*, actor: AuthUser, room: Room, topic: str) -> bool:
    """The owner (or staff) sets the room's topic ("" clears it); whether it changed.

    Forbidden for anyone else, InvalidInput for a topic `check_room_topic` refuses. Nothing is
    emitted: the topic is read with the room's pages, it is not part of the timeline.
    """
    check_can_manage_members(actor=actor, room=room)
    topic = check_room_topic(topic)
    if topic == room.topic:
        return False
    room.topic = topic
    room_update(room=room, fields=["topic"])
    return True


def room_delete(*, room: Room) -> None:
    """Delete the room with its timeline and memberships. Emits, after commit, the end of every
    open subscription to it, in every server process."""
    room_id = room.pk
    with transaction.atomic():
        room.delete()
        changes.emit_on_commit(RoomAccessChanged(room_id))
