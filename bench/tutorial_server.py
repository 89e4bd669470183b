"""The classic Django Channels chat tutorial, as the reference Parley is meant to beat.

The consumer is the tutorial's (https://channels.readthedocs.io/en/latest/tutorial/): every
socket joins the room's group on connect, each message is one `group_send` to the group, and
each member's `chat_message` handler runs `json.dumps` and sends. The in-memory layer has its
default capacity (100 per channel) and drops silently when a channel is full. Like the
tutorial, nothing is authenticated or stored; it is served by uvicorn with the same options as
`manage.py serve` where they matter.

    python -m bench.tutorial_server --port 8766
"""

from __future__ import annotations

import argparse
import json
import os

# Its own settings, whatever the caller exported (the Makefile exports Parley's).
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.tutorial_settings"

import django

django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402


class ChatConsumer(AsyncWebsocketConsumer):
    """The tutorial's consumer, line for line."""

    async def connect(self):
        self.room_name = self.scope["url_route"]["kwargs"]["room_name"]
        self.room_group_name = f"chat_{self.room_name}"
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data):
        message = json.loads(text_data)["message"]
        await self.channel_layer.group_send(
            self.room_group_name, {"type": "chat.message", "message": message}
        )

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({"message": event["message"]}))


application = ProtocolTypeRouter(
    {"websocket": URLRouter([re_path(r"ws/chat/(?P<room_name>\w+)/$", ChatConsumer.as_asgi())])}
)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(
        application,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        ws_per_message_deflate=False,
        access_log=False,
    )


if __name__ == "__main__":
    main()
