"""A person's own settings that are not the profile form (e.g. saving the browser's time zone)."""

from django.urls import path  # noqa: F401  (filled by the views that need it)

app_name = "users"

urlpatterns: list = []
