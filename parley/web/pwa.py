"""What makes Parley an installable web app: the service worker at the site's root and the web
app manifest (docs/notifications.md).

The worker's source is static/parley/sw.js; it is served here, at /sw.js, because a worker's
scope cannot reach above the path it is served from, and a push must reach every page. Neither
response is cached for long: a browser checks the worker for updates on each visit and must see
a new one after a deploy. Both are public (the browser fetches the manifest without cookies).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from parley.accounts.firstrun import DEFAULT_SITE_NAME
from parley.accounts.firstrun import site_name as read_site_name

WORKER_SOURCE = Path(__file__).resolve().parent / "static" / "parley" / "sw.js"
# The icon path the worker's source names; served with the URL the static storage gives it.
WORKER_ICON = '"/static/parley/img/icon-192.png"'
# parley.css --accent: the window frame of the installed app and the phone's status bar.
THEME_COLOUR = "#2f5bd3"
BACKGROUND_COLOUR = "#ffffff"
MANIFEST_MAX_AGE = 60 * 60


@login_not_required
@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    source = WORKER_SOURCE.read_text(encoding="utf-8")
    source = source.replace(WORKER_ICON, json.dumps(static("parley/img/icon-192.png")), 1)
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@login_not_required
@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    try:
        name = read_site_name()
    except DatabaseError:
        name = DEFAULT_SITE_NAME
    icon = {"type": "image/png", "purpose": "any"}
    body = {
        "name": name,
        "short_name": name[:12],
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {**icon, "src": static("parley/img/icon-192.png"), "sizes": "192x192"},
            {**icon, "src": static("parley/img/icon-512.png"), "sizes": "512x512"},
            {
                **icon,
                "src": static("parley/img/icon-maskable-512.png"),
                "sizes": "512x512",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(body, content_type="application/manifest+json")
    patch_cache_control(response, max_age=MANIFEST_MAX_AGE)
    return response
