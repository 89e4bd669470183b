"""The admin: rooms, memberships and the timeline, changed through the same services.

Adding a membership here announces the join to the room live, like joining from a page;
removing one announces the leave. Making a room private or staff-only, or deleting it, ends the
open subscriptions of everyone who may no longer see it. Timeline items are read-only: seq must
stay gapless. The forms run the services' own checks, so a refused name, slug or member is a
form error, not a 500.
"""

import uuid
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from parley.core.errors import ParleyError
from parley.core.types import AuthUser
from parley.rooms import services
from parley.rooms.models import (
    Attachment,
    Event,
    IncomingWebhook,
    Item,
    Membership,
    Message,
    Room,
)
from parley.rooms.services.memberships import (
    check_can_be_member,
    check_can_leave,
    check_not_direct,
)
from parley.rooms.services.rooms import (
    ROOM_VISIBILITIES,
    check_room_name,
    check_room_slug,
    check_room_topic,
    check_staff_only,
)

P = ParamSpec("P")
T = TypeVar("T")


def _check(check: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a service check as form validation: a refusal is a form error, not a server error."""
    try:
        return check(*args, **kwargs)
    except ParleyError as exc:
        raise forms.ValidationError(exc.message) from None


def _admin_user(request: HttpRequest) -> AuthUser:
    """Whoever uses the admin: signed in and staff (AdminSite.has_permission), never anonymous."""
    return cast(AuthUser, request.user)


class RoomAdminForm(forms.ModelForm[Room]):
    class Meta:
        model = Room
        fields = "__all__"  # noqa: DJ007

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visibility = self.fields.get("visibility")
        if isinstance(visibility, forms.ChoiceField):
            # Direct rooms are made by `dm` only, and no room is turned into one.
            visibility.choices = [(v.value, v.label) for v in ROOM_VISIBILITIES]

    def clean_name(self) -> str:
        return _check(check_room_name, self.cleaned_data["name"])

    def clean_topic(self) -> str:
        return _check(check_room_topic, self.cleaned_data["topic"])

    def clean_slug(self) -> str:
        # Only on the add form: the slug is read-only once the room exists.
        return _check(check_room_slug, self.cleaned_data["slug"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # a ModelForm's clean returns its cleaned_data
        if self.instance.pk is None and cleaned.get("staff_only") and cleaned.get("owner"):
            _check(check_staff_only, owner=cleaned["owner"], staff_only=True)
        return cleaned


class MembershipAdminForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        # The read pointer belongs to the member's own reading, not to the admin.
        fields = ("room", "user")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # a ModelForm's clean returns its cleaned_data
        if self.instance.pk is None and cleaned.get("user") and cleaned.get("room"):
            _check(check_not_direct, cleaned["room"])
            _check(check_can_be_member, user=cleaned["user"], room=cleaned["room"])
        return cleaned


class MembershipInline(admin.TabularInline[Membership, Room]):
    model = Membership
    extra = 0
    fields = ("user", "joined_at")
    readonly_fields = ("user", "joined_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Room | None = None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    form = RoomAdminForm
    list_display = ("name", "slug", "visibility", "staff_only", "owner", "last_seq", "created_at")
    list_filter = ("visibility", "staff_only")
    search_fields = ("name", "slug", "topic")
    readonly_fields = ("last_seq", "created_at")
    inlines = [MembershipInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Room | None = None
    ) -> list[str] | tuple[str, ...]:
        # The slug is the room's address and its group name: fixed once the room exists.
        return (*self.readonly_fields, "slug") if obj else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Room | None = None) -> bool:
        # A direct room is listed, never changed: made public or given members, it would show
        # what its participants wrote to each other.
        if obj is not None and obj.is_direct:
            return False
        return super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Room, form: forms.ModelForm[Room], change: bool
    ) -> None:
        if change:
            services.room_update(room=obj, fields=form.changed_data)
            return
        owner = obj.owner or _admin_user(request)
        try:
            created = services.room_create(
                owner=owner,
                name=obj.name,
                slug=obj.slug,
                visibility=obj.visibility,
                topic=obj.topic,
                staff_only=obj.staff_only,
                actor=_admin_user(request),
            )
        except ParleyError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            raise
        obj.pk = created.pk
        obj.refresh_from_db()

    def get_deleted_objects(
        self, objs: Sequence[Room] | QuerySet[Room], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A room's memberships go with it, its owner's too (which alone may not be deleted).
        # (The set holds verbose names as the models give them: Membership's is a plain str.)
        perms_needed.discard(cast(str, Membership._meta.verbose_name))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Room) -> None:
        services.room_delete(room=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        for room in queryset:
            services.room_delete(room=room)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    form = MembershipAdminForm
    list_display = ("room", "user", "joined_at")
    list_filter = ("room",)
    search_fields = ("room__slug", "user__username")
    autocomplete_fields = ("room", "user")
    actions = ["remove_selected"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Membership | None = None
    ) -> list[str] | tuple[str, ...]:
        if obj:
            return ("room", "user", "joined_at", "last_read_seq")
        return ("joined_at", "last_read_seq")

    def save_model(
        self,
        request: HttpRequest,
        obj: Membership,
        form: forms.ModelForm[Membership],
        change: bool,
    ) -> None:
        if change:
            return
        result = services.room_join(user=obj.user, room=obj.room)
        obj.pk = Membership.objects.get(room=result.room, user=obj.user).pk

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        # A room's owner stays its member, and a direct room's people are fixed: no delete
        # link or page for those memberships.
        if obj is not None:
            try:
                check_not_direct(obj.room)
                check_can_leave(user=obj.user, room=obj.room, actor=_admin_user(request))
            except ParleyError:
                return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.room_leave(user=obj.user, room=obj.room, actor=_admin_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        actor = _admin_user(request)
        for membership in queryset.select_related("room", "user"):
            try:
                services.room_leave(user=membership.user, room=membership.room, actor=actor)
            except ParleyError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)

    def get_actions(
        self, request: HttpRequest
    ) -> dict[str, tuple[Callable[..., str], str, str] | None]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Remove selected members (announces each leave)")
    def remove_selected(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        self.delete_queryset(request, queryset)


class TimelineAdmin(admin.ModelAdmin[Item]):
    list_select_related = ("room", "user")
    list_filter = ("room",)
    ordering = ("-created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Item]:
        # What direct rooms say is for their participants only, staff included.
        return super().get_queryset(request).exclude(room__visibility=Room.Visibility.DIRECT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Item | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Item | None = None) -> bool:
        return False


def admin_delete_messages(request: HttpRequest, items: Sequence[Item]) -> None:
    """Delete messages through the service everyone's deletions go through: erased, announced
    live. Each refusal (already deleted, say) is reported, the others go on."""
    actor = _admin_user(request)
    deleted = 0
    for item in items:
        try:
            result = services.message_delete(
                user=actor,
                room_slug=item.room.slug,
                target=item.seq,
                client_id=f"admin-{uuid.uuid4().hex}",
                counted=False,
            )
        except ParleyError as exc:
            messages.error(request, f"{item.room.slug}#{item.seq}: {exc.message}")
        else:
            deleted += result.created
    if deleted:
        messages.success(request, f"Deleted {deleted} message(s); everyone sees it now.")


@admin.register(Message)
class MessageAdmin(TimelineAdmin):
    list_display = ("room", "seq", "user", "body", "deleted", "edited_at", "created_at")
    search_fields = ("body", "user__username", "room__slug")
    actions = ["delete_messages"]

    @admin.action(description="Delete selected messages (erased for everyone, announced live)")
    def delete_messages(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        admin_delete_messages(request, list(queryset.select_related("room")))


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin[Attachment]):
    """Files posted in rooms (not in direct rooms): an abusive one goes with its message."""

    list_display = ("name", "content_type", "size", "room", "seq", "uploader")
    list_select_related = ("item__room", "item__user")
    search_fields = ("name", "item__room__slug", "item__user__username")
    actions = ["delete_with_messages"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        return super().get_queryset(request).exclude(item__room__visibility=Room.Visibility.DIRECT)

    @admin.display(description="room")
    def room(self, obj: Attachment) -> str:
        return obj.item.room.slug

    @admin.display(description="seq")
    def seq(self, obj: Attachment) -> int:
        return obj.item.seq

    @admin.display(description="uploaded by")
    def uploader(self, obj: Attachment) -> str:
        return obj.item.user.username if obj.item.user else "deleted user"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Attachment | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Attachment | None = None) -> bool:
        return False

    @admin.action(description="Delete the messages carrying the selected files (erased)")
    def delete_with_messages(self, request: HttpRequest, queryset: QuerySet[Attachment]) -> None:
        items = [attachment.item for attachment in queryset.select_related("item__room")]
        admin_delete_messages(request, items)


@admin.register(IncomingWebhook)
class IncomingWebhookAdmin(admin.ModelAdmin[IncomingWebhook]):
    """Rooms' incoming webhooks, made by their owners on the room's settings page. Staff see who
    made which and when it was last used, and revoke one (through the service: its bot leaves
    the room); the secret is never shown again."""

    list_display = ("name", "room", "created_by", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("room", "created_by")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "room__slug", "prefix")
    readonly_fields = ("room", "name", "user", "created_by", "prefix", "created_at", "last_used_at")
    exclude = ("digest",)
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: IncomingWebhook | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: IncomingWebhook | None = None
    ) -> bool:
        return False

    @admin.action(description="Revoke the selected webhooks (their URLs stop at once)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[IncomingWebhook]) -> None:
        revoked = 0
        for webhook in queryset.select_related("room", "user"):
            if webhook.revoked_at is None:
                services.webhook_delete(webhook=webhook, by=_admin_user(request))
                revoked += 1
        self.message_user(request, f"{revoked} webhook(s) revoked.", messages.SUCCESS)


@admin.register(Event)
class EventAdmin(TimelineAdmin):
    list_display = ("room", "seq", "kind", "user", "created_at")
