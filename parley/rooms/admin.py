"""The admin: rooms, memberships and the timeline, changed through the same services.

Adding a membership here announces the join to the room live, like joining from a page;
removing one announces the leave. Making a room private or staff-only, or deleting it, ends the
open subscriptions of everyone who may no longer see it. Timeline items are read-only: seq must
stay gapless. The forms run the services' own checks, so a refused name, slug or member is a
form error, not a 500.
"""

from django import forms
from django.contrib import admin, messages

from parley.core.errors import ParleyError
from parley.rooms import services
from parley.rooms.models import Event, Membership, Message, Room
from parley.rooms.services.memberships import check_can_be_member, check_can_leave
from parley.rooms.services.rooms import check_room_name, check_room_slug, check_staff_only


def _check(check, *args, **kwargs):
    """Run a service check as form validation: a refusal is a form error, not a server error."""
    try:
        return check(*args, **kwargs)
    except ParleyError as exc:
        raise forms.ValidationError(exc.message) from None


class RoomAdminForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = "__all__"  # noqa: DJ007

    def clean_name(self) -> str:
        return _check(check_room_name, self.cleaned_data["name"])

    def clean_slug(self) -> str:
        # Only on the add form: the slug is read-only once the room exists.
        return _check(check_room_slug, self.cleaned_data["slug"])

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("staff_only") and cleaned.get("owner"):
            _check(check_staff_only, owner=cleaned["owner"], staff_only=True)
        return cleaned


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        # The read pointer belongs to the member's own reading, not to the admin.
        fields = ("room", "user")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("user") and cleaned.get("room"):
            _check(check_can_be_member, user=cleaned["user"], room=cleaned["room"])
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "joined_at")
    readonly_fields = ("user", "joined_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    form = RoomAdminForm
    list_display = ("name", "slug", "visibility", "staff_only", "owner", "last_seq", "created_at")
    list_filter = ("visibility", "staff_only")
    search_fields = ("name", "slug")
    readonly_fields = ("last_seq", "created_at")
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # The slug is the room's address and its group name: fixed once the room exists.
        return (*self.readonly_fields, "slug") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if change:
            services.room_update(room=obj, fields=form.changed_data)
            return
        owner = obj.owner or request.user
        try:
            created = services.room_create(
                owner=owner,
                name=obj.name,
                slug=obj.slug,
                visibility=obj.visibility,
                staff_only=obj.staff_only,
                actor=request.user,
            )
        except ParleyError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            raise
        obj.pk = created.pk
        obj.refresh_from_db()

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # A room's memberships go with it, its owner's too (which alone may not be deleted).
        perms_needed.discard(Membership._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj) -> None:
        services.room_delete(room=obj)

    def delete_queryset(self, request, queryset) -> None:
        for room in queryset:
            services.room_delete(room=room)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("room", "user", "joined_at")
    list_filter = ("room",)
    search_fields = ("room__slug", "user__username")
    autocomplete_fields = ("room", "user")
    actions = ["remove_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj:
            return ("room", "user", "joined_at", "last_read_seq")
        return ("joined_at", "last_read_seq")

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        result = services.room_join(user=obj.user, room=obj.room)
        obj.pk = Membership.objects.get(room=result.room, user=obj.user).pk

    def has_delete_permission(self, request, obj=None) -> bool:
        # A room's owner stays its member: no delete link or page for her membership.
        if obj is not None:
            try:
                check_can_leave(user=obj.user, room=obj.room, actor=request.user)
            except ParleyError:
                return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj) -> None:
        services.room_leave(user=obj.user, room=obj.room, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset.select_related("room", "user"):
            try:
                services.room_leave(user=membership.user, room=membership.room, actor=request.user)
            except ParleyError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Remove selected members (announces each leave)")
    def remove_selected(self, request, queryset) -> None:
        self.delete_queryset(request, queryset)


class TimelineAdmin(admin.ModelAdmin):
    list_select_related = ("room", "user")
    list_filter = ("room",)
    ordering = ("-created_at",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(TimelineAdmin):
    list_display = ("room", "seq", "user", "body", "created_at")
    search_fields = ("body", "user__username", "room__slug")


@admin.register(Event)
class EventAdmin(TimelineAdmin):
    list_display = ("room", "seq", "kind", "user", "created_at")
