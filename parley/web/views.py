"""Pages. Each view looks up through selectors and changes through services, nothing more."""

import functools
from typing import Any

import orjson
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parley.core.errors import Forbidden, InvalidInput, RateLimited, RoomNotFound
from parley.core.types import AuthenticatedHttpRequest, AuthUser
from parley.rooms import selectors, services
from parley.rooms.models import IncomingWebhook, Room
from parley.rooms.services.memberships import check_can_manage_members
from parley.rooms.services.permissions import can_manage_members, is_moderator
from parley.rooms.services.reactions import emoji_catalogue
from parley.rooms.services.webhooks import NAME_MAX_LENGTH as WEBHOOK_NAME_MAX
from parley.rooms.values import item_value
from parley.web.errors import with_retry_after
from parley.web.forms import MemberForm, RoomCreateForm, RoomTopicForm
from parley.wire import frames
from parley.wire.codes import CloseCode


def _too_many_requests(request: HttpRequest, exc: RateLimited, *, back_url: str) -> HttpResponse:
    """429 with a page that says how long to wait, and Retry-After for other clients."""
    response = render(
        request,
        "parley/rate_limited.html",
        {"message": exc.message, "back_url": back_url},
        status=429,
    )
    return _with_retry_after(response, exc)


def _with_retry_after(response: HttpResponse, exc: RateLimited | None) -> HttpResponse:
    """A page that shows a rate limit's refusal (a form error) answers with its status too."""
    if exc is not None:
        response.status_code = exc.http_status
    return with_retry_after(response, exc)


@functools.cache
def emoji_json() -> bytes:
    return orjson.dumps({"emoji": emoji_catalogue()})


def size_label(size: float) -> str:
    """A byte count for people: "512 bytes", "1.5 KiB", "25 MiB" (as text.js shows them)."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024 or unit == "GiB":
            break
    text = f"{size:.1f}".removesuffix(".0") if size < 100 else f"{size:.0f}"
    return f"{text} {unit}"


def room_title(room: Room, *, members: list[str], me: str) -> str:
    """What a room is called for `me`: its name, or for a direct room the other people's names."""
    if not room.is_direct:
        return room.name
    others = [name for name in members if name != me]
    return ", ".join(others) if others else me


@gzip_page
@require_GET
def emoji_list(request: HttpRequest) -> HttpResponse:
    """The emoji a reaction may be (fully-qualified, from the `emoji` package), with their
    English names, for the client's picker: built once per process, cached by browsers,
    compressed (about 180 KB as JSON, a fifth of it gzipped; no secret in it to leak)."""
    response = HttpResponse(emoji_json(), content_type="application/json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def client_config() -> dict[str, Any]:
    """What the pages' scripts take from the server instead of copying it: the close codes by
    name and the limits the client keeps to. base.html renders it with json_script as
    #client-config; static/parley/js/config.js reads it."""
    return {
        "closeCodes": {code.name: code.value for code in CloseCode},
        "historyMax": selectors.HISTORY_MAX_LIMIT,
        "historyPage": settings.PARLEY["PAGE_ITEMS"],
        "maxBody": settings.PARLEY["MAX_BODY_CHARS"],
        "typingShowSeconds": frames.TYPING_DISPLAY_SECONDS,
    }


def _room_or_404(user: AuthUser, slug: str) -> Room:
    try:
        return selectors.access_room(user=user, slug=slug)
    except RoomNotFound:
        raise Http404("No such room.") from None


def _split_direct(user: AuthUser, rooms: Any) -> tuple[list[Room], list[Room]]:
    """(rooms, direct rooms) of a room list; each direct room gets its `title` for `user`."""
    rooms = list(rooms)
    direct = [room for room in rooms if room.is_direct]
    titles = selectors.direct_room_titles(user=user, room_ids=[room.pk for room in direct])
    for room in direct:
        room.title = titles[room.pk]
    direct.sort(key=lambda room: room.last_seq, reverse=True)
    return [room for room in rooms if not room.is_direct], direct


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    rooms, direct_rooms = _split_direct(request.user, selectors.home_room_list(request.user))
    split = selectors.home_rooms(rooms)
    context = {
        "rooms": rooms,
        "your_rooms": split.yours,
        "browse_rooms": split.browse,
        "archived_rooms": split.archived,
        "direct_rooms": direct_rooms,
        "home_data": {"username": request.user.username},
        "client_config": client_config(),
    }
    return render(request, "parley/home.html", context)


@require_http_methods(["GET", "POST"])
def room_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The new-room form. A public room opens at once; a private one, which nobody else can
    find, goes first to its "Add people" page."""
    form = RoomCreateForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_create(owner=request.user, **form.cleaned_data)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            refusal = exc
        except InvalidInput as exc:
            field = "slug" if "slug" in exc.message.lower() else None
            form.add_error(field, exc.message)
        else:
            if room.is_private:
                return redirect("room_people", slug=room.slug)
            return redirect("room", slug=room.slug)
    return _with_retry_after(render(request, "parley/room_new.html", {"form": form}), refusal)


@require_GET
def room_detail(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    access = selectors.lookup_room_access(user=request.user, slug=slug)
    if access is None or not access.visible:
        raise Http404("No such room.")
    room, is_member = access.room, access.member
    items = selectors.room_latest_items(room.pk, limit=settings.PARLEY["PAGE_ITEMS"])
    members = selectors.room_members(room.pk)
    member_count = len(members)
    if services.is_big_room(member_count):
        # The first names only: the socket's `subscribed` lists the first page, online first,
        # and the member panel pages and searches the rest.
        members = members[: services.members_page_size()]
    last_read, unread = selectors.unread_count(user=request.user, room_id=room.pk)
    level, _ = selectors.subscriber_state(
        user=request.user, room=room, last_read=last_read, upto=room.last_seq
    )
    jump = request.GET.get("seq", "")
    # The sidebar: the user's rooms but archived ones (and this one while reading it).
    sidebar_rooms, sidebar_direct = _split_direct(
        request.user,
        selectors.room_list_for_user(request.user).filter(
            Q(is_member=True, archived_at__isnull=True) | Q(pk=room.pk)
        ),
    )
    can_moderate = services.can_moderate(user=request.user, room=room)
    context = {
        "room": room,
        "room_title": room_title(room, members=members, me=request.user.username),
        "items": items,
        "members": members,
        "member_count": member_count,
        "is_member": is_member,
        "is_owner": can_manage_members(actor=request.user, room=room),
        # The settings page: the owner's, staff's and moderators' (who see part of it).
        "can_see_settings": can_moderate,
        "sidebar_rooms": sidebar_rooms,
        "sidebar_direct": sidebar_direct,
        "max_upload": size_label(settings.PARLEY["MAX_UPLOAD_BYTES"]),
        # Data for the client script, passed through json_script (never inline code).
        "room_data": {
            "slug": room.slug,
            "name": room.name,
            "username": request.user.username,
            "lastSeq": items[-1].seq if items else 0,
            "firstSeq": items[0].seq if items else 0,
            "isMember": is_member,
            "maxUpload": settings.PARLEY["MAX_UPLOAD_BYTES"],
            "lastRead": last_read if is_member else 0,
            "unread": unread if is_member else 0,
            "uploadUrl": reverse("room_upload", args=[room.slug]),
            "isDirect": room.is_direct,
            # The other people of a direct room.
            "directUsers": [m for m in members if m != request.user.username]
            if room.is_direct
            else [],
            "canModerate": is_member and can_moderate,
            # Who may post now (composer.js): nobody in an archived room; in a read-only one
            # only those who moderate it. Events of kind read_only and archive update them.
            "rights": {
                "readOnly": room.read_only,
                "archived": room.archived_at is not None,
                "owner": room.owner_id == request.user.pk,
                "moderator": is_member and is_moderator(user=request.user, room=room),
                "staff": request.user.is_staff,
            },
            "level": services.effective_level(room=room, level=level),
            "editWindowSeconds": settings.PARLEY["EDIT_WINDOW_SECONDS"],
            # /rooms/<slug>/?seq=N opens the room at message N (history `around`), highlighted.
            "jumpSeq": int(jump) if jump.isdigit() and len(jump) < 19 else None,
            "emojiUrl": reverse("emoji_list"),
        },
        "initial_items": [frames.item(item_value(item, room_slug=room.slug)) for item in items],
        "client_config": client_config(),
    }
    return render(request, "parley/room.html", context)


@require_http_methods(["GET", "POST"])
def room_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The owner's page: add members by username, remove them; the topic; the room's incoming
    webhooks (`_manage_webhook`); read-only, rename, ownership and archiving (`_change_room`).
    Moderators see it too, with what they may do: remove plain members, make it read-only.

    A refused removal (the owner removing herself, say) is explained above the members list; a
    refused addition is an error of the add form.
    """
    room = _room_or_404(request.user, slug)
    if not services.can_moderate(user=request.user, room=room):
        raise PermissionDenied("Only the room's owner and moderators can manage its members.")
    action = request.POST.get("action")
    if request.method == "POST" and action in ROOM_ACTIONS:
        return _change_room(request, room, action)
    if action is None and "name" in request.POST and "username" not in request.POST:
        action = "webhook"  # the webhook form's one field (docs/protocol.md) posted alone
    if action in WEBHOOK_ACTIONS:
        return _manage_webhook(request, room, action)
    if action in ("moderator", "member"):
        return _set_moderator(request, room, moderator=action == "moderator")
    if action == "topic":
        return _set_topic(request, room)
    removing = action == "remove"
    form = MemberForm(request.POST or None)
    refusal = None
    member_error = None
    if request.method == "POST" and form.is_valid():
        service = services.membership_remove if removing else services.membership_add
        try:
            service(actor=request.user, room=room, username=form.cleaned_data["username"])
        except RateLimited as exc:
            refusal, error = exc, exc.message
        except (InvalidInput, Forbidden) as exc:
            error = exc.message
        else:
            return redirect("room_settings", slug=room.slug)
        if removing:
            member_error = error
        else:
            form.add_error(None if refusal else "username", error)
    elif removing:
        member_error = "Choose a member to remove."  # only a hand-made post names no one
    if removing:
        form = MemberForm()  # the add form was not used: show it empty
    page = _room_settings_page(request, room, form=form, member_error=member_error)
    return _with_retry_after(page, refusal)


def _room_settings_page(
    request: AuthenticatedHttpRequest,
    room: Room,
    *,
    form: MemberForm,
    member_error: str | None,
    topic_form: RoomTopicForm | None = None,
    **webhook_context: object,
) -> HttpResponse:
    members = selectors.room_members(room.pk)
    moderators = selectors.room_moderators(room.pk)
    context = {
        "room": room,
        # The owner's and staff's sections (moderators see the read-only one and removals).
        "can_manage": can_manage_members(actor=request.user, room=room),
        "room_error": None,
        "members": members,
        "moderators": moderators,
        "form": form,
        "member_error": member_error,
        "topic_form": topic_form or RoomTopicForm(initial={"topic": room.topic}),
        "webhooks": list(services.room_webhooks(room)),
        "webhook_name_max": WEBHOOK_NAME_MAX,
        **webhook_context,
    }
    return render(request, "parley/room_settings.html", context)


# The settings page's forms that change the room itself (rooms/services/roles.py).
ROOM_ACTIONS = frozenset({"read_only", "rename", "transfer", "archive"})


def _change_room(request: AuthenticatedHttpRequest, room: Room, action: str) -> HttpResponse:
    """Read-only on or off, a new name, a new owner, archived or not: each a service call; a
    refusal is shown on the page (with its status: 403, 400 or 429) and changes nothing."""
    post = request.POST
    try:
        if action == "read_only":
            on = post.get("on") == "1"
            services.room_read_only_set(actor=request.user, room=room, on=on)
            done = "The room is read-only." if on else "Everyone may post again."
        elif action == "rename":
            services.room_rename(actor=request.user, room=room, name=post.get("name", ""))
            done = "Room renamed."
        elif action == "transfer":
            username = post.get("username", "")
            services.room_owner_transfer(actor=request.user, room=room, username=username)
            done = f"{username} owns the room now."
        else:
            archived = post.get("archived") == "1"
            services.room_archive(actor=request.user, room=room, archived=archived)
            done = "Room archived." if archived else "Room brought back from the archive."
    except (InvalidInput, Forbidden, RateLimited) as exc:
        page = _room_settings_page(
            request,
            room,
            form=MemberForm(),
            member_error=None,
            room_error=exc.message,
            room_error_action=action,
        )
        page.status_code = exc.http_status
        return with_retry_after(page, exc if isinstance(exc, RateLimited) else None)
    messages.success(request, done)
    # A former owner stays a moderator (roles.room_owner_transfer): the page is still hers.
    return redirect("room_settings", slug=room.slug)


# The settings page's webhook forms (`action`): make one, give one a new URL, delete one.
WEBHOOK_ACTIONS = frozenset({"webhook", "webhook_regenerate", "webhook_delete"})


def _manage_webhook(request: AuthenticatedHttpRequest, room: Room, action: str) -> HttpResponse:
    """The owner's webhook forms. A new (or regenerated) webhook's URL is shown once, on the page
    that answers the form (never a redirect: the URL is in no other page and no log)."""
    if request.method != "POST":
        return redirect("room_settings", slug=room.slug)
    name = request.POST.get("name", "")
    try:
        if action == "webhook":
            webhook, token = services.webhook_create(room=room, by=request.user, name=name)
        else:
            webhook = _room_webhook(room, request.POST.get("webhook", ""))
            if action == "webhook_delete":
                services.webhook_delete(webhook=webhook, by=request.user)
                messages.success(request, f"Webhook “{webhook.name}” deleted.")
                return redirect("room_settings", slug=room.slug)
            token = services.webhook_regenerate(webhook=webhook, by=request.user)
    except (InvalidInput, Forbidden, RateLimited) as exc:
        page = _room_settings_page(
            request,
            room,
            form=MemberForm(),
            member_error=None,
            webhook_error=exc.message,
            webhook_name=name,
        )
        return _with_retry_after(page, exc if isinstance(exc, RateLimited) else None)
    url = request.build_absolute_uri(reverse("incoming_webhook", args=[token]))
    page = _room_settings_page(
        request,
        room,
        form=MemberForm(),
        member_error=None,
        new_webhook=webhook,
        new_webhook_url=url,
    )
    add_never_cache_headers(page)  # the secret stays out of every cache
    return page


def _room_webhook(room: Room, webhook_id: str) -> IncomingWebhook:
    """A working webhook of this room by its id, else 404."""
    webhook = (
        services.room_webhooks(room).filter(pk=int(webhook_id)).first()
        if webhook_id.isdigit() and len(webhook_id) < 19
        else None
    )
    if webhook is None:
        raise Http404("No such webhook.")
    return webhook


def _set_topic(request: AuthenticatedHttpRequest, room: Room) -> HttpResponse:
    form = RoomTopicForm(request.POST)
    if form.is_valid():
        try:
            services.room_topic_set(actor=request.user, room=room, topic=form.cleaned_data["topic"])
        except (InvalidInput, Forbidden) as exc:
            form.add_error("topic", exc.message)
        else:
            messages.success(request, "Topic saved." if room.topic else "Topic cleared.")
            return redirect("room_settings", slug=room.slug)
    return _room_settings_page(request, room, form=MemberForm(), member_error=None, topic_form=form)


def _set_moderator(
    request: AuthenticatedHttpRequest, room: Room, *, moderator: bool
) -> HttpResponse:
    try:
        services.moderator_set(
            actor=request.user,
            room=room,
            username=request.POST.get("username", ""),
            moderator=moderator,
        )
    except (InvalidInput, Forbidden) as exc:
        return _room_settings_page(request, room, form=MemberForm(), member_error=exc.message)
    return redirect("room_settings", slug=room.slug)


# People listed by the new-conversation and add-people pages' searches.
PEOPLE_SEARCH_LIMIT = 20


@require_http_methods(["GET", "POST"])
def direct_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start a direct conversation: search people by name (`?q=`), tick up to 8, start (or
    reopen) the one direct room of that set."""
    error = None
    refusal = None
    chosen = request.POST.getlist("users") if request.method == "POST" else []
    if chosen:
        try:
            direct = services.direct_room_open(user=request.user, usernames=chosen)
        except RateLimited as exc:
            refusal, error = exc, exc.message
        except InvalidInput as exc:
            error = exc.message
        else:
            return redirect("room", slug=direct.room.slug)
    elif request.method == "POST":
        error = "Choose at least one person."
    query = request.GET.get("q", "").strip()[:150]
    people = selectors.people_search(user=request.user, query=query, limit=PEOPLE_SEARCH_LIMIT)
    context = {"query": query, "people": people, "error": error, "chosen": chosen}
    return _with_retry_after(render(request, "parley/direct_new.html", context), refusal)


@require_http_methods(["GET", "POST"])
def room_people(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The owner's "Add people": search people by name (`?q=`), tick several, add them at
    once; then the room. Without JS a plain GET search and checkboxes; room_people.js searches
    as one types and keeps the ticked people across searches."""
    room = _room_or_404(request.user, slug)
    try:
        check_can_manage_members(actor=request.user, room=room)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    error = None
    refusal = None
    chosen = request.POST.getlist("users") if request.method == "POST" else []
    if request.method == "POST":
        try:
            changes = services.members_add(actor=request.user, room=room, usernames=chosen)
        except RateLimited as exc:
            refusal, error = exc, exc.message
        except (InvalidInput, Forbidden) as exc:
            error = exc.message
        else:
            added = [
                change.event.user.get_username()
                for change in changes
                if change.event and change.event.user
            ]
            if added:
                messages.success(request, f"Added {', '.join(added)} to {room.name}.")
            return redirect("room", slug=room.slug)
    query = request.GET.get("q", "").strip()[:150]
    members = set(selectors.room_members(room.pk))
    people = selectors.people_search(user=request.user, query=query, limit=PEOPLE_SEARCH_LIMIT)
    context = {
        "room": room,
        "query": query,
        "people": [{"name": name, "member": name in members} for name in people],
        # Ticked people the current search does not list stay ticked (hidden inputs).
        "chosen_elsewhere": [name for name in chosen if name not in people],
        "chosen": chosen,
        "error": error,
        "member_count": len(members),
    }
    return _with_retry_after(render(request, "parley/room_people.html", context), refusal)


@require_GET
def mentions_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Recent messages that mention the user, across the rooms they can read."""
    entries = selectors.mentions_for_user(user=request.user)
    direct_ids = [entry.room.pk for entry in entries if entry.room.is_direct]
    titles = selectors.direct_room_titles(user=request.user, room_ids=direct_ids)
    rows = [
        {
            "room": entry.room,
            "room_title": titles.get(entry.room.pk, entry.room.name),
            "item": entry.item,
            "url": f"{reverse('room', args=[entry.room.slug])}?seq={entry.item.seq}",
        }
        for entry in entries
    ]
    return render(request, "parley/mentions.html", {"rows": rows})


@require_POST
def room_membership(request: AuthenticatedHttpRequest, slug: str, action: str) -> HttpResponse:
    """Join or leave from a plain form post (the pages use the socket; this works without JS)."""
    service = services.room_join_by_slug if action == "join" else services.room_leave_by_slug
    try:
        change = service(user=request.user, slug=slug)
    except RoomNotFound:
        raise Http404("No such room.") from None
    except RateLimited as exc:
        return _too_many_requests(request, exc, back_url=reverse("home"))
    except (Forbidden, InvalidInput) as exc:
        # The owner leaving her room, say: told on the home page, where the button was.
        messages.error(request, exc.message)
        return redirect("home")
    if action == "join":
        return redirect("room", slug=change.room.slug)
    return redirect("home")


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
