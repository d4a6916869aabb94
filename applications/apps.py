from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"

    def ready(self):
        # Hand this app's kinds of reminder to the sweep (notifications imports no domain app).
        from applications import signals  # noqa: F401 -- the call page's cache version (OpenCall.updated_at)
        from applications.reminders import register_sources

        register_sources()
