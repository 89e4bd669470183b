"""People over the API: `GET /users/<username>`, the profile card a browser shows when someone
clicks a name, and what a bot reads to greet someone by their name (docs/api.md, "Users")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router

from parley.accounts.profiles import lookup_profile
from parley.api.schemas import REFUSALS, ErrorDocument, UserProfile
from parley.wire import frames

router = Router(tags=["users"])

USER_NOT_FOUND = "user_not_found"


@router.get(
    "/users/{username}",
    response={200: UserProfile, REFUSALS: ErrorDocument},
    summary="A person's profile",
    operation_id="user_profile",
)
def user_profile(request: HttpRequest, username: str) -> dict[str, Any] | JsonResponse:
    """Display name, picture URL, status, time zone and "do not disturb" of an active user, to
    any signed-in user or token. A deactivated or unknown user: 404 `user_not_found`, alike."""
    value = lookup_profile(username=username)
    if value is None:
        return JsonResponse(frames.error_document(USER_NOT_FOUND, "No such user."), status=404)
    return frames.profile_document(value)
