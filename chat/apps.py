from django.apps import AppConfig


class ChatConfig(AppConfig):
    """Group chat rooms per cohort and per theme, real time over WebSockets (Django Channels)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"
    verbose_name = "Group chat"
