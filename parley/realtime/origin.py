"""Which pages may open a socket with the visitor's cookie: those of the site's own origins.

Channels' `AllowedHostsOriginValidator` compares only the Origin's host with ALLOWED_HOSTS, so
another application on the same host (`http://127.0.0.1:9999`) or the site over plain HTTP
could open a working socket with a signed-in visitor's cookie. This compares the whole origin
(scheme, host and port), as Django's CSRF check does for a POST:

- the request's own origin: `http` for `ws`, `https` for `wss`, and the Host header, which must
  itself be an allowed host; behind a proxy, `serve --proxy-headers` makes the scheme the
  client's (X-Forwarded-Proto);
- or one of CSRF_TRUSTED_ORIGINS (exactly, or a `https://*.example.com` wildcard as Django
  reads it).

A handshake without a Host header comes from no browser (every browser sends one, and only a
browser carries a visitor's cookie without its owner's say): its origin's host must be allowed
and its port the default of its scheme. Refused handshakes get 403 and are logged.

A handshake that carries `Authorization: Bearer <token>` passes whatever its Origin (or none):
the token alone authenticates it and any cookie is then ignored (auth.py), and a token is no
ambient credential: a browser never attaches one to a page's socket by itself (`new WebSocket()`
cannot even set the header), so no other site can ride on it. A bad token is refused there
(401). Programs (bots, scripts) send no Origin at all; those that do, e.g. a browser extension
or a server-side client copying a page's headers, are not refused for it.
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

from parley.core.types import ASGIApp, Receive, Scope, Send
from parley.realtime.auth import bearer_token, client_address

events = logging.getLogger("parley.events")

DEFAULT_PORTS = {"http": 80, "https": 443}

# (scheme, host, port)
Origin = tuple[str, str, int]


def _header(scope: Scope, name: bytes) -> str | None:
    for header, value in scope.get("headers", ()):
        if header == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


def _normalised(origin: str) -> Origin | None:
    """(scheme, host, port) of an origin or URL, lower-cased, the port made explicit."""
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def _own_origin(host: str, *, secure: bool, allowed_hosts: tuple[str, ...]) -> Origin | None:
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, allowed_hosts):
        return None
    return _normalised(f"{'https' if secure else 'http'}://{host}")


def _trusted(origin: Origin, trusted_origins: tuple[str, ...]) -> bool:
    scheme, host, port = origin
    for trusted in trusted_origins:
        wildcard = "://*." in trusted
        expected = _normalised(trusted.replace("://*.", "://", 1) if wildcard else trusted)
        if expected is None or expected[0] != scheme or expected[2] != port:
            continue
        if host == expected[1] or (wildcard and host.endswith("." + expected[1])):
            return True
    return False


def origin_allowed(scope: Scope) -> bool:
    """Whether the handshake's Origin is one of the site's own origins, or it brings a bearer
    token (see above)."""
    if bearer_token(scope) is not None:
        return True
    return _allowed(
        _header(scope, b"origin"),
        _header(scope, b"host"),
        secure=scope.get("scheme") in ("wss", "https"),
        allowed_hosts=tuple(settings.ALLOWED_HOSTS),
        trusted_origins=tuple(settings.CSRF_TRUSTED_ORIGINS),
    )


# Decided once per Origin, Host and scheme (and settings): a burst of handshakes from one site
# parsed and matched the same headers for each socket (docs/performance.md, "The seventh
# round"). Bounded: a client sending ever new headers only makes room for them.
@functools.lru_cache(maxsize=1024)
def _allowed(
    raw_origin: str | None,
    host: str | None,
    *,
    secure: bool,
    allowed_hosts: tuple[str, ...],
    trusted_origins: tuple[str, ...],
) -> bool:
    origin = _normalised(raw_origin) if raw_origin else None
    if origin is None:
        return False
    if _trusted(origin, trusted_origins):
        return True
    if host is None:
        scheme, name, port = origin
        name = f"[{name}]" if ":" in name else name  # IPv6, as ALLOWED_HOSTS writes it
        return port == DEFAULT_PORTS[scheme] and validate_host(name, allowed_hosts)
    return origin == _own_origin(host, secure=secure, allowed_hosts=allowed_hosts)


class OriginValidator:
    """ASGI middleware for WebSockets: 403 at the handshake unless `origin_allowed`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            events.info(
                "socket refused",
                extra={"event": "refused", "reason": "origin", "address": client_address(scope)},
            )
            denier = WebsocketDenier()
            await denier(scope, receive, send)
            return
        return await self.app(scope, receive, send)
