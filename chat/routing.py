"""WebSocket addresses, mounted by ``cohortnet.asgi`` beside the pages."""

from django.urls import path

from chat.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/chat/rooms/<int:room_id>/", RoomConsumer.as_asgi()),
]
