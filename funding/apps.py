from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"

    def ready(self):
        # Hand this app's kinds of reminder to the sweep (notifications imports no domain app).
        from funding.reminders import register_sources

        register_sources()
