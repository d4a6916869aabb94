from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"

    def ready(self):
        # Hand the mailing list's unsubscribe link to notifications (which imports no domain app).
        from cohorts import content_version
        from cohorts.mailing_list import register

        register()
        content_version.connect()
