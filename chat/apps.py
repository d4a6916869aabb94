from django.apps import AppConfig


class ChatConfig(AppConfig):
    """Group chat rooms per cohort and per theme, real time over WebSockets (Django Channels)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"
    verbose_name = "Group chat"

    def ready(self):
        # Mention emails carry a one-click unsubscribe link; notifications imports no app, so chat registers
        # what that link stops, as the cohorts' mailing list does.
        from chat.services import MENTION_KIND, mention_emails_set
        from notifications.unsubscribe import MailingList, register_list

        register_list(
            MailingList(
                kind=MENTION_KIND,
                describe=lambda user, scope: "emails when someone mentions you in a chat room",
                stop=lambda user, scope: mention_emails_set(user=user, wanted=False),
            )
        )
