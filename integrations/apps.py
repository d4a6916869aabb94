from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Outgoing webhooks per cohort (Slack, Teams, Matrix bridges): signed, queued as rows, retried."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "Integrations"
