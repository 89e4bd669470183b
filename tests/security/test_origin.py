"""The handshake's Origin must be one of the site's own origins: scheme, host and port.

These drive the real ASGI application with the headers a browser sends (Host and Origin);
tests/e2e/test_live_server.py does the same through the real server.
"""

import pytest
from channels.testing import WebsocketCommunicator

from config.asgi import application
from parley.realtime.origin import origin_allowed

pytestmark = pytest.mark.django_db(transaction=True)


def scope(origin: str | None, host: str | None, scheme: str = "ws") -> dict:
    headers = []
    if host is not None:
        headers.append((b"host", host.encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": headers}


@pytest.mark.parametrize(
    ("origin", "host", "scheme", "allowed"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", "ws", True),
        ("http://127.0.0.1:9999", "127.0.0.1:8000", "ws", False),
        ("https://127.0.0.1:8000", "127.0.0.1:8000", "ws", False),
        ("http://localhost:8000", "127.0.0.1:8000", "ws", False),
        ("https://localhost", "localhost", "wss", True),
        ("https://localhost:443", "localhost", "wss", True),
        ("http://localhost", "localhost", "wss", False),
        ("http://[::1]:8000", "[::1]:8000", "ws", True),
        # The Host header must itself be allowed: a page of evil.example cannot vouch for itself.
        ("http://evil.example", "evil.example", "ws", False),
        ("null", "127.0.0.1:8000", "ws", False),
        (None, "127.0.0.1:8000", "ws", False),
        ("http://127.0.0.1:8000/path", "127.0.0.1:8000", "ws", True),
        # No Host header (no browser): the origin's host must be allowed, on the default port.
        ("http://127.0.0.1", None, "ws", True),
        ("http://127.0.0.1:9999", None, "ws", False),
        ("http://evil.example", None, "ws", False),
    ],
)
def test_origin_is_compared_by_scheme_host_and_port(origin, host, scheme, allowed):
    assert origin_allowed(scope(origin, host, scheme)) is allowed


def test_trusted_origins_are_matched_exactly_or_by_their_wildcard(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://chat.example.com", "https://*.corp.example"]
    proxy_host = "127.0.0.1:8000"  # behind a proxy that does not pass the Host on
    for origin, allowed in [
        ("https://chat.example.com", True),
        ("https://chat.example.com:443", True),
        ("http://chat.example.com", False),
        ("https://chat.example.com:8443", False),
        ("https://team.corp.example", True),
        ("https://corp.example.evil", False),
        ("https://evilcorp.example", False),
    ]:
        assert origin_allowed(scope(origin, proxy_host)) is allowed, origin


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [("http://testserver:8000", True), ("http://testserver:9999", False)],
)
async def test_the_application_refuses_a_foreign_port_at_the_handshake(settings, origin, accepted):
    settings.ALLOWED_HOSTS = ["testserver"]
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"host", b"testserver:8000"), (b"origin", origin.encode())]
    )
    connected, code = await communicator.connect()
    try:
        if accepted:
            # Accepted, then closed as anonymous (no cookie): the origin was not the reason.
            assert connected
            assert (await communicator.receive_output(5))["code"] == 4401
        else:
            # Closed before the accept: the server answers the handshake with 403.
            assert connected is False
    finally:
        await communicator.disconnect()
