"""Posting files into rooms.

The uploaded name is only shown (sanitised), never used as a path; the stored name is generated.
The content type is found from the content, never taken from the client, and only images of a
safe type whose bytes match it are ever shown inline.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from parley.core import changes, ratelimit
from parley.core.errors import InvalidInput, TooLarge
from parley.core.text import is_blank, strip_bidi_controls
from parley.core.types import AuthUser
from parley.rooms.changes import item_added
from parley.rooms.markdown import render_body
from parley.rooms.models import Attachment, Item
from parley.rooms.selectors import lookup_room_access
from parley.rooms.services.messages import check_message_body
from parley.rooms.services.permissions import check_can_post
from parley.rooms.services.reads import read_pointer_to_own_message
from parley.rooms.services.sequence import item_append
from parley.rooms.services.targets import mention_rows_write, mentions_in
from parley.rooms.services.writes import PostResult

NAME_MAX = 200
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    inline: bool


# Magic numbers of the image types shown inline. SVG is never among them: it can carry script.
IMAGE_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]


def sniff(head: bytes) -> Sniffed:
    """The content type of a file from its first bytes."""
    for signature, content_type in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return Sniffed(content_type, inline=True)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", inline=True)
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", inline=False)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return Sniffed("application/octet-stream", inline=False)
    # Text, HTML included: always a download, served as plain text with nosniff.
    return (
        Sniffed("text/plain", inline=False)
        if b"\x00" not in head
        else Sniffed("application/octet-stream", inline=False)
    )


def clean_file_name(name: str | None) -> str:
    """The last path segment, without control or bidi characters, at most NAME_MAX long."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = CONTROL_CHARS.sub("", strip_bidi_controls(unicodedata.normalize("NFC", name))).strip()
    name = name.lstrip(".") or "file"
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: NAME_MAX - len(extension) - 1] + "." + extension
        else:
            name = name[:NAME_MAX]
    return name


def check_upload_size(size: int) -> None:
    limit = settings.PARLEY["MAX_UPLOAD_BYTES"]
    if size > limit:
        raise TooLarge(f"Files are at most {limit} bytes.")


def attachment_post(
    *, user: AuthUser, room_slug: str, upload: UploadedFile, body: str = ""
) -> PostResult:
    """Store `upload` in a room and post it as a message item carrying the attachment, and
    `body` as its text when there is one (a blank body is none: a file may go alone).

    An upload counts as a send for the rate limit (RateLimited). The user must see the room
    (RoomNotFound) and be a member (NotAMember); the file must be 1..MAX_UPLOAD_BYTES bytes
    (TooLarge, InvalidInput); a body follows the rules of message_post's (InvalidInput) and is
    rendered and searched for mentions as a message's is. Emits, after commit: the `message`
    item, with its `attachment`, to the room's subscribers; `read` to the author's sockets
    (their pointer moves to it).
    """
    ratelimit.check(ratelimit.Action.SEND, user=user)
    room = check_can_post(lookup_room_access(user=user, slug=room_slug), user=user)
    size = upload.size
    assert size is not None  # Django's uploaded files know their size
    check_upload_size(size)
    if size == 0:
        raise InvalidInput("The file is empty.")
    if is_blank(body):
        body = ""
    else:
        check_message_body(body)
    upload.seek(0)
    sniffed = sniff(upload.read(16))
    upload.seek(0)
    mentions, mentioned_ids = mentions_in(room=room, body=body) if body else ([], [])
    html = render_body(body, mentions=mentions)
    with transaction.atomic():
        item = item_append(
            room=room,
            kind=Item.Kind.MESSAGE,
            user=user,
            has_attachment=True,
            body=body,
            html=html,
            mentions=mentions or None,
        )
        attachment = Attachment(
            item=item,
            name=clean_file_name(upload.name),
            size=size,
            content_type=sniffed.content_type,
            inline=sniffed.inline,
        )
        attachment.file.save("upload", upload, save=False)
        attachment.save()
        if mentions:
            mention_rows_write(item=item, room=room, user_ids=mentioned_ids, mentions=mentions)
        changes.emit_on_commit(item_added(item, room=room))
        read_pointer_to_own_message(user=user, room=room, seq=item.seq)
    return PostResult(item=item, created=True)
