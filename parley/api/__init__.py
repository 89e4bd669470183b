"""The REST API at /api/v1/ (django-ninja): a thin adapter over the same services as the socket."""
