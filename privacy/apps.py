from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Personal data"

    def ready(self):
        # Hear the toolbox's CSV exports and file downloads, so no app has to import this one.
        from privacy import receivers  # noqa: F401 -- connects the receivers
