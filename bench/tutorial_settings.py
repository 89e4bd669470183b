"""Django settings for the Channels tutorial reference (bench/tutorial_server.py).

As in the tutorial: Channels with the in-memory layer at its default capacity, no database.
"""

SECRET_KEY = "bench-tutorial-reference-only"  # noqa: S105 (never serves real users)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["channels"]
DATABASES: dict = {}
USE_TZ = True
ASGI_APPLICATION = "bench.tutorial_server.application"
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
