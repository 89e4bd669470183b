"""Editing and deleting messages: items of the timeline that change an earlier message.

Each stores an `edit` or `delete` item with the room's next seq and, in the same transaction,
brings the target message's row to what it now is (body, html, mentions, `edited_at`,
`deleted`, `state_seq`), so history reads a message as it is without replaying anything.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parley.accounts.audit import AuditAction, audit_record
from parley.core.errors import Forbidden, InvalidInput, NotAMember, RoomNotFound
from parley.core.types import AuthUser
from parley.rooms.markdown import render_body
from parley.rooms.models import Attachment, Item, Mention, Room
from parley.rooms.selectors import RoomAccess
from parley.rooms.services.messages import check_message_body
from parley.rooms.services.permissions import ARCHIVED_MESSAGE, can_moderate, check_can_post
from parley.rooms.services.sequence import item_append
from parley.rooms.services.targets import mention_rows_write, mentions_in, message_at
from parley.rooms.services.writes import PostResult, item_write_once, reserve_seq_once

__all__ = ["can_moderate", "message_delete", "message_edit", "message_erase"]


def _check_edit_window(item: Item) -> None:
    window = settings.PARLEY["EDIT_WINDOW_SECONDS"]
    if window and timezone.now() - item.created_at > timedelta(seconds=window):
        raise Forbidden("This message can no longer be edited.")


def _acceptable(body: str) -> bool:
    try:
        check_message_body(body)
    except InvalidInput:
        return False
    return True


def message_edit(
    *,
    user: AuthUser,
    room_slug: str,
    target: int,
    body: str,
    client_id: str,
    socket_id: str | None = None,
) -> PostResult:
    """Replace the body of `user`'s message at seq `target`, once per `client_id`.

    RoomNotFound, then NotAMember; Forbidden where `user` may not post (`check_can_post`: an
    archived room, a read-only one); InvalidInput for a target that is not a message of this room;
    Forbidden for someone else's message or one past the edit window; InvalidInput for a deleted
    one or a body that `send` would refuse. Emits the `edit` item after commit.
    """

    def write(room: Room) -> Item:
        # A body `send` would refuse is refused below, in the rules' order (after the target's
        # checks); it is not rendered first, so an oversized one costs no Markdown.
        mentions: list[str] = []
        mentioned_ids: list[int] = []
        html = ""
        if _acceptable(body):
            mentions, mentioned_ids = mentions_in(room=room, body=body)
            html = render_body(body, mentions=mentions)
        with transaction.atomic():
            seq = reserve_seq_once(user=user, room=room, client_id=client_id)
            message = message_at(room=room, seq=target)
            if message.user_id != user.pk:
                raise Forbidden("Only its author can edit a message.")
            _check_edit_window(message)
            if message.deleted:
                raise InvalidInput("That message was deleted.")
            check_message_body(body)
            item = item_append(
                room=room,
                kind=Item.Kind.EDIT,
                user=user,
                body=body,
                client_id=client_id,
                seq=seq,
                html=html,
                target_seq=target,
                mentions=mentions or None,
            )
            Item.objects.filter(pk=message.pk).update(
                body=body,
                html=html,
                mentions=mentions or None,
                edited_at=item.created_at,
                state_seq=item.seq,
            )
            Mention.objects.filter(item=message).delete()
            mention_rows_write(item=message, room=room, user_ids=mentioned_ids, mentions=mentions)
        return item

    return item_write_once(
        user=user,
        room_slug=room_slug,
        client_id=client_id,
        socket_id=socket_id,
        check=lambda access: check_can_post(access, user=user),
        write=write,
    )


def _check_can_delete(access: RoomAccess | None, *, user: AuthUser) -> Room:
    """Members, and staff in a room they can see (not a direct room: hidden from staff too)."""
    if access is None or not access.visible:
        raise RoomNotFound()
    moderator = can_moderate(user=user, room=access.room)
    if not access.member and not moderator:
        raise NotAMember()
    # An archived room's timeline stays as it is, but for moderators cleaning it up.
    if access.room.archived_at is not None and not moderator:
        raise Forbidden(ARCHIVED_MESSAGE)
    return access.room


def message_erase(*, message: Item) -> None:
    """Erase what a message said: its text, rendering, mentions, reactions and attachment, and
    the text of its edits. Inside the transaction of its `delete` item; the file goes from the
    storage once that commits."""
    Item.objects.filter(
        room_id=message.room_id, kind=Item.Kind.EDIT, target_seq=message.seq
    ).update(body="", html="", mentions=None)
    Mention.objects.filter(item=message).delete()
    attachment = Attachment.objects.filter(item=message).first()
    if attachment is not None:
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        if name:
            # Robust: the deletion is committed by then; a storage error must not fail its
            # answer or stop its item from being announced (it is logged, the file orphaned).
            transaction.on_commit(lambda: storage.delete(name), robust=True)


def message_delete(
    *,
    user: AuthUser,
    room_slug: str,
    target: int,
    client_id: str,
    socket_id: str | None = None,
    counted: bool = True,
) -> PostResult:
    """Delete the message at seq `target`, once per `client_id`: its author, the room's owner or
    moderators, or staff. RoomNotFound; NotAMember (neither a member nor a moderator);
    InvalidInput for a target that is not a message of this room; Forbidden for someone else's
    message; InvalidInput for one already deleted. The text and attachment are erased
    (`message_erase`), not hidden. Counts as a send unless not `counted` (the admin's action).
    Deleting someone else's message is recorded in the audit log (accounts/audit.py).
    Emits the `delete` item after commit."""

    def write(room: Room) -> Item:
        with transaction.atomic():
            seq = reserve_seq_once(user=user, room=room, client_id=client_id)
            message = message_at(room=room, seq=target)
            if message.user_id != user.pk and not can_moderate(user=user, room=room):
                raise Forbidden("Only its author or the room's moderators can delete a message.")
            if message.deleted:
                raise InvalidInput("That message was already deleted.")
            item = item_append(
                room=room,
                kind=Item.Kind.DELETE,
                user=user,
                client_id=client_id,
                seq=seq,
                target_seq=target,
            )
            message_erase(message=message)
            Item.objects.filter(pk=message.pk).update(
                body="",
                html="",
                mentions=None,
                reactions=None,
                has_attachment=False,
                deleted=True,
                state_seq=item.seq,
            )
            if message.user_id != user.pk:
                # Moderation of someone else (an author's own deletion writes nothing more).
                audit_record(
                    actor=user,
                    action=AuditAction.MESSAGE_DELETE,
                    target_user=message.user,
                    room=room.slug,
                    detail={"seq": target, "delete_seq": item.seq, "client_id": client_id},
                )
        return item

    return item_write_once(
        user=user,
        room_slug=room_slug,
        client_id=client_id,
        socket_id=socket_id,
        check=lambda access: _check_can_delete(access, user=user),
        write=write,
        counted=counted,
    )
