"""ASGI entry point: Django for HTTP, the chat consumer for WebSockets at /ws/.

WebSockets: the Origin must be one of the site's own origins (scheme, host and port:
parley.realtime.origin), then the session cookie names the user
(parley.realtime.auth, in place of Channels' AuthMiddlewareStack: see there why).

Run with uvicorn and `--lifespan off` (Channels' router has no lifespan handler); see the
Makefile and docs/deployment.md.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from parley.notify.background import start_background  # noqa: E402
from parley.realtime.auth import SessionAuthMiddleware  # noqa: E402
from parley.realtime.origin import OriginValidator  # noqa: E402
from parley.realtime.routing import websocket_urlpatterns  # noqa: E402
from parley.web.asgi_limits import RequestBodyLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": RequestBodyLimit(django_asgi_app),
        "websocket": OriginValidator(SessionAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)

# The digest emails' loop (parley/notify/background.py): started with the server process.
start_background()
