from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self):
        # Hand this app's kinds of reminder to the sweep (notifications imports no domain app).
        from events.reminders import register_sources

        register_sources()
