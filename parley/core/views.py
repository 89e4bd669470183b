"""Operator endpoints."""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest


def _may_read_metrics(request: HttpRequest) -> bool:
    token = settings.PARLEY_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    return request.user.is_authenticated and request.user.is_staff


@login_not_required
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """This process's Prometheus metrics, for staff or a bearer token; 404 to anyone else."""
    if not _may_read_metrics(request):
        raise Http404()
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)
