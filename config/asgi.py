"""ASGI entry point: Django for HTTP, the chat consumer for WebSockets at /ws/.

WebSockets: the Origin must be an allowed host, then the session cookie names the user
(parley.realtime.auth, in place of Channels' AuthMiddlewareStack: see there why).

Run with uvicorn and `--lifespan off` (Channels' router has no lifespan handler); see the
Makefile and docs/deployment.md.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from parley.realtime.auth import SessionAuthMiddleware  # noqa: E402
from parley.realtime.routing import websocket_urlpatterns  # noqa: E402
from parley.web.asgi_limits import UploadSizeLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": UploadSizeLimit(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            SessionAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
