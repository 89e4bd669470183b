"""`{% site_name %}`: the server's name, set on the set-up page (SiteSettings), in page titles
and the header's brand. A tag rather than a context processor so it needs no settings entry;
one query per request at most (the name is kept on the request), and "Parley" when the database
cannot answer or the page is rendered in async code (an error page must still render)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import SynchronousOnlyOperation
from django.db import DatabaseError

from parley.accounts.firstrun import DEFAULT_SITE_NAME
from parley.accounts.firstrun import site_name as read_site_name
from parley.accounts.views import SIGNUP_OPEN, signup_mode

register = template.Library()


@register.simple_tag(takes_context=True)
def site_name(context: template.Context) -> str:
    request: Any = context.get("request")
    cached = getattr(request, "_parley_site_name", None)
    if cached is not None:
        return str(cached)
    try:
        name = read_site_name()
    except (DatabaseError, SynchronousOnlyOperation):
        return DEFAULT_SITE_NAME
    if request is not None:
        request._parley_site_name = name
    return name


@register.simple_tag
def signup_open() -> bool:
    """Whether anyone may sign up (PARLEY_SIGNUP=open): the header's "Sign up" link shows then
    only; with invitations the invitation link leads to the form."""
    return signup_mode() == SIGNUP_OPEN
