"""The chat benchmark's baseline: Channels' own minimal fan-out, served as the product is. Used only by ``make bench``.

One consumer that adds each socket to one group and sends every text it receives to that
group, as it came: no session, no user, no database, no rendering. ``bench/chat_fanout.py``
serves it with gunicorn and uvicorn workers on the same Redis channel layer as
``cohortnet.asgi``, so the two differ only by what the room's consumer does.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cohortnet.settings")
django.setup()  # the channel layer is configured in the project's settings (CHANNEL_LAYERS, REDIS_URL)

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402 -- needs Django set up
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

#: The one group every socket joins; a run names its own so nothing left by an earlier run listens in.
GROUP = os.environ.get("BENCH_CHAT_GROUP", "bench.baseline")
PATH = "ws/bench/baseline/"


class FanOutConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(GROUP, {"type": "fanout.text", "text": text_data})

    async def fanout_text(self, event):
        await self.send(text_data=event["text"])


application = ProtocolTypeRouter({"websocket": URLRouter([path(PATH, FanOutConsumer.as_asgi())])})
