"""Rooms, memberships and the room timeline.

A room's timeline is one table of items (messages and membership events) numbered by `seq`
1, 2, 3, … per room with no gaps: `Room.last_seq` is the counter, bumped in the same
transaction that inserts the item (parley.rooms.services.sequence). Models hold no rules;
services do.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Room(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"
        # A direct conversation: its participants are its members, fixed; nobody else sees it.
        DIRECT = "direct", "Direct"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=50, unique=True)
    # One line saying what the room is for, shown on the home page and in the room's header.
    topic = models.CharField(max_length=250, blank=True, default="", db_default="")
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    staff_only = models.BooleanField(
        default=False, help_text="Only staff users can see and join this room."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_rooms",
    )
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Every new account joins this room (#general, made on the first-run page); leaving is allowed.
    auto_join = models.BooleanField(default=False, db_default=False)
    # Only the owner, moderators and staff post (announcements); others read and react.
    read_only = models.BooleanField(default=False, db_default=False)
    # An archived room is read-only for everyone and leaves the sidebar; None: not archived.
    archived_at = models.DateTimeField(null=True, blank=True)
    # Direct rooms only: the participants' ids, sorted, joined by ","; one room per set.
    direct_key = models.CharField(max_length=200, null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["direct_key"],
                condition=Q(direct_key__isnull=False),
                name="room_unique_direct_key",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE

    @property
    def is_direct(self) -> bool:
        return self.visibility == self.Visibility.DIRECT


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"

    class Level(models.TextChoices):
        ALL = "all", "All messages"
        MENTIONS = "mentions", "Mentions"
        NONE = "none", "Nothing"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    # The member's read pointer: the last seq they have read (never moves backwards).
    last_read_seq = models.PositiveBigIntegerField(default=0)
    role = models.CharField(
        max_length=12, choices=Role.choices, default=Role.MEMBER, db_default=Role.MEMBER
    )
    # The member's notification level; "" = the default (mentions; all in direct rooms).
    level = models.CharField(max_length=8, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="membership_unique_room_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"


class Item(models.Model):
    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        JOIN = "join", "Join"
        LEAVE = "leave", "Leave"
        EDIT = "edit", "Edit"
        DELETE = "delete", "Delete"
        REACTION = "reaction", "Reaction"
        # Changes of the room itself: `event` items (parley/rooms/services/roles.py).
        RENAME = "rename", "Rename"
        READ_ONLY = "read_only", "Read-only"
        ARCHIVE = "archive", "Archive"
        OWNER = "owner", "Owner"
        ROLE = "role", "Role"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The author of a message, or the subject of a membership event.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True, default="")
    # NULL for events: the partial unique constraint below covers only real client ids.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # Set when an Attachment belongs to this message: serialisers read it without a query.
    has_attachment = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The server's rendering of `body` (messages and edits), made when it is written.
    html = models.TextField(blank=True, default="", db_default="")
    # A reply: the seq of its thread's root message.
    thread_seq = models.PositiveBigIntegerField(null=True, blank=True)
    # An edit, deletion or reaction: the seq of the message it changes.
    target_seq = models.PositiveBigIntegerField(null=True, blank=True)
    # A reaction: the emoji and "add" or "remove".
    emoji = models.CharField(max_length=64, blank=True, default="", db_default="")
    op = models.CharField(max_length=8, blank=True, default="", db_default="")
    # Usernames mentioned (and "@room"); None when none.
    mentions = models.JSONField(null=True, blank=True)
    # A message as it is now (kept in step by the services, in the transaction of the item that
    # changes it): history and backlogs read it without replaying anything.
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False, db_default=False)
    # [{"emoji": "👍", "users": ["ada", …]}, …] in the order each emoji was first added.
    reactions = models.JSONField(null=True, blank=True)
    reply_count = models.PositiveIntegerField(default=0, db_default=0)
    last_reply_at = models.DateTimeField(null=True, blank=True)
    # The seq of the last item that changed this message (0: none).
    state_seq = models.PositiveBigIntegerField(default=0, db_default=0)
    # The name a message shows for its author when it is not their own: an incoming webhook's
    # name, or the `username` its payload gave ("" = the author's own).
    display_name = models.CharField(max_length=80, blank=True, default="", db_default="")
    # An event done by someone to someone else (a member removed, a moderator named, ownership
    # given): who did it; `user` is whom it was done to. None when the subject acted themselves.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An event's particulars: {"from": old, "to": new name}, {"on": true}, {"role": "moderator"}.
    detail = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["room", "seq"]
        indexes = [
            models.Index(
                fields=["room", "thread_seq", "seq"],
                condition=Q(thread_seq__isnull=False),
                name="item_thread",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="item_unique_room_seq"),
            # Idempotent sends: a client_id is stored once per author and room, also when two
            # copies race on two connections or two processes.
            models.UniqueConstraint(
                fields=["room", "user", "client_id"],
                condition=Q(client_id__isnull=False),
                name="item_unique_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq} {self.kind}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Stored under a generated name: the uploaded name is only ever shown, never used as a path."""
    import uuid

    return f"attachments/{instance.item.room_id}/{uuid.uuid4().hex}"


class Mention(models.Model):
    """A message that mentions a user (`user`), or the whole room (`user` NULL: `@room`)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="mention_rows")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["user", "room", "seq"], name="mention_user_room_seq"),
            models.Index(
                fields=["room", "seq"], condition=Q(user__isnull=True), name="mention_room_seq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq} mentions {self.user_id or '@room'}"


class Attachment(models.Model):
    """A file posted into a room: the message item it belongs to carries it."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="attachment")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    # The sanitised name shown to people; the content type found by reading the content.
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    # True only for images of a safe type whose content matches it: shown inline.
    inline = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class IncomingWebhook(models.Model):
    """A secret URL (`/hooks/<token>`) that posts into one room as its own bot user
    (parley.accounts.models.Bot), made by the room's owner. The token is stored like an access
    token: its public `prefix` and the SHA-256 of the whole token."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=80)
    # The bot user its messages come from.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} in {self.room_id}"


class MessageManager(models.Manager["Message"]):
    def get_queryset(self) -> models.QuerySet["Message"]:
        return super().get_queryset().filter(kind=Item.Kind.MESSAGE)


class EventManager(models.Manager["Event"]):
    def get_queryset(self) -> models.QuerySet["Event"]:
        return super().get_queryset().filter(kind__in=[Item.Kind.JOIN, Item.Kind.LEAVE])


class Message(Item):
    """The messages of the timeline, for the admin."""

    objects: ClassVar[MessageManager] = MessageManager()

    class Meta:
        proxy = True


class Event(Item):
    """The membership events of the timeline, for the admin."""

    objects: ClassVar[EventManager] = EventManager()

    class Meta:
        proxy = True
