from django.urls import path  # noqa: F401  (filled by the chat views)

app_name = "chat"

urlpatterns: list = []
