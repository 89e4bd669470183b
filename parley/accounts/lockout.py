"""What django-axes needs from Parley: the client's address, and the lock-out page.

Axes counts failed log-ins per username and address and refuses further attempts for the
cool-off time (settings: AXES_*). Its rules are its own; these two functions only adapt it.
"""

from math import ceil

from django.conf import settings
from django.shortcuts import render


def client_address(request) -> str | None:
    """REMOTE_ADDR, which uvicorn sets from trusted proxies' headers only (FORWARDED_ALLOW_IPS)."""
    return request.META.get("REMOTE_ADDR")


def lockout_response(request, original_response=None, credentials=None):
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
