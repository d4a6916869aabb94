from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """What the cohort gives back: feedback forms, progress and final reports, and the published output."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        from outcomes.feedback_reminders import register_feedback_sources

        register_feedback_sources()

        from outcomes.reminders_reports import register_sources as register_report_reminders

        register_report_reminders()
