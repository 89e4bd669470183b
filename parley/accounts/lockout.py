"""What django-axes needs from Parley: the client's address, and the lock-out page.

Axes counts failed log-ins per username and address and refuses further attempts for the
cool-off time (settings: AXES_*). Its rules are its own; these two functions only adapt it.
"""

from math import ceil
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, which uvicorn sets from trusted proxies' headers only (FORWARDED_ALLOW_IPS)."""
    address: str | None = request.META.get("REMOTE_ADDR")
    return address


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with a page that says how long to wait; the same for unknown users as for real ones."""
    cooloff = settings.AXES_COOLOFF_TIME
    seconds = max(1, ceil(cooloff.total_seconds()))
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": max(1, ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
