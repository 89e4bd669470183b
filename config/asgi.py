"""ASGI entry point: Django for HTTP, the chat consumer for WebSockets at /ws/.

Run with uvicorn and `--lifespan off` (Channels' router has no lifespan handler); see the
Makefile and docs/deployment.md.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from parley.realtime.routing import websocket_urlpatterns  # noqa: E402
from parley.web.asgi_limits import UploadSizeLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": UploadSizeLimit(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
