"""Upload and download of room files (docs/protocol.md, "Uploads and files")."""

from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from parley.core.errors import InvalidInput, ParleyError, RoomNotFound
from parley.core.types import AuthenticatedHttpRequest
from parley.rooms import selectors, services
from parley.rooms.values import item_value
from parley.web.errors import json_error
from parley.wire import frames


@require_POST
def room_upload(request: AuthenticatedHttpRequest, slug: str) -> JsonResponse:
    """Multipart field `file`, and optionally `body`: the message's text, so that words and a
    file go as one message; answers 201 {"item": …} with the posted message item."""
    upload = request.FILES.get("file")
    body = request.POST.get("body", "")
    try:
        if upload is None:
            # Membership and size come first, as for messages; then the missing file.
            selectors.access_room(user=request.user, slug=slug)
            raise InvalidInput("Send the file in the multipart field `file`.")
        result = services.attachment_post(
            user=request.user, room_slug=slug, upload=upload, body=body
        )
    except ParleyError as exc:
        return json_error(exc)
    item = frames.item(item_value(result.item, room_slug=slug))
    return JsonResponse({"item": item}, status=201)


@require_GET
def attachment_download(
    request: AuthenticatedHttpRequest, attachment_id: int, name: str
) -> FileResponse:
    """The file, to whoever may read its room; 404 for anyone else (anonymous: log in)."""
    try:
        attachment = selectors.access_attachment(user=request.user, attachment_id=attachment_id)
    except RoomNotFound:
        raise Http404("No such file.") from None
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.inline,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    # Even an inline image is a document of its own: no script, no plugins, no framing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
