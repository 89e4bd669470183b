"""The admin: rooms, memberships and the timeline, changed through the same services.

Adding a membership here announces the join to the room live, like joining from a page;
removing one announces the leave. Timeline items are read-only: seq must stay gapless.
"""

from django.contrib import admin, messages

from parley.core.errors import ParleyError
from parley.rooms import services
from parley.rooms.models import Event, Membership, Message, Room


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
            super().save_model(request, obj, form, change)
            return
        owner = obj.owner or request.user
        try:
            created = services.room_create(
                owner=owner,
                name=obj.name,
                slug=obj.slug,
                visibility=obj.visibility,
                staff_only=obj.staff_only,
            )
        except ParleyError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            raise
        obj.pk = created.pk
        obj.refresh_from_db()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("room", "user", "joined_at")
    list_filter = ("room",)
    search_fields = ("room__slug", "user__username")
    autocomplete_fields = ("room", "user")
    actions = ["remove_selected"]

    def get_readonly_fields(self, request, obj=None):
        return ("room", "user", "joined_at") if obj else ("joined_at",)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        result = services.room_join(user=obj.user, room=obj.room)
        obj.pk = Membership.objects.get(room=result.room, user=obj.user).pk

    def delete_model(self, request, obj) -> None:
        services.room_leave(user=obj.user, room=obj.room)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset.select_related("room", "user"):
            services.room_leave(user=membership.user, room=membership.room)

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
