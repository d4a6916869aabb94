from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Outgoing webhooks per cohort (Slack, Teams, Matrix bridges): signed, queued as rows, retried."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # cohorts and events never import this app: it listens to their saves (see integrations.signals).
        from django.db.models.signals import post_save, pre_save

        from cohorts.models import Message
        from events.models import Event
        from integrations import signals

        post_save.connect(signals.message_saved, sender=Message, dispatch_uid="integrations.message_saved")
        pre_save.connect(signals.event_saving, sender=Event, dispatch_uid="integrations.event_saving")
        post_save.connect(signals.event_saved, sender=Event, dispatch_uid="integrations.event_saved")
