"""Pages. Each view looks up through selectors and changes through services, nothing more."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.core.errors import Forbidden, InvalidInput, RoomNotFound
from parley.realtime.serializers import item_payload
from parley.rooms import selectors, services
from parley.rooms.services.memberships import check_can_manage_members
from parley.web.forms import MemberForm, RoomCreateForm


def _room_or_404(user, slug):
    try:
        return selectors.access_room(user=user, slug=slug)
    except RoomNotFound:
        raise Http404("No such room.") from None


@require_GET
def home(request):
    rooms = selectors.room_list_for_user(request.user)
    return render(request, "parley/home.html", {"rooms": rooms})


@require_http_methods(["GET", "POST"])
def room_create(request):
    form = RoomCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_create(owner=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("room", slug=room.slug)
    return render(request, "parley/room_new.html", {"form": form})


@require_GET
def room_detail(request, slug):
    room = _room_or_404(request.user, slug)
    items = selectors.room_latest_items(room.pk, limit=settings.PARLEY["PAGE_ITEMS"])
    members = selectors.room_members(room.pk)
    is_member = request.user.username in members
    context = {
        "room": room,
        "items": items,
        "members": members,
        "is_member": is_member,
        "is_owner": room.owner_id == request.user.pk or request.user.is_staff,
        # Data for the client script, passed through json_script (never inline code).
        "room_data": {
            "slug": room.slug,
            "name": room.name,
            "username": request.user.username,
            "lastSeq": items[-1].seq if items else 0,
            "firstSeq": items[0].seq if items else 0,
            "isMember": is_member,
            "maxBody": settings.PARLEY["MAX_BODY_CHARS"],
        },
        "initial_items": [item_payload(item, room_slug=room.slug) for item in items],
    }
    return render(request, "parley/room.html", context)


@require_http_methods(["GET", "POST"])
def room_settings(request, slug):
    """The owner's page: add members by username, remove them."""
    room = _room_or_404(request.user, slug)
    try:
        check_can_manage_members(actor=request.user, room=room)
    except Forbidden as exc:
        return HttpResponseForbidden(exc.message)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "add")
        service = services.membership_remove if action == "remove" else services.membership_add
        try:
            service(actor=request.user, room=room, username=form.cleaned_data["username"])
        except (InvalidInput, Forbidden) as exc:
            form.add_error("username", exc.message)
        else:
            return redirect("room_settings", slug=room.slug)
    members = selectors.room_members(room.pk)
    return render(
        request, "parley/room_settings.html", {"room": room, "members": members, "form": form}
    )


@require_POST
def room_membership(request, slug, action):
    """Join or leave from a plain form post (the pages use the socket; this works without JS)."""
    room = _room_or_404(request.user, slug)
    if action == "join":
        services.room_join(user=request.user, room=room)
        return redirect("room", slug=room.slug)
    services.room_leave(user=request.user, room=room)
    return redirect("home")


@login_not_required
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
